"""Every write to review sessions, participants, comments and action items.

Each function takes keyword-only arguments, checks the permission, runs in one
transaction and records activity where a follower would care.

Phase transitions are one function each. The current phase is checked in the
database by the UPDATE itself (``… WHERE phase = 'reading'``): when two moves
race (the facilitator's "Start discussion" and the reading timer, or two
clicks), PostgreSQL lets one UPDATE through, the other finds the phase changed
and matches no row, and its caller gets IllegalTransition. Every successful move
writes a SessionTransition.

Every change an open session page shows bumps ``state_version`` and publishes
it after the commit (see live.py). A comment made during the reading does NOT:
the others' pages must not learn that anyone commented.

Writes about a session's comments first lock the session row (FOR NO KEY
UPDATE): a comment, reply or resolution then either commits before a phase
change or sees its result, so no comment slips in after the reveal was recorded
or after the session closed. Lock order is always the session row first, then
participant or comment rows, so two writers on one session never deadlock.
"""

import math
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from documents.models import DocumentKind, Initiative, InitiativeStatus, Revision
from documents.rendering import render_markdown
from documents.services import touch_initiative
from wbapp.accounts.models import Membership
from wbapp.accounts.rules import is_editor, is_member, is_reviewer
from wbapp.activity.models import Activity, Verb
from wbapp.activity.services import activity_record

from . import carry, live, mentions
from .anchoring import resolve_anchor
from .models import (
    FINISHED_PHASES,
    PRIVATE_PHASES,
    REVEALED_PHASES,
    UNRESOLVED_STATUSES,
    ActionItem,
    AndonPull,
    Comment,
    CommentKind,
    CommentStatus,
    Mention,
    Participant,
    ParticipantRole,
    Reaction,
    Reply,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
    SessionTransition,
)

READING_WORDS_PER_MINUTE = 150
MIN_READING_MINUTES = 1
MAX_READING_MINUTES = 240
MAX_EXTENSION_MINUTES = 60
MAX_BODY_CHARS = 10_000
MAX_DECISION_CHARS = 20_000
# A start time a few minutes in the past is a form filled in slowly, not a mistake.
START_TIME_GRACE = timedelta(minutes=5)
# Readings the sweep ends per run; the rest wait 15 seconds for the next run.
SWEEP_BATCH = 500

TITLE_MAX = ReviewSession._meta.get_field("title").max_length
ACTION_TITLE_MAX = ActionItem._meta.get_field("title").max_length

# The initiative's status after a session closes with each outcome.
STATUS_AFTER = {
    SessionOutcome.APPROVED: InitiativeStatus.APPROVED,
    SessionOutcome.ITERATE: InitiativeStatus.DRAFTING,
    SessionOutcome.SHELVED: InitiativeStatus.SHELVED,
}


class IllegalTransition(ValidationError):
    """The session's phase does not allow this move (or another move just won the race)."""


# --- Helpers -----------------------------------------------------------------------------


def _require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _phase_is(phase: str) -> str:
    return {
        SessionPhase.SCHEDULED: "the session has not started yet",
        SessionPhase.READING: "the session is in its reading",
        SessionPhase.DISCUSSION: "the session is already in discussion",
        SessionPhase.CLOSED: "the session is closed",
        SessionPhase.CANCELLED: "the session was cancelled",
        None: "the session no longer exists",
    }[phase]


def _current_phase(session_id: int) -> str | None:
    return ReviewSession.objects.filter(pk=session_id).values_list("phase", flat=True).first()


def _lock_phase(session_id: int) -> tuple[str, datetime | None]:
    """Lock the session row against phase changes; return its phase and reading end.

    FOR NO KEY UPDATE, the lock an UPDATE of the row takes: a transition waits
    for us, or we wait for it and then read its result.
    """
    return (
        ReviewSession.objects.select_for_update(no_key=True)
        .filter(pk=session_id)
        .values_list("phase", "reading_ends_at")
        .get()
    )


def _bump(session_id: int, **fields) -> None:
    """Record a change the live pages show; publish it after the commit."""
    ReviewSession.objects.filter(pk=session_id).update(
        state_version=F("state_version") + 1, **fields
    )
    live.publish_on_commit(session_id)


def _transition(
    session: ReviewSession,
    *,
    action: str,
    from_phase: str,
    to_phase: str,
    by,
    now: datetime,
    guard: Q | None = None,
    **fields,
) -> None:
    """Move ``session`` from ``from_phase`` to ``to_phase`` if it is still there.

    The conditional UPDATE decides races: exactly one caller changes the row.
    ``guard`` adds conditions (the reading time is over, nothing changed since
    the page was loaded). Call inside a transaction.
    """
    if session.phase != from_phase:
        raise IllegalTransition(f"{action}: {_phase_is(session.phase)}.", code="phase")
    condition = Q(pk=session.pk, phase=from_phase)
    if guard is not None:
        condition &= guard
    changed = ReviewSession.objects.filter(condition).update(
        phase=to_phase, state_version=F("state_version") + 1, **fields
    )
    if not changed:
        current = _current_phase(session.pk)
        if current == from_phase:
            raise IllegalTransition(
                f"{action}: the session changed meanwhile; reload the page.", code="stale"
            )
        raise IllegalTransition(f"{action}: {_phase_is(current)}.", code="phase")
    SessionTransition.objects.create(
        session_id=session.pk, from_phase=from_phase, to_phase=to_phase, by=by, at=now
    )
    live.publish_on_commit(session.pk)
    session.phase = to_phase
    session.state_version += 1
    for name, value in fields.items():
        setattr(session, name, value)


def _iteration_payload(revision_id: int) -> dict:
    number, document_id, title, kind = (
        Revision.objects.filter(pk=revision_id)
        .values_list("number", "document_id", "document__title", "document__kind")
        .get()
    )
    return {
        "document_id": document_id,
        "document_title": title or DocumentKind(kind).label,
        "number": number,
    }


def _session_payload(session: ReviewSession) -> dict:
    return {"session_id": session.pk, "session_title": session.title}


