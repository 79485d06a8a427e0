"""What the review services share: permission checks, the phase lock, guarded transitions.

Phase transitions are one function each. The current phase is checked in the
database by the UPDATE itself (``… WHERE phase = 'reading'``): when two moves race
(the facilitator's "Start discussion" and the reading timer, or two clicks),
PostgreSQL lets one UPDATE through, the other finds the phase changed and matches
no row, and its caller gets IllegalTransition. Every successful move writes a
SessionTransition.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q

from documents.models import DocumentKind, Revision
from wbapp.accounts.models import Membership
from wbapp.accounts.rules import is_reviewer

from .. import live, mentions
from ..models import (
    FINISHED_PHASES,
    PRIVATE_PHASES,
    Comment,
    ReviewSession,
    SessionPhase,
    SessionTransition,
)


class IllegalTransition(ValidationError):
    """The session's phase does not allow this move (or another move just won the race)."""


MAX_BODY_CHARS = 10_000


def require(user, perm: str, obj) -> None:
    if not user.has_perm(perm, obj):
        raise PermissionDenied


def phase_is(phase: str) -> str:
    return {
        SessionPhase.SCHEDULED: "the session has not started yet",
        SessionPhase.READING: "the session is in its reading",
        SessionPhase.DISCUSSION: "the session is already in discussion",
        SessionPhase.CLOSED: "the session is closed",
        SessionPhase.CANCELLED: "the session was cancelled",
        None: "the session no longer exists",
    }[phase]


def current_phase(session_id: int) -> str | None:
    return ReviewSession.objects.filter(pk=session_id).values_list("phase", flat=True).first()


def lock_phase(session_id: int) -> tuple[str, datetime | None]:
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


def revealed(session_id: int | None, phase: str | None) -> int | None:
    """The session whose open pages may hear of a change to its threads: in its discussion.

    Before it (the reading) a thread's change is its author's alone; after it (the
    record) nothing changes any more. For ``live.changed(session_id=...)``.
    """
    return session_id if phase == SessionPhase.DISCUSSION else None


def transition(
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
        raise IllegalTransition(f"{action}: {phase_is(session.phase)}.", code="phase")
    condition = Q(pk=session.pk, phase=from_phase)
    if guard is not None:
        condition &= guard
    moved = ReviewSession.objects.filter(condition).update(phase=to_phase, **fields)
    if not moved:
        current = current_phase(session.pk)
        if current == from_phase:
            raise IllegalTransition(
                f"{action}: the session changed meanwhile; reload the page.", code="stale"
            )
        raise IllegalTransition(f"{action}: {phase_is(current)}.", code="phase")
    SessionTransition.objects.create(
        session_id=session.pk, from_phase=from_phase, to_phase=to_phase, by=by, at=now
    )
    live.changed(session_id=session.pk)
    session.phase = to_phase
    session.state_version += 1
    for name, value in fields.items():
        setattr(session, name, value)


@contextmanager
def as_it_was_if_refused(*rows) -> Iterator[None]:
    """Put ``rows``' fields back as they were when the block raises.

    ``transition()`` moves the caller's object along with the row; when a later
    step of the same transaction refuses (an approval with a blocker open), the
    rollback undoes the row but not the object, and a view that shows the page
    again with it would show what was never saved. Wrap the ``transaction.atomic``.
    """
    saved = [
        (row, {f.attname: getattr(row, f.attname) for f in row._meta.concrete_fields})
        for row in rows
    ]
    try:
        yield
    except BaseException:
        for row, fields in saved:
            for name, value in fields.items():
                setattr(row, name, value)
        raise


def iteration_payload(revision_id: int) -> dict:
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


def session_payload(session: ReviewSession) -> dict:
    return {"session_id": session.pk, "session_title": session.title}


def check_member_ids(team, user_ids: set[int], field: str, message: str) -> None:
    members = set(
        Membership.objects.filter(team=team, user_id__in=user_ids).values_list("user_id", flat=True)
    )
    if members != user_ids:
        raise ValidationError({field: message}, code="not_member")


def clean_body(body: str, field: str = "body", limit: int = MAX_BODY_CHARS) -> str:
    """The text stripped; at most ``limit`` characters as the writer sees it.

    A name chosen from the picker is stored as its longer token ("@[Maya Lee](user:42)")
    but counts as the "@Maya Lee" the box showed.
    """
    body = (body or "").strip()
    if not body:
        raise ValidationError({field: "Write something first."}, code="required")
    if len(body) > limit * 20 or len(mentions.plain_text(body)) > limit:
        raise ValidationError({field: f"At most {limit:,} characters."}, code="max_length")
    return body


def comment_session_phase(comment: Comment) -> str | None:
    """Lock the comment's session (if any) and return its phase (call inside a transaction)."""
    if comment.session_id is None:
        return None
    phase, _ = lock_phase(comment.session_id)
    return phase


def require_open_thread(phase: str | None, action: str) -> None:
    """Threads take replies, +1s, resolutions and action items once revealed, until closed."""
    if phase in PRIVATE_PHASES:
        raise IllegalTransition(f"{action} once the discussion starts.", code="private")
    if phase in FINISHED_PHASES:
        raise IllegalTransition(
            f"{action} no more: the session is over and its record is read-only.",
            code="finished",
        )


def may_discuss(user, comment: Comment) -> bool:
    """Team reviewers and up, and anyone who may comment in the comment's session."""
    if is_reviewer(user, comment.initiative.team):
        return True
    return comment.session_id is not None and user.has_perm(
        "reviews.comment_in_session", comment.session
    )


def require_visible(user, comment: Comment) -> None:
    if not Comment.objects.visible_to(user).filter(pk=comment.pk).exists():
        raise PermissionDenied
