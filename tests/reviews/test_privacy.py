"""Private until reveal, at the level every page, fragment, feed and count reads from.

During the reading a comment exists only for its author: no other reader, not the
facilitator, not a team owner may see it, count it, reply to it or find it by id.
Every function that reads comments is tried here with the same cast.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from reviews.lookups import get_comment_for_user
from reviews.models import Comment, Reply, ReviewSession
from reviews.services.action_items import action_item_create
from reviews.services.comments import (
    comment_edit,
    comment_reopen,
    comment_resolve,
    comment_toggle_plus_one,
    reply_create,
)
from reviews.services.common import IllegalTransition
from reviews.services.phases import (
    session_end_reading_if_due,
    session_focus,
    session_start_discussion,
)
from tests.reviews.factories import comment, reading_session, team_reviewer
from wbapp.accounts.rules import remember_team_role, team_role
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


@dataclass
class Reading:
    session: ReviewSession
    alice: object
    bob: object
    carol: object
    comments: dict  # author name -> their comment


@pytest.fixture
def reading(cast):
    """A reading with three reviewers and the facilitator, each with one comment."""
    alice, bob, carol = (team_reviewer(cast, user__display_name=n) for n in ("A", "B", "C"))
    session = reading_session(
        cast, participants=[(alice, "reviewer"), (bob, "bar_raiser"), (carol, "reviewer")]
    )
    comments = {
        "alice": comment(alice, session, section_key="headline"),
        "bob": comment(bob, session, section_key="summary", quote="Returns are free."),
        "facilitator": comment(cast.editor, session, section_key="s-risks"),
    }
    return Reading(session, alice, bob, carol, comments)


def visible_after_the_lookup(user, session):
    """visible_in_session as the session's page calls it: the team role already known."""
    remember_team_role(user, session.initiative.team_id, team_role(user, session.initiative.team))
    return Comment.objects.visible_in_session(session, user)


def visible_on_after_the_lookup(user, session):
    """visible_on as the iteration page calls it: the team role already known."""
    team_id = session.initiative.team_id
    remember_team_role(user, team_id, team_role(user, session.initiative.team))
    return Comment.objects.visible_on(session.revision, user, team_id=team_id)


# Every way of reading comments: each returns the ids of the comments ``user`` gets.
READERS = {
    "visible_in_session, role known": visible_after_the_lookup,
    "visible_on, role known": visible_on_after_the_lookup,
    "visible_to": lambda user, session: Comment.objects.visible_to(user),
    "visible_on": lambda user, session: Comment.objects.visible_on(session.revision, user),
    "visible_in_session": lambda user, session: Comment.objects.visible_in_session(session, user),
    "for_display": lambda user, session: Comment.objects.visible_in_session(
        session, user
    ).for_display(user),
    "open": lambda user, session: Comment.objects.visible_to(user).open(),
}


def ids(user, session, reader) -> set[int]:
    return set(READERS[reader](user, session).values_list("pk", flat=True))


def count(user, session, reader) -> int:
    return READERS[reader](user, session).count()


@pytest.mark.parametrize("reader", READERS)
def test_during_the_reading_each_reader_sees_only_their_own_comments(cast, reading, reader):
    session = reading.session

    assert ids(reading.alice, session, reader) == {reading.comments["alice"].pk}
    assert ids(reading.bob, session, reader) == {reading.comments["bob"].pk}
    assert ids(reading.carol, session, reader) == set()
    assert count(reading.carol, session, reader) == 0


@pytest.mark.parametrize("reader", READERS)
def test_during_the_reading_the_facilitator_sees_only_their_own(cast, reading, reader):
    assert ids(cast.editor, reading.session, reader) == {reading.comments["facilitator"].pk}


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("role", ["owner", "reviewer", "viewer", "outsider"])
def test_during_the_reading_nobody_else_sees_any(cast, reading, reader, role):
    assert ids(cast.member(role), reading.session, reader) == set()


@pytest.mark.parametrize("reader", READERS)
def test_anonymous_users_see_nothing(reading, reader):
    assert ids(AnonymousUser(), reading.session, reader) == set()


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_after_the_reveal_every_member_sees_every_comment(cast, reading, reader, role):
    session_start_discussion(user=cast.editor, session=reading.session)

    expected = {c.pk for c in reading.comments.values()}
    assert ids(cast.member(role), reading.session, reader) == expected
    assert ids(reading.carol, reading.session, reader) == expected


@pytest.mark.parametrize("reader", READERS)
def test_after_the_reveal_outsiders_still_see_nothing(cast, reading, reader):
    session_start_discussion(user=cast.editor, session=reading.session)

    assert ids(cast.outsider, reading.session, reader) == set()


def test_the_timer_reveals_like_the_facilitator(cast, reading):
    ReviewSession.objects.filter(pk=reading.session.pk).update(
        reading_ends_at=reading.session.reading_started_at
    )
    assert ids(reading.carol, reading.session, "visible_to") == set()

    session_end_reading_if_due(session_id=reading.session.pk)

    assert len(ids(reading.carol, reading.session, "visible_to")) == 3


