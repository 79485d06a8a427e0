from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from documents.models import InitiativeStatus
from reviews import tasks
from reviews.models import (
    CommentKind,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
    SessionTransition,
)
from reviews.services.comments import comment_resolve
from reviews.services.common import IllegalTransition
from reviews.services.decisions import initiative_can_be_approved, session_close
from reviews.services.phases import (
    session_end_reading_if_due,
    session_extend,
    session_focus,
    session_focus_next,
    session_start_discussion,
    session_start_reading,
    sessions_end_due_readings,
)
from reviews.services.scheduling import session_cancel, session_reschedule
from tests.reviews.factories import (
    comment,
    discussion_session,
    reading_session,
    scheduled_session,
    team_reviewer,
)
from wbapp.accounts.rules import forget_team_role
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


@pytest.fixture
def enqueued(monkeypatch):
    """The end-of-reading tasks enqueued, as (args, eta), instead of running them."""
    calls = []
    monkeypatch.setattr(
        tasks.end_reading_if_due,
        "apply_async",
        lambda args, eta: calls.append((args, eta)),
    )
    return calls


def transitions(session):
    return list(
        SessionTransition.objects.filter(session=session).values_list(
            "from_phase", "to_phase", "by"
        )
    )


def overdue(session, seconds=1):
    """Move the session's reading end into the past, as if the time had run out."""
    ends_at = timezone.now() - timedelta(seconds=seconds)
    ReviewSession.objects.filter(pk=session.pk).update(reading_ends_at=ends_at)
    session.reading_ends_at = ends_at
    return session


# --- session_start_reading ----------------------------------------------------------------


def test_starting_the_reading_fixes_its_end_on_the_server(cast, enqueued):
    session = scheduled_session(cast, reading_minutes=20)
    before = timezone.now()

    session_start_reading(user=cast.editor, session=session)

    session.refresh_from_db()
    assert session.phase == SessionPhase.READING
    assert before <= session.reading_started_at <= timezone.now()
    assert session.reading_ends_at == session.reading_started_at + timedelta(minutes=20)
    assert transitions(session) == [(SessionPhase.SCHEDULED, SessionPhase.READING, cast.editor.pk)]
    assert Activity.objects.filter(verb=Verb.SESSION_STARTED, actor=cast.editor).count() == 1


def test_the_initiative_goes_in_review_when_the_reading_starts(cast, enqueued):
    session = scheduled_session(cast)
    assert session.initiative.status == InitiativeStatus.DRAFTING

    session_start_reading(user=cast.editor, session=session)

    session.initiative.refresh_from_db()
    assert session.initiative.status == InitiativeStatus.IN_REVIEW


def test_the_timer_task_is_enqueued_for_the_end_time_after_the_commit(
    cast, enqueued, django_capture_on_commit_callbacks
):
    session = scheduled_session(cast)

    with django_capture_on_commit_callbacks() as callbacks:
        session_start_reading(user=cast.editor, session=session)
        assert enqueued == []

    for callback in callbacks:
        callback()
    session.refresh_from_db()
    assert enqueued == [((session.pk,), session.reading_ends_at)]


@pytest.mark.parametrize("role", ["owner", "reviewer"])
def test_only_the_facilitator_starts_the_reading(cast, role, enqueued):
    session = scheduled_session(cast)

    with pytest.raises(PermissionDenied):
        session_start_reading(user=cast.member(role), session=session)

    session.refresh_from_db()
    assert session.phase == SessionPhase.SCHEDULED


def test_a_facilitator_who_left_the_team_cannot_start(cast, enqueued):
    session = scheduled_session(cast, facilitator=cast.reviewer)
    cast.team.memberships.filter(user=cast.reviewer).delete()
    forget_team_role(cast.reviewer, cast.team.pk)

    with pytest.raises(PermissionDenied):
        session_start_reading(user=cast.reviewer, session=session)


def test_the_reading_cannot_start_twice(cast):
    session = reading_session(cast)

    with pytest.raises(IllegalTransition) as error:
        session_start_reading(user=cast.editor, session=session)

    assert error.value.messages == ["The reading cannot start: the session is in its reading."]
    assert len(transitions(session)) == 1


def test_a_stale_page_cannot_start_the_reading_of_a_session_moved_meanwhile(cast):
    session = reading_session(cast)
    stale = ReviewSession.objects.get(pk=session.pk)
    stale.phase = SessionPhase.SCHEDULED  # what the facilitator's old page still believed

    with pytest.raises(IllegalTransition) as error:
        session_start_reading(user=cast.editor, session=stale)

    assert error.value.messages == ["The reading cannot start: the session is in its reading."]


