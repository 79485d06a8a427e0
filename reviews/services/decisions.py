"""Decisions: a session's outcome, the initiative's status and the Andon cord that stops it."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from documents.models import Initiative, InitiativeStatus
from documents.rendering import render_markdown
from documents.services.common import touch_initiative
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from ..models import (
    REVEALED_PHASES,
    AndonPull,
    Comment,
    CommentKind,
    CommentStatus,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
)
from .carry import carry_to_latest
from .common import (
    as_it_was_if_refused,
    iteration_payload,
    require,
    session_payload,
    transition,
)

MAX_DECISION_CHARS = 20_000


# The initiative's status after a session closes with each outcome.
STATUS_AFTER = {
    SessionOutcome.APPROVED: InitiativeStatus.APPROVED,
    SessionOutcome.ITERATE: InitiativeStatus.DRAFTING,
    SessionOutcome.SHELVED: InitiativeStatus.SHELVED,
}


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
    require(user, "reviews.facilitate_session", session)
    if outcome not in SessionOutcome.values:
        raise ValidationError({"outcome": "Choose approved, iterate or shelved."}, code="outcome")
    decision_notes = (decision_notes or "").strip()
    if len(decision_notes) > MAX_DECISION_CHARS:
        raise ValidationError(
            {"decision_notes": f"At most {MAX_DECISION_CHARS:,} characters."}, code="max_length"
        )
    now = timezone.now()
    initiative = session.initiative
    # A refusal (an approval with a blocker open) rolls the transaction back: the
    # session and initiative in memory go back with it (the view shows them again).
    with as_it_was_if_refused(session, initiative), transaction.atomic():
        transition(
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
        carry_to_latest(
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
            **session_payload(session),
            **iteration_payload(session.revision_id),
            outcome=outcome,
            decision_notes=decision_notes[:500],
        )
    return session


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
    require(user, "reviews.pull_andon", initiative)
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
    require(user, "reviews.reset_andon", initiative)
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
    require(user, "reviews.change_initiative_status", initiative)
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