def _check_member_ids(team, user_ids: set[int], field: str, message: str) -> None:
    members = set(
        Membership.objects.filter(team=team, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    if members != user_ids:
        raise ValidationError({field: message}, code="not_member")


def _clean_title(title: str) -> str:
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "A session needs a title."}, code="required")
    if len(title) > TITLE_MAX:
        raise ValidationError({"title": f"At most {TITLE_MAX} characters."}, code="max_length")
    return title


def _check_starts_at(starts_at: datetime, now: datetime) -> None:
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        raise ValidationError({"starts_at": "A start time needs a time zone."}, code="naive")
    if starts_at < now - START_TIME_GRACE:
        raise ValidationError({"starts_at": "The start time is in the past."}, code="past")


def _check_reading_minutes(minutes: int) -> None:
    if not isinstance(minutes, int) or not MIN_READING_MINUTES <= minutes <= MAX_READING_MINUTES:
        raise ValidationError(
            {
                "reading_minutes": f"Reading time is {MIN_READING_MINUTES} to "
                f"{MAX_READING_MINUTES} minutes."
            },
            code="range",
        )


def _clean_participants(team, participants) -> list[tuple]:
    participants = list(participants)
    seen = set()
    for user, role in participants:
        if role not in ParticipantRole.values:
            raise ValidationError(
                {"participants": f"“{role}” is not a participant role."}, code="role"
            )
        if user.pk in seen:
            raise ValidationError(
                {"participants": f"{user.name} is invited twice."}, code="duplicate"
            )
        seen.add(user.pk)
    if seen:
        _check_member_ids(team, seen, "participants", "Only members of the team can be invited.")
    return participants


def _clean_body(body: str, field: str = "body", limit: int = MAX_BODY_CHARS) -> str:
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: "Write something first."}, code="required")
    if len(body) > limit:
        raise ValidationError({field: f"At most {limit:,} characters."}, code="max_length")
    return body


def suggested_reading_minutes(word_count: int) -> int:
    """Minutes to read ``word_count`` words carefully (150 a minute), up to a multiple of 5."""
    minutes = math.ceil(max(word_count, 0) / READING_WORDS_PER_MINUTE)
    return max(5, math.ceil(minutes / 5) * 5)


def _newest_copies():
    """Comments that are the newest copy of their thread (carry-forward makes copies)."""
    return Comment.objects.filter(carried_to__isnull=True)


def initiative_can_be_approved(initiative: Initiative, *, session=None) -> tuple[bool, str]:
    """Whether the initiative may be approved now, and if not, why.

    Refused while its Andon cord is pulled, and while any blocker the team can see
    is not resolved (only the newest copy of a carried thread counts, so a thread
    never blocks twice). ``session``: the session whose close would approve it
    (its iteration's blockers are among those counted).
    """
    pull = (
        AndonPull.objects.active()
        .filter(initiative_id=initiative.pk)
        .select_related("pulled_by")
        .first()
    )
    if pull is not None:
        return False, (
            f"The Andon cord is pulled ({pull.pulled_by.name}: “{pull.reason}”). "
            "An editor or owner must reset it with a resolution before approval."
        )
    blockers = (
        _newest_copies()
        .filter(initiative_id=initiative.pk, kind=CommentKind.BLOCKER)
        # Open, addressed or outdated: a blocker must be resolved, not just addressed.
        .exclude(status=CommentStatus.RESOLVED)
        .filter(Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES))
        .count()
    )
    if blockers:
        noun = "blocker is" if blockers == 1 else "blockers are"
        return False, f"{blockers} {noun} not resolved yet: resolve them before approving."
    return True, ""


def _require_approvable(initiative: Initiative, *, session=None, field: str) -> None:
    """Lock the initiative row, then refuse approval if it may not be approved.

    The lock (FOR NO KEY UPDATE, taken by andon_pull too) orders an approval and a
    pull of the cord: the pull waits until the approval commits and then stops an
    approved initiative, or the approval waits and then sees the pull.
    """
    Initiative.objects.select_for_update(no_key=True).filter(pk=initiative.pk).values_list(
        "pk"
    ).get()
    allowed, reason = initiative_can_be_approved(initiative, session=session)
    if not allowed:
        raise ValidationError({field: reason}, code="not_approvable")


# --- Scheduling ------------------------------------------------------------------------------


def session_schedule(
    *,
    user,
    revision: Revision,
    title: str,
    starts_at: datetime,
    reading_minutes: int,
    facilitator,
    participants=(),
) -> ReviewSession:
    """Schedule a review of one iteration; ``participants`` are (user, role) pairs.

    Editors and owners schedule; the facilitator and every participant must be
    members of the team. Invitees get an activity event.
    """
    document = revision.document
    initiative = document.initiative
    _require(user, "reviews.schedule_session", initiative)
    now = timezone.now()
    title = _clean_title(title)
    _check_starts_at(starts_at, now)
    _check_reading_minutes(reading_minutes)
    _check_member_ids(
        initiative.team, {facilitator.pk}, "facilitator", "The facilitator must be a team member."
    )
    participants = _clean_participants(initiative.team, participants)
    with transaction.atomic():
        session = ReviewSession.objects.create(
            initiative=initiative,
            document=document,
            revision=revision,
            title=title,
            starts_at=starts_at,
            reading_minutes=reading_minutes,
            facilitator=facilitator,
            created_by=user,
            created_at=now,
        )
        Participant.objects.bulk_create(
            Participant(session=session, user=invitee, role=role, invited_at=now)
            for invitee, role in participants
        )
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.SESSION_SCHEDULED,
            initiative=initiative,
            **_session_payload(session),
            **_iteration_payload(revision.pk),
            starts_at=starts_at.isoformat(),
            reading_minutes=reading_minutes,
            facilitator_id=facilitator.pk,
            participant_ids=[invitee.pk for invitee, _ in participants],
        )
    return session


