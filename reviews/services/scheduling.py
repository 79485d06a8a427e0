"""Scheduling a review session: schedule, reschedule and cancel it before the reading."""

import math
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from documents.models import Revision
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record
from wbapp.dates import check_moment

from .. import live
from ..models import (
    Participant,
    ParticipantRole,
    ReviewSession,
    SessionPhase,
)
from .common import (
    IllegalTransition,
    check_member_ids,
    iteration_payload,
    lock_phase,
    phase_is,
    require,
    session_payload,
    transition,
)

READING_WORDS_PER_MINUTE = 150


MIN_READING_MINUTES = 1


MAX_READING_MINUTES = 240


# A start time a few minutes in the past is a form filled in slowly, not a mistake.
START_TIME_GRACE = timedelta(minutes=5)


TITLE_MAX = ReviewSession._meta.get_field("title").max_length


def suggested_reading_minutes(word_count: int) -> int:
    """Minutes to read ``word_count`` words carefully (150 a minute), up to a multiple of 5."""
    minutes = math.ceil(max(word_count, 0) / READING_WORDS_PER_MINUTE)
    return max(5, math.ceil(minutes / 5) * 5)


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
    # Before the past check: year 1 is out of range, not merely past.
    check_moment(starts_at, now=now, field="starts_at")
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
        check_member_ids(team, seen, "participants", "Only members of the team can be invited.")
    return participants


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
    require(user, "reviews.schedule_session", initiative)
    now = timezone.now()
    title = _clean_title(title)
    _check_starts_at(starts_at, now)
    _check_reading_minutes(reading_minutes)
    check_member_ids(
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
            **session_payload(session),
            **iteration_payload(revision.pk),
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
    require(user, "reviews.manage_session", session)
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
        check_member_ids(
            team, {facilitator.pk}, "facilitator", "The facilitator must be a team member."
        )
        changes["facilitator"] = facilitator
    if participants is not None:
        participants = _clean_participants(team, participants)
    with transaction.atomic():
        # Only before the reading starts; the row lock keeps "Start reading" out until we commit.
        phase, _ = lock_phase(session.pk)
        if phase != SessionPhase.SCHEDULED:
            raise IllegalTransition(
                f"The session cannot be rescheduled: {phase_is(phase)}.", code="phase"
            )
        invited, uninvited, roles_changed = [], [], []
        if participants is not None:
            invited, uninvited, roles_changed = _replace_participants(session, participants, now)
            session.forget_participants()
        if not (changes or invited or uninvited or roles_changed):
            return session
        if changes:
            ReviewSession.objects.filter(pk=session.pk).update(**changes)
        live.changed(session_id=session.pk)
        for name, value in changes.items():
            setattr(session, name, value)
        session.state_version += 1
        activity_record(
            team=team,
            actor=user,
            verb=Verb.SESSION_RESCHEDULED,
            initiative=session.initiative,
            **session_payload(session),
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
    require(user, "reviews.manage_session", session)
    now = timezone.now()
    with transaction.atomic():
        transition(
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
            **session_payload(session),
        )
    return session
