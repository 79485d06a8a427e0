"""The session's phases after scheduling: the silent read, its end, and the discussion's focus.

A comment made during the reading leaves no trace the others can see; the reveal
(the move to the discussion) records what the reading kept back.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from documents.models import Initiative, InitiativeStatus
from wbapp import jobs
from wbapp.activity.models import Activity, Verb
from wbapp.activity.recording import activity_record

from .. import live
from ..models import (
    Comment,
    Mention,
    Participant,
    ReviewSession,
    SessionPhase,
)
from .common import (
    IllegalTransition,
    current_phase,
    iteration_payload,
    lock_phase,
    phase_is,
    require,
    session_payload,
    transition,
)

MAX_EXTENSION_MINUTES = 60


# Readings the sweep ends per run; the rest wait 15 seconds for the next run.
SWEEP_BATCH = 500


def _now(now: datetime | None) -> datetime:
    return now or timezone.now()


def _enqueue_reading_end(session_id: int, ends_at: datetime) -> None:
    """Ask a worker to end the reading at ``ends_at`` (after the commit).

    Without a worker the live endpoint and the periodic sweep end it anyway.
    """
    jobs.enqueue("reviews.tasks.end_reading_if_due", session_id, eta=ends_at)


def session_start_reading(*, user, session: ReviewSession) -> ReviewSession:
    """Start the silent read; the server fixes when it ends."""
    require(user, "reviews.facilitate_session", session)
    now = timezone.now()
    ends_at = now + timedelta(minutes=session.reading_minutes)
    with transaction.atomic():
        transition(
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
            **session_payload(session),
            reading_ends_at=ends_at.isoformat(),
        )
        _enqueue_reading_end(session.pk, ends_at)
    return session


def session_extend(*, user, session: ReviewSession, minutes: int) -> ReviewSession:
    """Give the readers more time; only while the reading time is not yet over."""
    require(user, "reviews.facilitate_session", session)
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
        )
        if not changed:
            phase = current_phase(session.pk)
            reason = "its time is already up" if phase == SessionPhase.READING else phase_is(phase)
            raise IllegalTransition(f"The reading cannot be extended: {reason}.", code="phase")
        live.changed(session_id=session.pk)
        session.reading_ends_at, session.extended_minutes, session.state_version = (
            ReviewSession.objects.filter(pk=session.pk)
            .values_list("reading_ends_at", "extended_minutes", "state_version")
            .get()
        )
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
    iteration = iteration_payload(session.revision_id)
    Activity.objects.bulk_create(
        Activity(
            team_id=session.initiative.team_id,
            initiative_id=session.initiative_id,
            actor_id=author_id,
            verb=Verb.COMMENT_ADDED,
            created_at=now,
            payload={
                "comment_id": pk,
                **session_payload(session),
                **iteration,
                "kind": kind,
                "section_key": section_key,
                # Told together: one notification for the reading's comments (coalescing).
                "revealed": True,
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
                **session_payload(session),
                **iteration,
            },
        )
        for comment_id, user_ids in mentioned.items()
    )


def _start_discussion(session: ReviewSession, *, by, now: datetime, guard: Q | None) -> None:
    transition(
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
        **session_payload(session),
        by_timer=by is None,
    )


def session_start_discussion(*, user, session: ReviewSession) -> ReviewSession:
    """End the reading early and reveal every comment."""
    require(user, "reviews.facilitate_session", session)
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


def participant_open(*, user, session: ReviewSession) -> Participant | None:
    """A participant opened the session page: the first time during the session marks them joined.

    A no-op (and no write) for non-participants, for participants who already
    joined, and before the reading starts.
    """
    require(user, "reviews.view_session", session)
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
        lock_phase(session.pk)
        joined = Participant.objects.filter(pk=participant.pk, joined_at__isnull=True).update(
            joined_at=now
        )
        if joined:
            live.changed(session_id=session.pk)
            session.state_version += 1
    participant.joined_at = participant.joined_at or now
    return participant


def _set_done(*, user, session: ReviewSession, done: bool) -> Participant:
    require(user, "reviews.view_session", session)
    participant = session.participant_for(user)
    if participant is None:
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        phase, _ = lock_phase(session.pk)
        if phase != SessionPhase.READING:
            raise IllegalTransition(
                f"Reading progress can only change during the reading: {phase_is(phase)}.",
                code="phase",
            )
        rows = Participant.objects.filter(pk=participant.pk, done_at__isnull=done)
        if done:
            changed = rows.update(done_at=now, joined_at=Coalesce(F("joined_at"), now))
        else:
            changed = rows.update(done_at=None)
        if changed:
            live.changed(session_id=session.pk)
            session.state_version += 1
    participant.refresh_from_db(fields=["done_at", "joined_at"])
    return participant


def participant_mark_done(*, user, session: ReviewSession) -> Participant:
    """ "I'm done reading" (idempotent)."""
    return _set_done(user=user, session=session, done=True)


def participant_mark_reading(*, user, session: ReviewSession) -> Participant:
    """Undo "I'm done reading" (idempotent)."""
    return _set_done(user=user, session=session, done=False)


def session_focus(*, user, session: ReviewSession, comment: Comment | None) -> ReviewSession:
    """Point everyone's discussion view at ``comment`` (a thread of this session), or at none."""
    require(user, "reviews.facilitate_session", session)
    if comment is not None and comment.session_id != session.pk:
        raise ValidationError({"comment": "That comment is not part of this session."})
    with transaction.atomic():
        changed = ReviewSession.objects.filter(pk=session.pk, phase=SessionPhase.DISCUSSION).update(
            focused_comment=comment
        )
        if not changed:
            raise IllegalTransition(
                f"Threads are stepped through in the discussion: "
                f"{phase_is(current_phase(session.pk))}.",
                code="phase",
            )
        live.changed(session_id=session.pk)
    session.focused_comment = comment
    session.state_version += 1
    return session


def session_focus_next(*, user, session: ReviewSession) -> Comment | None:
    """Focus the thread after the current one in document order.

    After the last thread the focus clears (None); "next" again starts over.
    """
    require(user, "reviews.facilitate_session", session)
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
