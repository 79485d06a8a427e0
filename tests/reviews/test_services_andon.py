"""The Andon cord: who pulls and resets it, one active pull, and approval refused while pulled."""

import threading
import time

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, connections, transaction

from documents.models import Initiative, InitiativeStatus
from reviews.models import AndonPull, CommentKind, CommentStatus, SessionOutcome, SessionPhase
from reviews.services import decisions
from reviews.services.comments import comment_resolve
from reviews.services.decisions import (
    andon_pull,
    andon_reset,
    initiative_set_status,
    session_close,
)
from tests.documents.factories import InitiativeFactory
from tests.reviews.factories import comment, discussion_session, revision_for
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def initiative_of(cast):
    return InitiativeFactory(team=cast.team, owner=cast.editor)


def pull(cast, initiative, who="reviewer", reason="Legal has not seen the refund promise"):
    return andon_pull(user=cast.member(who), initiative=initiative, reason=reason)


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer"])
def test_reviewers_editors_and_owners_pull_the_cord(cast, role):
    initiative = initiative_of(cast)
    result = pull(cast, initiative, role)
    assert result.is_active
    assert result.pulled_by == cast.member(role)
    assert AndonPull.objects.active().get(initiative=initiative) == result


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_pull_it(cast, role):
    initiative = initiative_of(cast)
    with pytest.raises(PermissionDenied):
        pull(cast, initiative, role)
    assert not AndonPull.objects.exists()


def test_a_pull_needs_a_reason(cast):
    with pytest.raises(ValidationError) as error:
        pull(cast, initiative_of(cast), reason="   ")
    assert "reason" in error.value.message_dict


def test_a_second_pull_while_pulled_is_refused_with_a_clear_message(cast):
    initiative = initiative_of(cast)
    pull(cast, initiative)
    with pytest.raises(ValidationError) as error:
        pull(cast, initiative, "editor", reason="Another concern")
    assert error.value.code == "already_pulled"
    assert error.value.messages == ["The Andon cord is already pulled on this initiative."]
    assert AndonPull.objects.filter(initiative=initiative).count() == 1


def test_the_database_allows_one_active_pull_per_initiative(cast):
    initiative = initiative_of(cast)
    pull(cast, initiative)
    with pytest.raises(IntegrityError), transaction.atomic():
        AndonPull.objects.create(initiative=initiative, pulled_by=cast.owner, reason="Again")


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_and_owners_reset_it_with_a_resolution(cast, role):
    initiative = initiative_of(cast)
    pulled = pull(cast, initiative)
    reset = andon_reset(
        user=cast.member(role), initiative=initiative, resolution="Legal signed off"
    )
    assert reset.pk == pulled.pk
    reset.refresh_from_db()
    assert (reset.reset_by, reset.resolution) == (cast.member(role), "Legal signed off")
    assert reset.reset_at is not None and not reset.is_active


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_reviewers_viewers_and_outsiders_cannot_reset_it(cast, role):
    initiative = initiative_of(cast)
    pull(cast, initiative)
    with pytest.raises(PermissionDenied):
        andon_reset(user=cast.member(role), initiative=initiative, resolution="Fine")
    assert AndonPull.objects.active().filter(initiative=initiative).exists()


def test_a_reset_needs_a_resolution(cast):
    initiative = initiative_of(cast)
    pull(cast, initiative)
    with pytest.raises(ValidationError) as error:
        andon_reset(user=cast.editor, initiative=initiative, resolution="")
    assert "resolution" in error.value.message_dict
    assert AndonPull.objects.active().filter(initiative=initiative).exists()


def test_resetting_a_cord_that_is_not_pulled_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        andon_reset(user=cast.editor, initiative=initiative_of(cast), resolution="x")
    assert error.value.code == "not_pulled"


def test_the_history_keeps_every_pull_and_reset(cast):
    initiative = initiative_of(cast)
    pull(cast, initiative, reason="First")
    andon_reset(user=cast.editor, initiative=initiative, resolution="Fixed one")
    pull(cast, initiative, "owner", reason="Second")
    history = list(AndonPull.objects.filter(initiative=initiative))
    assert [p.reason for p in history] == ["Second", "First"]
    assert [p.is_active for p in history] == [True, False]
    assert history[1].resolution == "Fixed one"


def test_pull_and_reset_are_recorded_for_the_followers_and_the_puller(cast):
    initiative = initiative_of(cast)
    pulled = pull(cast, initiative)
    andon_reset(user=cast.editor, initiative=initiative, resolution="Signed off")
    pulled_event, reset_event = Activity.objects.filter(initiative=initiative).order_by("pk")
    assert pulled_event.verb == Verb.ANDON_PULLED
    assert pulled_event.actor == cast.reviewer
    assert pulled_event.payload == {
        "pull_id": pulled.pk,
        "reason": "Legal has not seen the refund promise",
    }
    assert reset_event.verb == Verb.ANDON_RESET
    assert reset_event.payload["pulled_by_id"] == cast.reviewer.pk
    assert reset_event.payload["resolution"] == "Signed off"


# --- Approval refused while pulled ---------------------------------------------------------


def test_a_session_cannot_close_approved_while_the_cord_is_pulled(cast):
    session = discussion_session(cast)
    pull(cast, session.initiative)
    with pytest.raises(ValidationError) as error:
        session_close(user=cast.editor, session=session, outcome=SessionOutcome.APPROVED)
    assert "Andon cord is pulled" in error.value.message_dict["outcome"][0]
    session.refresh_from_db()
    assert session.phase == SessionPhase.DISCUSSION
    assert Initiative.objects.get(pk=session.initiative_id).status != InitiativeStatus.APPROVED


