from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reviews.models import Participant, ParticipantRole, ReviewSession, SessionPhase
from reviews.services.common import IllegalTransition
from reviews.services.scheduling import (
    session_cancel,
    session_reschedule,
    session_schedule,
    suggested_reading_minutes,
)
from tests.dates_cases import RANGE, VIEW_ZONES, moments_out_of_range
from tests.factories import UserFactory
from tests.reviews.factories import (
    reading_session,
    revision_for,
    scheduled_session,
    team_reviewer,
)
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def in_hours(hours: float):
    return timezone.now() + timedelta(hours=hours)


# --- suggested_reading_minutes ------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "minutes"),
    [(0, 5), (1, 5), (750, 5), (751, 10), (1500, 10), (1501, 15), (3000, 20), (10_000, 70)],
)
def test_reading_time_is_suggested_at_150_words_a_minute_rounded_up_to_5(words, minutes):
    assert suggested_reading_minutes(words) == minutes


# --- session_schedule ----------------------------------------------------------------------


def test_editor_schedules_a_review_of_one_iteration(cast):
    revision = revision_for(cast)
    starts_at = in_hours(24)

    session = session_schedule(
        user=cast.editor,
        revision=revision,
        title="  First review  ",
        starts_at=starts_at,
        reading_minutes=15,
        facilitator=cast.owner,
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (cast.viewer, ParticipantRole.OBSERVER),
        ],
    )

    session.refresh_from_db()
    assert session.phase == SessionPhase.SCHEDULED
    assert session.title == "First review"
    assert session.revision == revision
    assert session.document == revision.document
    assert session.initiative == revision.document.initiative
    assert session.starts_at == starts_at
    assert session.reading_minutes == 15
    assert session.facilitator == cast.owner
    assert session.created_by == cast.editor
    assert session.reading_ends_at is None
    assert {(p.user, p.role) for p in session.participants.all()} == {
        (cast.reviewer, ParticipantRole.REVIEWER),
        (cast.viewer, ParticipantRole.OBSERVER),
    }
    assert not session.participants.filter(joined_at__isnull=False).exists()


def test_invitees_get_an_activity_event(cast):
    bar_raiser = team_reviewer(cast)

    session = scheduled_session(
        cast,
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (bar_raiser, ParticipantRole.BAR_RAISER),
        ],
    )

    activity = Activity.objects.get(verb=Verb.SESSION_SCHEDULED)
    assert activity.actor == cast.editor
    assert activity.team == cast.team
    assert activity.initiative == session.initiative
    assert activity.payload["session_id"] == session.pk
    assert activity.payload["participant_ids"] == [cast.reviewer.pk, bar_raiser.pk]
    assert activity.payload["number"] == session.revision.number
    assert activity.payload["starts_at"] == session.starts_at.isoformat()


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_and_owners_may_schedule(cast, role):
    revision = revision_for(cast)

    session = session_schedule(
        user=cast.member(role),
        revision=revision,
        title="Review",
        starts_at=in_hours(1),
        reading_minutes=10,
        facilitator=cast.member(role),
    )

    assert session.pk is not None


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_reviewers_viewers_and_outsiders_may_not_schedule(cast, role):
    revision = revision_for(cast)

    with pytest.raises(PermissionDenied):
        session_schedule(
            user=cast.member(role),
            revision=revision,
            title="Review",
            starts_at=in_hours(1),
            reading_minutes=10,
            facilitator=cast.editor,
        )

    assert not ReviewSession.objects.exists()


def test_participants_must_be_team_members(cast):
    with pytest.raises(ValidationError) as error:
        scheduled_session(cast, participants=[(cast.outsider, ParticipantRole.REVIEWER)])

    assert "participants" in error.value.message_dict
    assert not ReviewSession.objects.exists()


def test_the_facilitator_must_be_a_team_member(cast):
    with pytest.raises(ValidationError) as error:
        scheduled_session(cast, facilitator=cast.outsider)

    assert "facilitator" in error.value.message_dict


def test_nobody_is_invited_twice(cast):
    with pytest.raises(ValidationError) as error:
        scheduled_session(
            cast,
            participants=[
                (cast.reviewer, ParticipantRole.REVIEWER),
                (cast.reviewer, ParticipantRole.OBSERVER),
            ],
        )

    assert "twice" in error.value.message_dict["participants"][0]


def test_an_unknown_participant_role_is_refused(cast):
    with pytest.raises(ValidationError):
        scheduled_session(cast, participants=[(cast.reviewer, "chair")])


@pytest.mark.parametrize("minutes", [0, 241, -5])
def test_reading_minutes_out_of_range_are_refused(cast, minutes):
    with pytest.raises(ValidationError) as error:
        scheduled_session(cast, reading_minutes=minutes)

    assert "reading_minutes" in error.value.message_dict


def test_a_naive_start_time_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        scheduled_session(cast, starts_at=timezone.now().replace(tzinfo=None))

    assert "starts_at" in error.value.message_dict


def test_a_start_time_in_the_past_is_refused_but_a_few_minutes_ago_is_fine(cast):
    with pytest.raises(ValidationError) as error:
        scheduled_session(cast, starts_at=in_hours(-1))
    assert error.value.message_dict["starts_at"] == ["The start time is in the past."]

    session = scheduled_session(cast, starts_at=timezone.now() - timedelta(minutes=2))

    assert session.pk is not None


