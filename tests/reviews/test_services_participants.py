import pytest
from django.core.exceptions import PermissionDenied
from django.utils.functional import SimpleLazyObject

from reviews.lookups import get_session_for_user
from reviews.models import ReviewSession
from reviews.services.common import IllegalTransition
from reviews.services.phases import (
    participant_mark_done,
    participant_mark_reading,
    participant_open,
)
from tests.reviews.factories import (
    discussion_session,
    reading_session,
    scheduled_session,
    team_reviewer,
)
from wbapp.accounts.models import User

pytestmark = pytest.mark.django_db


def version(session) -> int:
    return ReviewSession.objects.values_list("state_version", flat=True).get(pk=session.pk)


def progress(session):
    row = ReviewSession.objects.with_progress().get(pk=session.pk)
    return row.participant_count, row.joined_count, row.done_count


# --- participant_open ------------------------------------------------------------------------


def test_opening_the_session_during_the_reading_marks_the_participant_joined(cast):
    session = reading_session(cast)
    before = version(session)

    participant = participant_open(user=cast.reviewer, session=session)

    assert participant.joined_at is not None
    assert progress(session) == (1, 1, 0)
    assert version(session) == before + 1


def test_joining_is_recorded_once(cast):
    session = reading_session(cast)
    first = participant_open(user=cast.reviewer, session=session).joined_at
    before = version(session)

    again = participant_open(
        user=cast.reviewer, session=get_session_for_user(cast.reviewer, session.pk)
    )

    assert again.joined_at == first
    assert version(session) == before


def test_opening_a_scheduled_session_does_not_join_it(cast):
    session = scheduled_session(cast)

    participant = participant_open(user=cast.reviewer, session=session)

    assert participant.joined_at is None
    assert progress(session) == (1, 0, 0)


def test_a_late_comer_joins_during_the_discussion(cast):
    session = discussion_session(cast)

    participant = participant_open(user=cast.reviewer, session=session)

    assert participant.joined_at is not None


def test_a_team_member_who_is_not_invited_opens_without_joining(cast):
    session = reading_session(cast)
    before = version(session)

    assert participant_open(user=cast.viewer, session=session) is None
    assert version(session) == before


def test_an_outsider_cannot_open(cast):
    session = reading_session(cast)

    with pytest.raises(PermissionDenied):
        participant_open(user=cast.outsider, session=session)


# --- done / still reading ----------------------------------------------------------------------


def test_a_participant_marks_done_and_the_facilitator_sees_the_count(cast):
    other = team_reviewer(cast)
    session = reading_session(cast, participants=[(cast.reviewer, "reviewer"), (other, "observer")])
    before = version(session)

    participant = participant_mark_done(user=cast.reviewer, session=session)

    assert participant.done_at is not None
    # Done implies joined, even if the page never reported the join.
    assert participant.joined_at is not None
    assert progress(session) == (2, 1, 1)
    assert version(session) == before + 1


def test_done_can_be_undone(cast):
    session = reading_session(cast)
    participant_mark_done(user=cast.reviewer, session=session)
    before = version(session)

    participant = participant_mark_reading(user=cast.reviewer, session=session)

    assert participant.done_at is None
    assert participant.joined_at is not None
    assert progress(session) == (1, 1, 0)
    assert version(session) == before + 1


def test_marking_done_twice_changes_nothing_the_second_time(cast):
    session = reading_session(cast)
    first = participant_mark_done(user=cast.reviewer, session=session).done_at
    before = version(session)

    second = participant_mark_done(user=cast.reviewer, session=session).done_at

    assert second == first
    assert version(session) == before


def test_only_participants_mark_done(cast):
    session = reading_session(cast)

    with pytest.raises(PermissionDenied):
        participant_mark_done(user=cast.editor, session=session)
    with pytest.raises(PermissionDenied):
        participant_mark_done(user=cast.outsider, session=session)


@pytest.mark.parametrize("make", [scheduled_session, discussion_session])
def test_done_marks_belong_to_the_reading(cast, make):
    session = make(cast)

    with pytest.raises(IllegalTransition) as error:
        participant_mark_done(user=cast.reviewer, session=session)

    assert error.value.messages[0].startswith("Reading progress can only change during the reading")


# --- the lookup primes the participant ---------------------------------------------------------


def test_the_session_lookup_knows_the_viewers_participation_without_another_query(
    cast, django_assert_num_queries
):
    session = reading_session(cast, participants=[(cast.reviewer, "bar_raiser")])
    participant_mark_done(user=cast.reviewer, session=session)

    with django_assert_num_queries(1):
        found = get_session_for_user(cast.reviewer, session.pk)
        participant = found.participant_for(cast.reviewer)
        assert cast.reviewer.has_perm("reviews.comment_in_session", found)
        assert found.initiative.team == cast.team

    assert participant.role == "bar_raiser"
    assert participant.is_done
    assert participant.has_joined


def test_the_lookup_of_a_non_participant_knows_they_are_none(cast, django_assert_num_queries):
    session = reading_session(cast)

    with django_assert_num_queries(1):
        found = get_session_for_user(cast.viewer, session.pk)
        assert found.participant_for(cast.viewer) is None
        assert not cast.viewer.has_perm("reviews.comment_in_session", found)


def test_the_lookup_primes_the_role_of_a_lazy_request_user(cast, django_assert_num_queries):
    session = reading_session(cast)
    lazy_user = SimpleLazyObject(lambda: User.objects.get(pk=cast.reviewer.pk))
    lazy_user._setup()

    # request.user is a lazy proxy; the rules see the User inside it.
    with django_assert_num_queries(1):
        found = get_session_for_user(lazy_user, session.pk, perm="reviews.comment_in_session")
        assert lazy_user.has_perm("reviews.view_session", found)