def session_reschedule(
    *,
    user,
    session: ReviewSession,
    title: str | None = None,
    starts_at: datetime | None = None,
    reading_minutes: int | None = None,
    facilitator=None,
    participants=None,
) -> ReviewSession:
    """Change a session that has not started; arguments left None stay as they are.

    ``participants`` (user, role) pairs replace the invitation list: new people
    are invited, missing ones uninvited, roles updated.
    """
    _require(user, "reviews.manage_session", session)
    team = session.initiative.team
    now = timezone.now()
    changes = {}
    if title is not None and (title := _clean_title(title)) != session.title:
        changes["title"] = title
    if starts_at is not None:
        _check_starts_at(starts_at, now)
        if starts_at != session.starts_at:
            changes["starts_at"] = starts_at
    if reading_minutes is not None:
        _check_reading_minutes(reading_minutes)
        if reading_minutes != session.reading_minutes:
            changes["reading_minutes"] = reading_minutes
    if facilitator is not None and facilitator.pk != session.facilitator_id:
        _check_member_ids(
            team, {facilitator.pk}, "facilitator", "The facilitator must be a team member."
        )
        changes["facilitator"] = facilitator
    if participants is not None:
        participants = _clean_participants(team, participants)
    with transaction.atomic():
        # Only before the reading starts; the row lock keeps "Start reading" out until we commit.
        phase, _ = _lock_phase(session.pk)
        if phase != SessionPhase.SCHEDULED:
            raise IllegalTransition(
                f"The session cannot be rescheduled: {_phase_is(phase)}.", code="phase"
            )
        invited, uninvited, roles_changed = [], [], []
        if participants is not None:
            invited, uninvited, roles_changed = _replace_participants(session, participants, now)
            session.forget_participants()
        if not (changes or invited or uninvited or roles_changed):
            return session
        ReviewSession.objects.filter(pk=session.pk).update(
            state_version=F("state_version") + 1, **changes
        )
        live.publish_on_commit(session.pk)
        for name, value in changes.items():
            setattr(session, name, value)
        session.state_version += 1
        activity_record(
            team=team,
            actor=user,
            verb=Verb.SESSION_RESCHEDULED,
            initiative=session.initiative,
            **_session_payload(session),
            starts_at=session.starts_at.isoformat(),
            reading_minutes=session.reading_minutes,
            changed=sorted(changes),
            invited_ids=invited,
            uninvited_ids=uninvited,
        )
    return session


def _replace_participants(session: ReviewSession, participants, now) -> tuple[list, list, list]:
    """Make the participant rows match ``participants``.

    Returns the user ids (invited, uninvited, whose role changed).
    """
    existing = {p.user_id: p for p in session.participants.all()}
    wanted = {invitee.pk: role for invitee, role in participants}
    uninvited = [user_id for user_id in existing if user_id not in wanted]
    if uninvited:
        session.participants.filter(user_id__in=uninvited).delete()
    to_update = []
    for user_id, role in wanted.items():
        row = existing.get(user_id)
        if row is not None and row.role != role:
            row.role = role
            to_update.append(row)
    if to_update:
        Participant.objects.bulk_update(to_update, ["role"])
    invited = [user_id for user_id in wanted if user_id not in existing]
    Participant.objects.bulk_create(
        Participant(session=session, user_id=user_id, role=wanted[user_id], invited_at=now)
        for user_id in invited
    )
    return invited, uninvited, [row.user_id for row in to_update]


def session_cancel(*, user, session: ReviewSession) -> ReviewSession:
    """Cancel a session before its reading starts."""
    _require(user, "reviews.manage_session", session)
    now = timezone.now()
    with transaction.atomic():
        _transition(
            session,
            action="The session cannot be cancelled",
            from_phase=SessionPhase.SCHEDULED,
            to_phase=SessionPhase.CANCELLED,
            by=user,
            now=now,
            cancelled_at=now,
        )
        activity_record(
            team=session.initiative.team,
            actor=user,
            verb=Verb.SESSION_CANCELLED,
            initiative=session.initiative,
            **_session_payload(session),
        )
    return session


# --- The reading -------------------------------------------------------------------------------


def _enqueue_reading_end(session_id: int, ends_at: datetime) -> None:
    """Ask a worker to end the reading at ``ends_at`` (after the commit).

    Without a worker the live endpoint and the periodic sweep end it anyway.
    """
    # Imported here: tasks.py imports this module.
    from .tasks import end_reading_if_due

    end_reading_if_due.apply_async_on_commit((session_id,), eta=ends_at)


def session_start_reading(*, user, session: ReviewSession) -> ReviewSession:
    """Start the silent read; the server fixes when it ends."""
    _require(user, "reviews.facilitate_session", session)
    now = timezone.now()
    ends_at = now + timedelta(minutes=session.reading_minutes)
    with transaction.atomic():
        _transition(
            session,
            action="The reading cannot start",
            from_phase=SessionPhase.SCHEDULED,
            to_phase=SessionPhase.READING,
            by=user,
            now=now,
            # The reading time on the page is the one the facilitator starts.
            guard=Q(reading_minutes=session.reading_minutes),
            reading_started_at=now,
            reading_ends_at=ends_at,
        )
        Initiative.objects.filter(pk=session.initiative_id).exclude(
            status=InitiativeStatus.IN_REVIEW
        ).update(status=InitiativeStatus.IN_REVIEW, updated_at=now)
        activity_record(
            team=session.initiative.team,
            actor=user,
            verb=Verb.SESSION_STARTED,
            initiative=session.initiative,
            **_session_payload(session),
            reading_ends_at=ends_at.isoformat(),
        )
        _enqueue_reading_end(session.pk, ends_at)
    return session


def session_extend(*, user, session: ReviewSession, minutes: int) -> ReviewSession:
    """Give the readers more time; only while the reading time is not yet over."""
    _require(user, "reviews.facilitate_session", session)
    if not isinstance(minutes, int) or not 1 <= minutes <= MAX_EXTENSION_MINUTES:
        raise ValidationError(
            {"minutes": f"Extend by 1 to {MAX_EXTENSION_MINUTES} minutes."}, code="range"
        )
    now = timezone.now()
    with transaction.atomic():
        changed = ReviewSession.objects.filter(
            pk=session.pk, phase=SessionPhase.READING, reading_ends_at__gt=now
        ).update(
            reading_ends_at=F("reading_ends_at") + timedelta(minutes=minutes),
            extended_minutes=F("extended_minutes") + minutes,
            state_version=F("state_version") + 1,
        )
        if not changed:
            phase = _current_phase(session.pk)
            reason = "its time is already up" if phase == SessionPhase.READING else _phase_is(phase)
            raise IllegalTransition(f"The reading cannot be extended: {reason}.", code="phase")
        session.reading_ends_at, session.extended_minutes, session.state_version = (
            ReviewSession.objects.filter(pk=session.pk)
            .values_list("reading_ends_at", "extended_minutes", "state_version")
            .get()
        )
        live.publish_on_commit(session.pk)
        _enqueue_reading_end(session.pk, session.reading_ends_at)
    return session