def test_a_cancelled_session_cannot_start(cast):
    session = scheduled_session(cast)
    session_cancel(user=cast.editor, session=session)

    with pytest.raises(IllegalTransition) as error:
        session_start_reading(user=cast.editor, session=session)

    assert "was cancelled" in error.value.messages[0]


def test_reading_cannot_start_with_a_reading_time_changed_meanwhile(cast):
    session = scheduled_session(cast, reading_minutes=20)
    other_copy = ReviewSession.objects.get(pk=session.pk)
    session_reschedule(user=cast.editor, session=other_copy, reading_minutes=40)

    with pytest.raises(IllegalTransition) as error:
        session_start_reading(user=cast.editor, session=session)

    assert "changed meanwhile" in error.value.messages[0]


# --- session_extend ----------------------------------------------------------------------------


def test_the_facilitator_extends_the_reading(cast, enqueued, django_capture_on_commit_callbacks):
    session = reading_session(cast)
    ends_at = session.reading_ends_at
    version = ReviewSession.objects.get(pk=session.pk).state_version
    enqueued.clear()

    with django_capture_on_commit_callbacks(execute=True):
        session_extend(user=cast.editor, session=session, minutes=5)

    session.refresh_from_db()
    assert session.reading_ends_at == ends_at + timedelta(minutes=5)
    assert session.extended_minutes == 5
    assert session.reading_minutes == 20
    assert session.state_version == version + 1
    # A new timer for the new end; the old one will find the reading not yet due.
    assert enqueued == [((session.pk,), session.reading_ends_at)]


def test_extending_adds_up(cast):
    session = reading_session(cast)
    ends_at = session.reading_ends_at

    session_extend(user=cast.editor, session=session, minutes=2)
    session_extend(user=cast.editor, session=session, minutes=10)

    session.refresh_from_db()
    assert session.reading_ends_at == ends_at + timedelta(minutes=12)
    assert session.extended_minutes == 12


def test_a_reading_whose_time_is_up_cannot_be_extended(cast):
    session = overdue(reading_session(cast))

    with pytest.raises(IllegalTransition) as error:
        session_extend(user=cast.editor, session=session, minutes=5)

    assert error.value.messages == ["The reading cannot be extended: its time is already up."]


def test_only_a_reading_can_be_extended(cast):
    session = scheduled_session(cast)

    with pytest.raises(IllegalTransition):
        session_extend(user=cast.editor, session=session, minutes=5)


@pytest.mark.parametrize("minutes", [0, 61, -1])
def test_extension_minutes_are_bounded(cast, minutes):
    session = reading_session(cast)

    with pytest.raises(ValidationError):
        session_extend(user=cast.editor, session=session, minutes=minutes)


def test_a_participant_cannot_extend(cast):
    session = reading_session(cast)

    with pytest.raises(PermissionDenied):
        session_extend(user=cast.reviewer, session=session, minutes=5)


# --- session_end_reading_if_due (the timer) -------------------------------------------------------


def test_the_timer_does_nothing_before_the_end(cast):
    session = reading_session(cast)

    assert session_end_reading_if_due(session_id=session.pk) is False

    session.refresh_from_db()
    assert session.phase == SessionPhase.READING


def test_the_timer_ends_a_due_reading_without_a_user(cast):
    session = overdue(reading_session(cast))

    assert session_end_reading_if_due(session_id=session.pk) is True

    session.refresh_from_db()
    assert session.phase == SessionPhase.DISCUSSION
    assert session.discussion_started_at is not None
    assert transitions(session)[-1] == (SessionPhase.READING, SessionPhase.DISCUSSION, None)
    activity = Activity.objects.get(verb=Verb.SESSION_DISCUSSION)
    assert activity.actor is None
    assert activity.payload["by_timer"] is True


def test_the_timer_is_idempotent(cast):
    session = overdue(reading_session(cast))

    results = [session_end_reading_if_due(session_id=session.pk) for _ in range(3)]

    assert results == [True, False, False]
    assert len(transitions(session)) == 2
    assert Activity.objects.filter(verb=Verb.SESSION_DISCUSSION).count() == 1


def test_the_timer_uses_the_time_it_is_given(cast):
    session = reading_session(cast)

    assert (
        session_end_reading_if_due(
            session_id=session.pk, now=session.reading_ends_at - timedelta(seconds=1)
        )
        is False
    )
    assert session_end_reading_if_due(session_id=session.pk, now=session.reading_ends_at) is True


def test_the_timer_ignores_sessions_that_are_not_reading(cast):
    scheduled = scheduled_session(cast)
    discussed = discussion_session(cast)

    assert session_end_reading_if_due(session_id=scheduled.pk) is False
    assert session_end_reading_if_due(session_id=discussed.pk) is False
    assert session_end_reading_if_due(session_id=999_999) is False