def test_a_refused_close_leaves_the_session_in_memory_as_it_was(cast):
    # The view shows the page again with this very object: a refusal must not have
    # closed it in memory while the transaction that closed it rolled back.
    session = discussion_session(cast)
    pull(cast, session.initiative)
    before = {f.attname: getattr(session, f.attname) for f in session._meta.concrete_fields}
    with pytest.raises(ValidationError):
        session_close(
            user=cast.editor, session=session, outcome=SessionOutcome.APPROVED, decision_notes="Go"
        )
    after = {f.attname: getattr(session, f.attname) for f in session._meta.concrete_fields}
    assert after == before
    assert session.phase == SessionPhase.DISCUSSION and session.outcome == ""
    assert session.initiative.status != InitiativeStatus.APPROVED


def test_after_the_reset_the_session_closes_approved(cast):
    session = discussion_session(cast)
    pull(cast, session.initiative)
    andon_reset(user=cast.editor, initiative=session.initiative, resolution="Fixed")
    session_close(user=cast.editor, session=session, outcome=SessionOutcome.APPROVED)
    assert Initiative.objects.get(pk=session.initiative_id).status == InitiativeStatus.APPROVED


def test_a_pulled_cord_does_not_stop_iterate_or_shelve(cast):
    session = discussion_session(cast)
    pull(cast, session.initiative)
    session_close(user=cast.editor, session=session, outcome=SessionOutcome.ITERATE)
    assert Initiative.objects.get(pk=session.initiative_id).status == InitiativeStatus.DRAFTING


def test_a_direct_status_change_to_approved_is_refused_while_pulled(cast):
    initiative = initiative_of(cast)
    pull(cast, initiative)
    with pytest.raises(ValidationError) as error:
        initiative_set_status(
            user=cast.editor, initiative=initiative, status=InitiativeStatus.APPROVED
        )
    assert "Andon cord is pulled" in error.value.message_dict["status"][0]
    assert Initiative.objects.get(pk=initiative.pk).status == InitiativeStatus.DRAFTING
    andon_reset(user=cast.owner, initiative=initiative, resolution="Resolved")
    initiative_set_status(user=cast.editor, initiative=initiative, status=InitiativeStatus.APPROVED)
    assert Initiative.objects.get(pk=initiative.pk).status == InitiativeStatus.APPROVED


def test_an_addressed_blocker_still_refuses_approval_until_resolved(cast):
    session = discussion_session(cast)
    blocker = comment(cast.reviewer, session, kind=CommentKind.BLOCKER)
    type(blocker).objects.filter(pk=blocker.pk).update(status=CommentStatus.ADDRESSED)
    with pytest.raises(ValidationError) as error:
        session_close(user=cast.editor, session=session, outcome=SessionOutcome.APPROVED)
    assert "1 blocker is not resolved yet" in error.value.message_dict["outcome"][0]
    comment_resolve(user=cast.reviewer, comment=blocker)
    session.refresh_from_db()
    session_close(user=cast.editor, session=session, outcome=SessionOutcome.APPROVED)


def test_a_direct_approval_counts_asynchronous_blockers_too(cast):
    revision = revision_for(cast)
    blocker = comment(cast.reviewer, revision, kind=CommentKind.BLOCKER)
    initiative = revision.document.initiative
    with pytest.raises(ValidationError):
        initiative_set_status(
            user=cast.editor, initiative=initiative, status=InitiativeStatus.APPROVED
        )
    comment_resolve(user=cast.reviewer, comment=blocker)
    initiative_set_status(user=cast.editor, initiative=initiative, status=InitiativeStatus.APPROVED)
    assert Initiative.objects.get(pk=initiative.pk).status == InitiativeStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_an_approval_racing_a_pull_waits_for_it_and_is_refused(cast):
    """The pull holds the initiative's row lock until it commits; the approval waits for it.

    Without the lock the approval would not see the uncommitted pull and would
    approve an initiative whose cord was being pulled.
    """
    initiative = initiative_of(cast)
    results = {}

    def pull_and_hold():
        try:
            with transaction.atomic():
                pull(cast, initiative)
                # Commit only once the approval is blocked on our lock.
                results["approval_waited"] = _another_backend_waits_for_a_lock()
        finally:
            connections.close_all()

    def approve():
        try:
            started.wait(timeout=WAIT_SECONDS)
            initiative_set_status(
                user=cast.editor, initiative=initiative, status=InitiativeStatus.APPROVED
            )
            results["approval"] = "approved"
        except ValidationError as error:
            results["approval"] = error.message_dict["status"][0]
        finally:
            connections.close_all()

    started = threading.Event()
    holder = threading.Thread(target=pull_and_hold)
    approver = threading.Thread(target=approve)
    original_lock = decisions._lock_initiative

    def lock_then_signal(target):
        status = original_lock(target)
        if threading.current_thread() is holder:
            started.set()
        return status

    decisions._lock_initiative = lock_then_signal
    try:
        holder.start()
        approver.start()
        holder.join()
        approver.join()
    finally:
        decisions._lock_initiative = original_lock
    assert results["approval_waited"]
    assert "Andon cord is pulled" in results["approval"]
    assert Initiative.objects.get(pk=initiative.pk).status == InitiativeStatus.DRAFTING


WAIT_SECONDS = 10


def _another_backend_waits_for_a_lock() -> bool:
    """Poll (bounded) until another connection waits on a lock; False if none did."""
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0] > 0:
                return True
        time.sleep(0.01)
    return False