def _reveal(session: ReviewSession, now: datetime) -> None:
    """Record the "comment_added" events the reading kept back, in the reveal's transaction.

    One INSERT for all of them: a reading with 50 readers can end with hundreds.
    """
    comments = list(
        Comment.objects.filter(session=session)
        .order_by("document_order", "created_at", "pk")
        .values_list("pk", "author_id", "kind", "section_key")
    )
    if not comments:
        return
    iteration = _iteration_payload(session.revision_id)
    Activity.objects.bulk_create(
        Activity(
            team_id=session.initiative.team_id,
            initiative_id=session.initiative_id,
            actor_id=author_id,
            verb=Verb.COMMENT_ADDED,
            created_at=now,
            payload={
                "comment_id": pk,
                **_session_payload(session),
                **iteration,
                "kind": kind,
                "section_key": section_key,
            },
        )
        for pk, author_id, kind, section_key in comments
    )
    _reveal_mentions(session, iteration, now)


def _reveal_mentions(session: ReviewSession, iteration: dict, now: datetime) -> None:
    """The "mentioned" events of comments made during the reading, held back until now."""
    mentioned = defaultdict(list)
    authors = {}
    for comment_id, author_id, user_id in (
        Mention.objects.filter(comment__session=session, reply__isnull=True)
        .order_by("comment_id", "pk")
        .values_list("comment_id", "by_id", "user_id")
    ):
        mentioned[comment_id].append(user_id)
        authors[comment_id] = author_id
    Activity.objects.bulk_create(
        Activity(
            team_id=session.initiative.team_id,
            initiative_id=session.initiative_id,
            actor_id=authors[comment_id],
            verb=Verb.MENTIONED,
            created_at=now,
            payload={
                "comment_id": comment_id,
                "reply_id": None,
                "mentioned_ids": user_ids,
                **_session_payload(session),
                **iteration,
            },
        )
        for comment_id, user_ids in mentioned.items()
    )


def _start_discussion(session: ReviewSession, *, by, now: datetime, guard: Q | None) -> None:
    _transition(
        session,
        action="The discussion cannot start",
        from_phase=SessionPhase.READING,
        to_phase=SessionPhase.DISCUSSION,
        by=by,
        now=now,
        guard=guard,
        discussion_started_at=now,
    )
    _reveal(session, now)
    activity_record(
        team=session.initiative.team,
        actor=by,
        verb=Verb.SESSION_DISCUSSION,
        initiative=session.initiative,
        **_session_payload(session),
        by_timer=by is None,
    )


def session_start_discussion(*, user, session: ReviewSession) -> ReviewSession:
    """End the reading early and reveal every comment."""
    _require(user, "reviews.facilitate_session", session)
    with transaction.atomic():
        _start_discussion(session, by=user, now=timezone.now(), guard=None)
    return session


def session_end_reading_if_due(*, session_id: int, now: datetime | None = None) -> bool:
    """End the reading if its time is up; True if this call ended it.

    No user: the timer (a Celery task, the periodic sweep, or the live endpoint
    noticing the time is up) calls it. Idempotent: only the first call changes
    anything, every later or concurrent one returns False.
    """
    now = _now(now)
    session = (
        ReviewSession.objects.select_related("initiative__team")
        .filter(pk=session_id, phase=SessionPhase.READING, reading_ends_at__lte=now)
        .first()
    )
    if session is None:
        return False
    try:
        with transaction.atomic():
            _start_discussion(session, by=None, now=now, guard=Q(reading_ends_at__lte=now))
    except IllegalTransition:
        # Someone else (the facilitator, another worker) moved it first, or the
        # reading was extended a moment ago.
        return False
    return True