def test_the_sweep_ends_every_due_reading_and_only_those(cast):
    due = [overdue(reading_session(cast)) for _ in range(3)]
    running = reading_session(cast)

    assert sessions_end_due_readings() == 3
    assert sessions_end_due_readings() == 0

    phases = dict(ReviewSession.objects.values_list("pk", "phase"))
    assert {phases[s.pk] for s in due} == {SessionPhase.DISCUSSION}
    assert phases[running.pk] == SessionPhase.READING


# --- session_start_discussion ---------------------------------------------------------------------


def test_the_facilitator_starts_the_discussion_early(cast):
    session = reading_session(cast)

    session_start_discussion(user=cast.editor, session=session)

    session.refresh_from_db()
    assert session.phase == SessionPhase.DISCUSSION
    assert transitions(session)[-1] == (
        SessionPhase.READING,
        SessionPhase.DISCUSSION,
        cast.editor.pk,
    )
    assert session.reading_time_used == session.discussion_started_at - session.reading_started_at


def test_the_reveal_records_the_comments_made_during_the_reading(cast):
    other = team_reviewer(cast)
    session = reading_session(
        cast,
        participants=[(cast.reviewer, "reviewer"), (other, "bar_raiser")],
    )
    first = comment(cast.reviewer, session, section_key="summary")
    second = comment(other, session, section_key="headline")
    assert not Activity.objects.filter(verb=Verb.COMMENT_ADDED).exists()

    session_start_discussion(user=cast.editor, session=session)

    added = Activity.objects.filter(verb=Verb.COMMENT_ADDED).order_by("pk")
    assert [(a.actor, a.payload["comment_id"]) for a in added] == [
        (other, second.pk),
        (cast.reviewer, first.pk),
    ]
    assert {a.payload["session_id"] for a in added} == {session.pk}
    assert {a.initiative for a in added} == {session.initiative}


def test_the_discussion_cannot_start_before_the_reading(cast):
    session = scheduled_session(cast)

    with pytest.raises(IllegalTransition) as error:
        session_start_discussion(user=cast.editor, session=session)

    assert error.value.messages == ["The discussion cannot start: the session has not started yet."]


def test_a_facilitator_losing_to_the_timer_gets_a_clear_refusal(cast):
    session = overdue(reading_session(cast))
    stale = ReviewSession.objects.get(pk=session.pk)
    session_end_reading_if_due(session_id=session.pk)

    with pytest.raises(IllegalTransition) as error:
        session_start_discussion(user=cast.editor, session=stale)

    assert error.value.messages == [
        "The discussion cannot start: the session is already in discussion."
    ]
    assert len(transitions(session)) == 2


def test_only_the_facilitator_starts_the_discussion(cast):
    session = reading_session(cast)

    with pytest.raises(PermissionDenied):
        session_start_discussion(user=cast.owner, session=session)


# --- focus ---------------------------------------------------------------------------------------


def test_the_facilitator_steps_through_the_threads_in_document_order(cast):
    session = reading_session(cast)
    risks = comment(cast.reviewer, session, section_key="s-risks")
    headline = comment(cast.reviewer, session, section_key="headline")
    summary_late = comment(cast.editor, session, section_key="summary", quote="A courier")
    summary_early = comment(cast.editor, session, section_key="summary", quote="Customers")
    session_start_discussion(user=cast.editor, session=session)

    steps = [session_focus_next(user=cast.editor, session=session) for _ in range(6)]

    assert steps == [headline, summary_early, summary_late, risks, None, headline]
    session.refresh_from_db()
    assert session.focused_comment == headline


def test_focus_bumps_the_live_version(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)
    session_start_discussion(user=cast.editor, session=session)
    version = ReviewSession.objects.get(pk=session.pk).state_version

    session_focus(user=cast.editor, session=session, comment=thread)

    session.refresh_from_db()
    assert session.focused_comment == thread
    assert session.state_version == version + 1


def test_focus_is_only_for_threads_of_the_session_and_only_in_discussion(cast):
    session = reading_session(cast)
    mine = comment(cast.reviewer, session)
    elsewhere = comment(cast.reviewer, session.revision)

    with pytest.raises(IllegalTransition):
        session_focus(user=cast.editor, session=session, comment=mine)

    session_start_discussion(user=cast.editor, session=session)
    with pytest.raises(ValidationError):
        session_focus(user=cast.editor, session=session, comment=elsewhere)


def test_only_the_facilitator_moves_the_focus(cast):
    session = discussion_session(cast)

    with pytest.raises(PermissionDenied):
        session_focus_next(user=cast.reviewer, session=session)