@pytest.mark.parametrize("zone_name", VIEW_ZONES)
def test_a_start_out_of_range_is_refused_in_any_zone_and_nothing_is_stored(cast, zone_name):
    for starts_at in moments_out_of_range(zone_name):
        with pytest.raises(ValidationError) as error:
            scheduled_session(cast, starts_at=starts_at)

        assert error.value.message_dict["starts_at"][0].startswith(RANGE), starts_at
    assert not ReviewSession.objects.exists()
    assert not Activity.objects.filter(verb=Verb.SESSION_SCHEDULED).exists()


def test_a_title_is_required(cast):
    with pytest.raises(ValidationError) as error:
        scheduled_session(cast, title="   ")

    assert "title" in error.value.message_dict


# --- session_reschedule ----------------------------------------------------------------------


def test_the_facilitator_reschedules_before_the_start(cast):
    session = scheduled_session(cast)
    new_time = in_hours(48)
    version = session.state_version

    session_reschedule(
        user=cast.editor, session=session, starts_at=new_time, reading_minutes=30, title="Moved"
    )

    session.refresh_from_db()
    assert (session.starts_at, session.reading_minutes, session.title) == (new_time, 30, "Moved")
    assert session.state_version == version + 1
    activity = Activity.objects.get(verb=Verb.SESSION_RESCHEDULED)
    assert activity.payload["changed"] == ["reading_minutes", "starts_at", "title"]


@pytest.mark.parametrize("zone_name", VIEW_ZONES)
def test_rescheduling_out_of_range_is_refused_and_changes_nothing(cast, zone_name):
    session = scheduled_session(cast)
    before = (session.starts_at, session.state_version)

    for starts_at in moments_out_of_range(zone_name):
        with pytest.raises(ValidationError) as error:
            session_reschedule(user=cast.editor, session=session, starts_at=starts_at)

        assert error.value.message_dict["starts_at"][0].startswith(RANGE), starts_at
    session.refresh_from_db()
    assert (session.starts_at, session.state_version) == before
    assert not Activity.objects.filter(verb=Verb.SESSION_RESCHEDULED).exists()


def test_rescheduling_replaces_the_invitation_list(cast):
    stays, goes, comes = team_reviewer(cast), team_reviewer(cast), team_reviewer(cast)
    session = scheduled_session(
        cast,
        participants=[(stays, ParticipantRole.REVIEWER), (goes, ParticipantRole.REVIEWER)],
    )

    session_reschedule(
        user=cast.editor,
        session=session,
        participants=[(stays, ParticipantRole.BAR_RAISER), (comes, ParticipantRole.OBSERVER)],
    )

    assert {(p.user, p.role) for p in Participant.objects.filter(session=session)} == {
        (stays, ParticipantRole.BAR_RAISER),
        (comes, ParticipantRole.OBSERVER),
    }
    activity = Activity.objects.get(verb=Verb.SESSION_RESCHEDULED)
    assert activity.payload["invited_ids"] == [comes.pk]
    assert activity.payload["uninvited_ids"] == [goes.pk]


def test_rescheduling_to_the_same_values_changes_nothing(cast):
    session = scheduled_session(cast)
    version = session.state_version

    session_reschedule(
        user=cast.editor,
        session=session,
        starts_at=session.starts_at,
        participants=[(cast.reviewer, ParticipantRole.REVIEWER)],
    )

    session.refresh_from_db()
    assert session.state_version == version
    assert not Activity.objects.filter(verb=Verb.SESSION_RESCHEDULED).exists()


def test_team_editors_may_reschedule_a_session_someone_else_facilitates(cast):
    session = scheduled_session(cast, facilitator=cast.reviewer)

    session_reschedule(user=cast.owner, session=session, reading_minutes=25)
    session_reschedule(user=cast.reviewer, session=session, reading_minutes=35)

    session.refresh_from_db()
    assert session.reading_minutes == 35


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_others_may_not_reschedule(cast, role):
    session = scheduled_session(cast)

    with pytest.raises(PermissionDenied):
        session_reschedule(user=cast.member(role), session=session, reading_minutes=5)


def test_a_started_session_cannot_be_rescheduled(cast):
    session = reading_session(cast)

    with pytest.raises(IllegalTransition) as error:
        session_reschedule(user=cast.editor, session=session, starts_at=in_hours(2))

    assert error.value.messages == [
        "The session cannot be rescheduled: the session is in its reading."
    ]


def test_rescheduled_participants_must_be_members(cast):
    session = scheduled_session(cast)

    with pytest.raises(ValidationError):
        session_reschedule(
            user=cast.editor,
            session=session,
            participants=[(UserFactory(), ParticipantRole.REVIEWER)],
        )


# --- session_cancel -------------------------------------------------------------------------------


def test_a_scheduled_session_is_cancelled_with_a_record(cast):
    session = scheduled_session(cast)

    session_cancel(user=cast.editor, session=session)

    session.refresh_from_db()
    assert session.phase == SessionPhase.CANCELLED
    assert session.cancelled_at is not None
    [transition] = session.transitions.all()
    assert (transition.from_phase, transition.to_phase, transition.by) == (
        SessionPhase.SCHEDULED,
        SessionPhase.CANCELLED,
        cast.editor,
    )
    assert Activity.objects.filter(verb=Verb.SESSION_CANCELLED).count() == 1


def test_a_started_session_cannot_be_cancelled(cast):
    session = reading_session(cast)

    with pytest.raises(IllegalTransition) as error:
        session_cancel(user=cast.editor, session=session)

    assert "cannot be cancelled" in error.value.messages[0]
    session.refresh_from_db()
    assert session.phase == SessionPhase.READING


def test_a_reviewer_may_not_cancel(cast):
    session = scheduled_session(cast)

    with pytest.raises(PermissionDenied):
        session_cancel(user=cast.reviewer, session=session)