def sessions_end_due_readings(*, now: datetime | None = None) -> int:
    """End every reading whose time is up (the periodic sweep); return how many it ended."""
    now = _now(now)
    due = list(
        ReviewSession.objects.reading_due(now)
        .order_by("reading_ends_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    return sum(session_end_reading_if_due(session_id=pk, now=now) for pk in due)


# --- Participants ------------------------------------------------------------------------------


def participant_open(*, user, session: ReviewSession) -> Participant | None:
    """A participant opened the session page: the first time during the session marks them joined.

    A no-op (and no write) for non-participants, for participants who already
    joined, and before the reading starts.
    """
    _require(user, "reviews.view_session", session)
    participant = session.participant_for(user)
    if (
        participant is None
        or participant.joined_at is not None
        or session.phase not in (SessionPhase.READING, SessionPhase.DISCUSSION)
    ):
        return participant
    now = timezone.now()
    with transaction.atomic():
        # Session row first, then the participant, as every other writer does
        # (a "done" click at the same moment must not deadlock with this).
        _lock_phase(session.pk)
        joined = Participant.objects.filter(pk=participant.pk, joined_at__isnull=True).update(
            joined_at=now
        )
        if joined:
            _bump(session.pk)
            session.state_version += 1
    participant.joined_at = participant.joined_at or now
    return participant


def _set_done(*, user, session: ReviewSession, done: bool) -> Participant:
    _require(user, "reviews.view_session", session)
    participant = session.participant_for(user)
    if participant is None:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        phase, _ = _lock_phase(session.pk)
        if phase != SessionPhase.READING:
            raise IllegalTransition(
                f"Reading progress can only change during the reading: {_phase_is(phase)}.",
                code="phase",
            )
        rows = Participant.objects.filter(pk=participant.pk, done_at__isnull=done)
        if done:
            changed = rows.update(done_at=now, joined_at=Coalesce(F("joined_at"), now))
        else:
            changed = rows.update(done_at=None)
        if changed:
            _bump(session.pk)
            session.state_version += 1
    participant.refresh_from_db(fields=["done_at", "joined_at"])
    return participant


def participant_mark_done(*, user, session: ReviewSession) -> Participant:
    """ "I'm done reading" (idempotent)."""
    return _set_done(user=user, session=session, done=True)


def participant_mark_reading(*, user, session: ReviewSession) -> Participant:
    """Undo "I'm done reading" (idempotent)."""
    return _set_done(user=user, session=session, done=False)


# --- Discussion and close ----------------------------------------------------------------------


def session_focus(*, user, session: ReviewSession, comment: Comment | None) -> ReviewSession:
    """Point everyone's discussion view at ``comment`` (a thread of this session), or at none."""
    _require(user, "reviews.facilitate_session", session)
    if comment is not None and comment.session_id != session.pk:
        raise ValidationError({"comment": "That comment is not part of this session."})
    with transaction.atomic():
        changed = ReviewSession.objects.filter(pk=session.pk, phase=SessionPhase.DISCUSSION).update(
            focused_comment=comment, state_version=F("state_version") + 1
        )
        if not changed:
            raise IllegalTransition(
                f"Threads are stepped through in the discussion: "
                f"{_phase_is(_current_phase(session.pk))}.",
                code="phase",
            )
        live.publish_on_commit(session.pk)
    session.focused_comment = comment
    session.state_version += 1
    return session


def session_focus_next(*, user, session: ReviewSession) -> Comment | None:
    """Focus the thread after the current one in document order.

    After the last thread the focus clears (None); "next" again starts over.
    """
    _require(user, "reviews.facilitate_session", session)
    with transaction.atomic():
        # Serialise "next" clicks: each one steps from where the previous one left.
        current_id = (
            ReviewSession.objects.select_for_update(no_key=True)
            .filter(pk=session.pk)
            .values_list("focused_comment_id", flat=True)
            .get()
        )
        threads = Comment.objects.filter(session=session).in_document_order()
        current = (
            Comment.objects.filter(pk=current_id, session=session)
            .values("document_order", "created_at", "pk")
            .first()
        )
        if current is not None:
            order, created, pk = current["document_order"], current["created_at"], current["pk"]
            threads = threads.filter(
                Q(document_order__gt=order)
                | Q(document_order=order, created_at__gt=created)
                | Q(document_order=order, created_at=created, pk__gt=pk)
            )
        following = threads.first()
        session_focus(user=user, session=session, comment=following)
    return following


def _set_initiative_status(initiative: Initiative, status: str, now: datetime) -> None:
    """Write the status; the caller holds the initiative's row lock and checked approval."""
    Initiative.objects.filter(pk=initiative.pk).update(status=status, updated_at=now)
    initiative.status = status
    initiative.updated_at = now


def session_close(
    *, user, session: ReviewSession, outcome: str, decision_notes: str = ""
) -> ReviewSession:
    """Record the outcome; the initiative's status follows it.

    approved → approved (refused while initiative_can_be_approved says no),
    shelved → shelved, iterate → drafting.
    """
    _require(user, "reviews.facilitate_session", session)
    if outcome not in SessionOutcome.values:
        raise ValidationError({"outcome": "Choose approved, iterate or shelved."}, code="outcome")
    decision_notes = (decision_notes or "").strip()
    if len(decision_notes) > MAX_DECISION_CHARS:
        raise ValidationError(
            {"decision_notes": f"At most {MAX_DECISION_CHARS:,} characters."}, code="max_length"
        )
    now = timezone.now()
    initiative = session.initiative
    with transaction.atomic():
        _transition(
            session,
            action="The session cannot be closed",
            from_phase=SessionPhase.DISCUSSION,
            to_phase=SessionPhase.CLOSED,
            by=user,
            now=now,
            outcome=outcome,
            decision_notes=decision_notes,
            decision_html=render_markdown(decision_notes),
            closed_at=now,
            focused_comment=None,
        )
        # Threads the discussion kept while a newer iteration was saved move on to
        # it now. Before the initiative's lock below: saving an iteration locks the
        # document, then the initiative, and so must we.
        carry.carry_to_latest(
            document_id=session.document_id, after_revision_id=session.revision_id, user=user
        )
        # Checked after the UPDATE: we now hold the row lock, so no comment or
        # resolution on this session can change the answer before we commit.
        if outcome == SessionOutcome.APPROVED:
            _require_approvable(initiative, session=session, field="outcome")
        _set_initiative_status(initiative, STATUS_AFTER[SessionOutcome(outcome)], now)
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.DECISION_RECORDED,
            initiative=initiative,
            **_session_payload(session),
            **_iteration_payload(session.revision_id),
            outcome=outcome,
            decision_notes=decision_notes[:500],
        )
    return session


# --- Comments ----------------------------------------------------------------------------------


def _check_kind(kind: str) -> None:
    if kind not in CommentKind.values:
        raise ValidationError({"kind": f"“{kind}” is not a kind of comment."}, code="kind")


def _comment_activity(comment: Comment, *, user) -> None:
    payload = {"comment_id": comment.pk, **_iteration_payload(comment.revision_id)}
    if comment.session_id is not None:
        payload.update(_session_payload(comment.session))
    activity_record(
        team=comment.initiative.team,
        actor=user,
        verb=Verb.COMMENT_ADDED,
        initiative=comment.initiative,
        **payload,
        kind=comment.kind,
        section_key=comment.section_key,
    )


def comment_create(
    *,
    user,
    revision: Revision,
    session: ReviewSession | None = None,
    kind: str,
    body: str,
    section_key: str,
    quote: str = "",
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Comment:
    """A comment anchored to a passage of an iteration.

    In a session: the facilitator, reviewers and bar raisers comment during the
    reading (privately) and the discussion (visible at once); a reading whose
    time is up ends first. Outside sessions: team reviewers, editors and owners
    comment on any iteration, visible to the team at once.
    """
    initiative = revision.document.initiative
    if session is None:
        _require(user, "reviews.comment_on_initiative", initiative)
    else:
        if session.revision_id != revision.pk:
            raise ValidationError("This session reviews another iteration.", code="revision")
        _require(user, "reviews.comment_in_session", session)
    _check_kind(kind)
    body = _clean_body(body)
    anchor = resolve_anchor(
        revision,
        section_key=section_key,
        quote=quote or "",
        prefix=prefix or "",
        suffix=suffix or "",
        start=start,
        end=end,
    )
    found = mentions.find_mentions(body, team=initiative.team, author=user)
    now = timezone.now()
    with transaction.atomic():
        phase = None
        if session is not None:
            phase, ends_at = _lock_phase(session.pk)
            if phase == SessionPhase.READING and ends_at <= now:
                session_end_reading_if_due(session_id=session.pk, now=now)
                phase = SessionPhase.DISCUSSION
                session.phase = phase
            if phase not in (SessionPhase.READING, SessionPhase.DISCUSSION):
                raise IllegalTransition(
                    f"Comments in this session are closed: {_phase_is(phase)}.", code="phase"
                )
        comment = Comment.objects.create(
            revision=revision,
            initiative=initiative,
            session=session,
            author=user,
            kind=kind,
            body=body,
            body_html=mentions.render_body(body, found),
            section_key=anchor.section_key,
            quote=anchor.quote,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            start=anchor.start,
            end=anchor.end,
            document_order=anchor.document_order,
            created_at=now,
        )
        # A comment made during the reading leaves no trace anyone else can see:
        # no activity (recorded at the reveal) and no live version bump.
        if phase != SessionPhase.READING:
            _comment_activity(comment, user=user)
        _record_mentions(
            comment=comment, result=found, by=user, notify=phase != SessionPhase.READING
        )
        if phase == SessionPhase.DISCUSSION:
            _bump(session.pk)
    comment.mention_result = found
    return comment


def _comment_session_phase(comment: Comment) -> str | None:
    """Lock the comment's session (if any) and return its phase (call inside a transaction)."""
    if comment.session_id is None:
        return None
    phase, _ = _lock_phase(comment.session_id)
    return phase


def _require_open_thread(phase: str | None, action: str) -> None:
    """Threads take replies, +1s, resolutions and action items once revealed, until closed."""
    if phase in PRIVATE_PHASES:
        raise IllegalTransition(f"{action} once the discussion starts.", code="private")
    if phase in FINISHED_PHASES:
        raise IllegalTransition(
            f"{action} no more: the session is over and its record is read-only.",
            code="finished",
        )


def _may_discuss(user, comment: Comment) -> bool:
    """Team reviewers and up, and anyone who may comment in the comment's session."""
    if is_reviewer(user, comment.initiative.team):
        return True
    return comment.session_id is not None and user.has_perm(
        "reviews.comment_in_session", comment.session
    )


def _require_visible(user, comment: Comment) -> None:
    if not Comment.objects.visible_to(user).filter(pk=comment.pk).exists():
        raise PermissionDenied


def _require_newest_copy(comment: Comment) -> None:
    """A carried thread goes on on its newest copy; older copies are their iteration's record.

    Locks the comment row first (call inside the transaction, after the session
    lock): a carry in progress holds it, so we wait and then see its copy.
    """
    Comment.objects.select_for_update(no_key=True).filter(pk=comment.pk).values_list("pk").first()
    number = (
        Comment.objects.filter(carried_from_id=comment.pk)
        .values_list("revision__number", flat=True)
        .first()
    )
    if number is not None:
        raise IllegalTransition(
            f"This thread continues on iteration {number}: reply to it and change it there.",
            code="carried",
        )


def comment_edit(*, user, comment: Comment, body: str, kind: str | None = None) -> Comment:
    """The author rewrites their comment (and may change its kind) until the session closes."""
    if comment.author_id != user.pk:
        raise PermissionDenied
    _require_visible(user, comment)
    body = _clean_body(body)
    if kind is not None:
        _check_kind(kind)
    found = mentions.find_mentions(body, team=comment.initiative.team, author=user)
    now = timezone.now()
    with transaction.atomic():
        phase = _comment_session_phase(comment)
        if phase in FINISHED_PHASES:
            raise IllegalTransition(
                "Comments cannot be edited: the session is over and its record is read-only.",
                code="finished",
            )
        _require_newest_copy(comment)
        comment.body = body
        comment.body_html = mentions.render_body(body, found)
        comment.kind = kind or comment.kind
        comment.edited_at = now
        comment.save(update_fields=["body", "body_html", "kind", "edited_at"])
        Comment.objects.filter(pk=comment.pk).touch()
        # Only people newly named are told; during the reading the reveal tells them.
        _record_mentions(
            comment=comment,
            result=found,
            by=user,
            notify=phase not in PRIVATE_PHASES,
            edited=True,
        )
        if phase == SessionPhase.DISCUSSION:
            _bump(comment.session_id)
    comment.mention_result = found
    return comment


def comment_delete(*, user, comment: Comment) -> None:
    """The author takes back a comment while it is still private (during the reading)."""
    if comment.author_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        phase = _comment_session_phase(comment)
        if phase not in PRIVATE_PHASES:
            raise IllegalTransition(
                "Only comments made during the reading can be taken back, before the reveal.",
                code="revealed",
            )
        comment.delete()


def reply_create(*, user, comment: Comment, body: str) -> Reply:
    _require_visible(user, comment)
    if not _may_discuss(user, comment):
        raise PermissionDenied
    body = _clean_body(body)
    found = mentions.find_mentions(body, team=comment.initiative.team, author=user)
    with transaction.atomic():
        phase = _comment_session_phase(comment)
        _require_open_thread(phase, "Replies are possible")
        _require_newest_copy(comment)
        reply = Reply.objects.create(
            comment=comment, author=user, body=body, body_html=mentions.render_body(body, found)
        )
        Comment.objects.filter(pk=comment.pk).touch()
        activity_record(
            team=comment.initiative.team,
            actor=user,
            verb=Verb.REPLY_ADDED,
            initiative=comment.initiative,
            comment_id=comment.pk,
            reply_id=reply.pk,
            comment_author_id=comment.author_id,
            **_iteration_payload(comment.revision_id),
        )
        _record_mentions(comment=comment, reply=reply, result=found, by=user, notify=True)
        if phase == SessionPhase.DISCUSSION:
            _bump(comment.session_id)
    reply.mention_result = found
    return reply


def _set_status(*, user, comment: Comment, resolved: bool) -> Comment:
    _require_visible(user, comment)
    _require(user, "reviews.moderate_comment", comment)
    now = timezone.now()
    with transaction.atomic():
        phase = _comment_session_phase(comment)
        _require_open_thread(phase, "Comments can be resolved or reopened")
        _require_newest_copy(comment)
        if resolved:
            # Open, addressed (the commenter verifies) or outdated (no longer relevant).
            values = {"status": CommentStatus.RESOLVED, "resolved_by": user, "resolved_at": now}
            values["version"] = F("version") + 1
            rows = Comment.objects.filter(pk=comment.pk, status__in=UNRESOLVED_STATUSES)
        else:
            # A resolved or addressed thread opens again ("addressed" is withdrawn); one
            # whose words are gone from its iteration goes back to outdated.
            values = {
                "status": CommentStatus.OUTDATED if comment.passage_lost else CommentStatus.OPEN,
                "resolved_by": None,
                "resolved_at": None,
                "addressed_by": None,
                "addressed_at": None,
                "version": F("version") + 1,
            }
            rows = Comment.objects.filter(
                pk=comment.pk, status__in=[CommentStatus.RESOLVED, CommentStatus.ADDRESSED]
            )
        if rows.update(**values) and phase == SessionPhase.DISCUSSION:
            _bump(comment.session_id)
    comment.refresh_from_db(
        fields=["status", "resolved_by", "resolved_at", "addressed_by", "addressed_at"]
    )
    return comment


def comment_resolve(*, user, comment: Comment) -> Comment:
    """Resolve a thread (its author, the session's facilitator, editors and owners)."""
    return _set_status(user=user, comment=comment, resolved=True)


def comment_reopen(*, user, comment: Comment) -> Comment:
    return _set_status(user=user, comment=comment, resolved=False)


def comment_toggle_plus_one(*, user, comment: Comment) -> bool:
    """Add the user's "+1" to a comment, or take it back; True if it is now there."""
    _require_visible(user, comment)
    if not _may_discuss(user, comment):
        raise PermissionDenied
    with transaction.atomic():
        phase = _comment_session_phase(comment)
        _require_open_thread(phase, "+1s are possible")
        _require_newest_copy(comment)
        removed, _ = Reaction.objects.filter(comment=comment, user=user).delete()
        if not removed:
            try:
                with transaction.atomic():
                    Reaction.objects.create(comment=comment, user=user)
            except IntegrityError:
                # A double click: the other request added it a moment ago.
                pass
        Comment.objects.filter(pk=comment.pk).touch()
        if phase == SessionPhase.DISCUSSION:
            _bump(comment.session_id)
    return not removed


# --- Action items --------------------------------------------------------------------------------


def action_item_create(
    *,
    user,
    initiative: Initiative,
    title: str,
    owner,
    due_on: date | None = None,
    comment: Comment | None = None,
    session: ReviewSession | None = None,
) -> ActionItem:
    """An action item with an owner, optionally from a thread and/or in a session."""
    if comment is not None:
        if comment.initiative_id != initiative.pk:
            raise ValidationError("That comment belongs to another initiative.", code="initiative")
        if session is None and comment.session_id is not None:
            session = comment.session
        elif session is not None and comment.session_id not in (None, session.pk):
            raise ValidationError("That comment belongs to another session.", code="session")
        _require_visible(user, comment)
        if not _may_discuss(user, comment):
            raise PermissionDenied
    elif session is not None:
        if session.initiative_id != initiative.pk:
            raise ValidationError("That session belongs to another initiative.", code="session")
        _require(user, "reviews.comment_in_session", session)
    elif not is_reviewer(user, initiative.team):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Say what needs doing."}, code="required")
    if len(title) > ACTION_TITLE_MAX:
        raise ValidationError({"title": f"At most {ACTION_TITLE_MAX} characters."})
    _check_member_ids(
        initiative.team, {owner.pk}, "owner", "The owner must be a member of the team."
    )
    with transaction.atomic():
        phase = None
        if session is not None:
            phase, _ = _lock_phase(session.pk)
            _require_open_thread(phase, "Action items can be added")
        item = ActionItem.objects.create(
            initiative=initiative,
            session=session,
            comment=comment,
            title=title,
            owner=owner,
            due_on=due_on,
            created_by=user,
        )
        if comment is not None:
            Comment.objects.filter(pk=comment.pk).touch()
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.ACTION_ITEM_ASSIGNED,
            initiative=initiative,
            action_item_id=item.pk,
            title=title,
            owner_id=owner.pk,
            due_on=due_on.isoformat() if due_on else None,
            session_id=session.pk if session else None,
            comment_id=comment.pk if comment else None,
        )
        if phase == SessionPhase.DISCUSSION:
            _bump(session.pk)
    return item


def action_item_set_done(*, user, item: ActionItem, done: bool = True) -> ActionItem:
    """Tick an action item off (or back on): its owner, its creator, editors and owners."""
    team = item.initiative.team
    if not is_member(user, team):
        raise PermissionDenied
    if user.pk not in (item.owner_id, item.created_by_id) and not is_editor(user, team):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        phase = _lock_phase(item.session_id)[0] if item.session_id is not None else None
        rows = ActionItem.objects.filter(pk=item.pk, done_at__isnull=done)
        changed = rows.update(done_at=now if done else None)
        if changed and item.comment_id is not None:
            Comment.objects.filter(pk=item.comment_id).touch()
        if changed and phase == SessionPhase.DISCUSSION:
            _bump(item.session_id)
    item.refresh_from_db(fields=["done_at"])
    return item


# --- Mentions ----------------------------------------------------------------------------------


def _record_mentions(
    *,
    comment: Comment,
    result: "mentions.MentionResult",
    by,
    notify: bool,
    reply: Reply | None = None,
    edited: bool = False,
) -> list[int]:
    """Record who ``comment`` (or ``reply``) names; tell them unless ``notify`` is False.

    One "mentioned" activity per text, with every newly named member in
    ``mentioned_ids`` (the notifications fan-out makes each a personal recipient).
    An edit records and tells only the members it newly names. Returns their ids.
    """
    if not result.members:
        return []
    already = set()
    if edited:
        already = set(
            Mention.objects.filter(comment=comment, reply=reply).values_list("user_id", flat=True)
        )
    new = [member for member in result.members if member.pk not in already]
    if not new:
        return []
    Mention.objects.bulk_create(
        Mention(comment=comment, reply=reply, user=member, by=by) for member in new
    )
    if notify:
        payload = {
            "comment_id": comment.pk,
            "reply_id": reply.pk if reply is not None else None,
            "mentioned_ids": [member.pk for member in new],
            **_iteration_payload(comment.revision_id),
        }
        if comment.session_id is not None:
            payload.update(_session_payload(comment.session))
        activity_record(
            team=comment.initiative.team,
            actor=by,
            verb=Verb.MENTIONED,
            initiative=comment.initiative,
            **payload,
        )
    return [member.pk for member in new]


# --- The Andon cord and the initiative's status ------------------------------------------------

MAX_ANDON_CHARS = 2_000


def _clean_andon_text(text: str, field: str, missing: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise ValidationError({field: missing}, code="required")
    if len(text) > MAX_ANDON_CHARS:
        raise ValidationError(
            {field: f"At most {MAX_ANDON_CHARS:,} characters."}, code="max_length"
        )
    return text


def _lock_initiative(initiative: Initiative) -> str:
    """Lock the initiative row (FOR NO KEY UPDATE) and return its current status."""
    return (
        Initiative.objects.select_for_update(no_key=True)
        .filter(pk=initiative.pk)
        .values_list("status", flat=True)
        .get()
    )


def andon_pull(*, user, initiative: Initiative, reason: str) -> AndonPull:
    """Stop the initiative: it cannot be approved until an editor or owner resets the cord.

    Any reviewer, editor or owner of the team may pull it, with a reason; it is
    refused while the cord is already pulled.
    """
    _require(user, "reviews.pull_andon", initiative)
    reason = _clean_andon_text(reason, "reason", "Say why the initiative must stop.")
    with transaction.atomic():
        # The same lock an approval takes: a pull and an approval never interleave.
        _lock_initiative(initiative)
        now = timezone.now()
        if AndonPull.objects.active().filter(initiative_id=initiative.pk).exists():
            raise ValidationError(
                "The Andon cord is already pulled on this initiative.", code="already_pulled"
            )
        pull = AndonPull.objects.create(
            initiative=initiative, pulled_by=user, reason=reason, pulled_at=now
        )
        touch_initiative(initiative, now)
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.ANDON_PULLED,
            initiative=initiative,
            pull_id=pull.pk,
            reason=reason,
        )
    return pull


def andon_reset(*, user, initiative: Initiative, resolution: str) -> AndonPull:
    """Reset the pulled cord with a resolution (editors and owners)."""
    _require(user, "reviews.reset_andon", initiative)
    resolution = _clean_andon_text(resolution, "resolution", "Say how the concern was resolved.")
    now = timezone.now()
    with transaction.atomic():
        pull = (
            AndonPull.objects.select_for_update()
            .filter(initiative_id=initiative.pk, reset_at__isnull=True)
            .first()
        )
        if pull is None:
            raise ValidationError(
                "The Andon cord is not pulled on this initiative (someone may have reset it).",
                code="not_pulled",
            )
        pull.reset_by = user
        pull.reset_at = now
        pull.resolution = resolution
        pull.save(update_fields=["reset_by", "reset_at", "resolution"])
        touch_initiative(initiative, now)
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.ANDON_RESET,
            initiative=initiative,
            pull_id=pull.pk,
            reason=pull.reason,
            resolution=resolution,
            pulled_by_id=pull.pulled_by_id,
        )
    return pull