def test_a_comment_in_another_sessions_reading_stays_private_on_the_same_iteration(cast, reading):
    # A second, already revealed session on the same iteration.
    other = reading_session(cast, revision=reading.session.revision)
    revealed = comment(cast.reviewer, other)
    session_start_discussion(user=cast.editor, session=other)

    assert ids(reading.carol, reading.session, "visible_on") == {revealed.pk}
    assert ids(reading.alice, reading.session, "visible_on") == {
        revealed.pk,
        reading.comments["alice"].pk,
    }


def test_asynchronous_comments_are_visible_at_once_but_not_part_of_the_session(cast, reading):
    asynchronous = comment(cast.owner, reading.session.revision)

    assert asynchronous.pk in ids(reading.carol, reading.session, "visible_on")
    assert asynchronous.pk not in ids(reading.carol, reading.session, "visible_in_session")


# --- Lookups by id -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["bob", "carol", "facilitator", "owner", "outsider"])
def test_another_readers_comment_is_not_found_by_id(cast, reading, who):
    user = {
        "bob": reading.bob,
        "carol": reading.carol,
        "facilitator": cast.editor,
        "owner": cast.owner,
        "outsider": cast.outsider,
    }[who]

    with pytest.raises(Http404):
        get_comment_for_user(user, reading.comments["alice"].pk)


def test_the_author_finds_their_own_private_comment(reading):
    found = get_comment_for_user(reading.alice, reading.comments["alice"].pk)

    assert found == reading.comments["alice"]


def test_after_the_reveal_members_find_it_and_outsiders_do_not(cast, reading):
    session_start_discussion(user=cast.editor, session=reading.session)

    assert get_comment_for_user(cast.viewer, reading.comments["alice"].pk)
    with pytest.raises(Http404):
        get_comment_for_user(cast.outsider, reading.comments["alice"].pk)


def test_a_comment_looked_up_in_the_wrong_session_is_not_found(cast, reading):
    other = reading_session(cast)

    with pytest.raises(Http404):
        get_comment_for_user(reading.alice, reading.comments["alice"].pk, session_id=other.pk)


# --- Writes that would reveal existence -----------------------------------------------------------


def test_nobody_can_act_on_a_comment_they_cannot_see(cast, reading):
    hidden = reading.comments["alice"]
    attempts = [
        lambda user: reply_create(user=user, comment=hidden, body="?"),
        lambda user: comment_resolve(user=user, comment=hidden),
        lambda user: comment_reopen(user=user, comment=hidden),
        lambda user: comment_toggle_plus_one(user=user, comment=hidden),
        lambda user: comment_edit(user=user, comment=hidden, body="mine now"),
        lambda user: action_item_create(
            user=user,
            initiative=reading.session.initiative,
            comment=hidden,
            title="x",
            owner=user,
        ),
    ]
    for user in (reading.bob, cast.editor, cast.owner):
        for attempt in attempts:
            with pytest.raises(PermissionDenied):
                attempt(user)
    # Focus is refused during the reading whatever the comment, so it tells nothing either.
    with pytest.raises(IllegalTransition) as on_hidden:
        session_focus(user=cast.editor, session=reading.session, comment=hidden)
    with pytest.raises(IllegalTransition) as on_nothing:
        session_focus(user=cast.editor, session=reading.session, comment=None)
    assert on_hidden.value.messages == on_nothing.value.messages


def test_replies_follow_the_visibility_of_their_comment(cast, reading):
    session_start_discussion(user=cast.editor, session=reading.session)
    reply = reply_create(user=cast.owner, comment=reading.comments["bob"], body="Ok")

    assert list(Reply.objects.visible_to(cast.viewer)) == [reply]
    assert list(Reply.objects.visible_to(cast.outsider)) == []
    assert list(Reply.objects.visible_to(AnonymousUser())) == []


# --- Feeds and counts -----------------------------------------------------------------------------


def test_no_activity_names_a_comment_before_the_reveal(cast, reading):
    payloads = Activity.objects.values_list("payload", flat=True)

    assert not Activity.objects.filter(verb=Verb.COMMENT_ADDED).exists()
    assert not any("comment_id" in payload for payload in payloads)


def test_the_facilitators_progress_counts_say_nothing_about_comments(cast, reading):
    row = ReviewSession.objects.with_progress().get(pk=reading.session.pk)

    assert (row.participant_count, row.joined_count, row.done_count) == (3, 0, 0)
    fields = {field.attname for field in ReviewSession._meta.concrete_fields}
    assert set(vars(row)) - fields - {"_state"} == {
        "participant_count",
        "joined_count",
        "done_count",
    }


def test_private_comments_change_nothing_others_can_observe_on_the_session(cast, reading):
    before = ReviewSession.objects.get(pk=reading.session.pk)

    comment(reading.carol, reading.session)

    after = ReviewSession.objects.get(pk=reading.session.pk)
    assert after.state_version == before.state_version
    assert after.focused_comment_id is None