# --- session_close --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (SessionOutcome.APPROVED, InitiativeStatus.APPROVED),
        (SessionOutcome.ITERATE, InitiativeStatus.DRAFTING),
        (SessionOutcome.SHELVED, InitiativeStatus.SHELVED),
    ],
)
def test_closing_records_the_outcome_and_the_initiative_status_follows(cast, outcome, status):
    session = discussion_session(cast)

    session_close(
        user=cast.editor, session=session, outcome=outcome, decision_notes="Sharpen the *quote*."
    )

    session.refresh_from_db()
    assert session.phase == SessionPhase.CLOSED
    assert session.outcome == outcome
    assert session.decision_notes == "Sharpen the *quote*."
    assert session.decision_html == "<p>Sharpen the <em>quote</em>.</p>"
    assert session.closed_at is not None
    session.initiative.refresh_from_db()
    assert session.initiative.status == status
    activity = Activity.objects.get(verb=Verb.DECISION_RECORDED)
    assert activity.payload["outcome"] == outcome
    assert transitions(session)[-1] == (
        SessionPhase.DISCUSSION,
        SessionPhase.CLOSED,
        cast.editor.pk,
    )


def test_decision_notes_cannot_inject_script(cast):
    session = discussion_session(cast)

    session_close(
        user=cast.editor,
        session=session,
        outcome="iterate",
        decision_notes="<script>alert(1)</script> [x](javascript:alert(1))",
    )

    session.refresh_from_db()
    assert "<script" not in session.decision_html
    assert 'href="javascript' not in session.decision_html


def test_approval_is_refused_while_a_blocker_is_open(cast):
    session = reading_session(cast)
    blocker = comment(cast.reviewer, session, kind=CommentKind.BLOCKER)
    session_start_discussion(user=cast.editor, session=session)

    with pytest.raises(ValidationError) as error:
        session_close(user=cast.editor, session=session, outcome="approved")

    assert error.value.message_dict["outcome"] == [
        "1 blocker is not resolved yet: resolve them before approving."
    ]
    session.refresh_from_db()
    assert session.phase == SessionPhase.DISCUSSION
    assert len(transitions(session)) == 2

    comment_resolve(user=cast.reviewer, comment=blocker)
    session_close(user=cast.editor, session=session, outcome="approved")
    session.refresh_from_db()
    assert session.outcome == SessionOutcome.APPROVED


def test_an_open_blocker_does_not_stop_iterating_or_shelving(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, kind=CommentKind.BLOCKER)
    session_start_discussion(user=cast.editor, session=session)

    session_close(user=cast.editor, session=session, outcome="shelved")

    session.refresh_from_db()
    assert session.outcome == SessionOutcome.SHELVED


def test_initiative_can_be_approved_counts_only_open_revealed_blockers(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, kind=CommentKind.CONCERN)
    assert initiative_can_be_approved(session.initiative, session=session) == (True, "")
    asynchronous = comment(cast.reviewer, session.revision, kind=CommentKind.BLOCKER)

    allowed, reason = initiative_can_be_approved(session.initiative, session=session)

    assert not allowed
    assert reason.startswith("1 blocker")
    comment_resolve(user=cast.reviewer, comment=asynchronous)
    assert initiative_can_be_approved(session.initiative, session=session) == (True, "")


def test_an_unknown_outcome_is_refused(cast):
    session = discussion_session(cast)

    with pytest.raises(ValidationError):
        session_close(user=cast.editor, session=session, outcome="maybe")


def test_a_session_closes_only_from_the_discussion(cast):
    session = reading_session(cast)

    with pytest.raises(IllegalTransition) as error:
        session_close(user=cast.editor, session=session, outcome="iterate")

    assert error.value.messages == ["The session cannot be closed: the session is in its reading."]


def test_a_closed_session_stays_closed(cast):
    session = discussion_session(cast)
    session_close(user=cast.editor, session=session, outcome="iterate")

    with pytest.raises(IllegalTransition) as error:
        session_close(user=cast.editor, session=session, outcome="approved")

    assert error.value.messages == ["The session cannot be closed: the session is closed."]


def test_only_the_facilitator_closes(cast):
    session = discussion_session(cast)

    with pytest.raises(PermissionDenied):
        session_close(user=cast.owner, session=session, outcome="approved")


def test_every_transition_of_a_session_is_recorded_in_order(cast):
    session = discussion_session(cast)
    session_close(user=cast.editor, session=session, outcome="iterate")

    assert [(t[0], t[1]) for t in transitions(session)] == [
        (SessionPhase.SCHEDULED, SessionPhase.READING),
        (SessionPhase.READING, SessionPhase.DISCUSSION),
        (SessionPhase.DISCUSSION, SessionPhase.CLOSED),
    ]