def initiative_set_status(*, user, initiative: Initiative, status: str) -> Initiative:
    """Move the initiative to ``status`` by hand (editors and owners).

    Approval is refused for the same reasons as a session's "approved" outcome:
    a pulled Andon cord, unresolved blockers. Session outcomes set the status
    themselves (``session_close``); this is for decisions taken elsewhere.
    """
    _require(user, "reviews.change_initiative_status", initiative)
    if status not in InitiativeStatus.values:
        raise ValidationError({"status": f"“{status}” is not a status."}, code="status")
    now = timezone.now()
    with transaction.atomic():
        if status == InitiativeStatus.APPROVED:
            _require_approvable(initiative, field="status")
        current = _lock_initiative(initiative)
        if current == status:
            initiative.status = status
            return initiative
        _set_initiative_status(initiative, status, now)
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.STATUS_CHANGED,
            initiative=initiative,
            from_status=current,
            to_status=status,
        )
    return initiative


# --- Carried threads: addressed ------------------------------------------------------------------


def comment_mark_addressed(*, user, comment: Comment, reply: str = "") -> Comment:
    """The document's side says a thread is dealt with: an editor or owner marks it addressed.

    The commenter (or an editor) then verifies: resolves it, or reopens it. The
    optional ``reply`` says how, posted to the thread like any reply. Open and
    outdated threads can be marked (an outdated one: "removed on purpose"). A
    blocker still needs its resolution before the initiative can be approved.
    """
    _require_visible(user, comment)
    _require(user, "reviews.address_comment", comment)
    reply = (reply or "").strip()
    if reply:
        reply = _clean_body(reply, field="reply")
    now = timezone.now()
    with transaction.atomic():
        phase = _comment_session_phase(comment)
        _require_open_thread(phase, "Threads can be marked addressed")
        _require_newest_copy(comment)
        marked = Comment.objects.filter(
            pk=comment.pk, status__in=[CommentStatus.OPEN, CommentStatus.OUTDATED]
        ).update(
            status=CommentStatus.ADDRESSED,
            addressed_by=user,
            addressed_at=now,
            version=F("version") + 1,
        )
        if not marked:
            status = Comment.objects.filter(pk=comment.pk).values_list("status", flat=True).get()
            raise IllegalTransition(
                "Only an open or outdated thread can be marked addressed; this one is "
                f"{CommentStatus(status).label.lower()}.",
                code="status",
            )
        answer = reply_create(user=user, comment=comment, body=reply) if reply else None
        activity_record(
            team=comment.initiative.team,
            actor=user,
            verb=Verb.COMMENT_ADDRESSED,
            initiative=comment.initiative,
            comment_id=comment.pk,
            comment_author_id=comment.author_id,
            kind=comment.kind,
            reply_id=answer.pk if answer else None,
            **_iteration_payload(comment.revision_id),
        )
        if phase == SessionPhase.DISCUSSION:
            _bump(comment.session_id)
    comment.refresh_from_db(fields=["status", "addressed_by", "addressed_at"])
    return comment
