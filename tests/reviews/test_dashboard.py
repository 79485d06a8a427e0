"""'My reviews' (/): sessions, threads waiting on me, my action items, cords I should know of."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.dashboard import (
    cords_on_followed,
    my_action_items,
    my_reviews,
    my_sessions,
    threads_to_verify,
    threads_waiting,
)
from reviews.models import Comment, CommentStatus, ParticipantRole
from reviews.services.action_items import action_item_create, action_item_set_done
from reviews.services.comments import comment_resolve, reply_create
from reviews.services.decisions import andon_pull, andon_reset, session_close
from reviews.services.phases import session_start_discussion
from reviews.services.scheduling import session_cancel
from tests.documents.access import request_as
from tests.documents.factories import InitiativeFactory
from tests.factories import MembershipFactory
from tests.reviews.factories import (
    CommentFactory,
    comment,
    discussion_session,
    mention,
    reading_session,
    revision_for,
    scheduled_session,
    team_reviewer,
)
from wbapp.activity.models import InitiativeMute
from wbapp.notifications import follows

pytestmark = pytest.mark.django_db


# --- Sessions ----------------------------------------------------------------------------------


def test_sessions_i_am_invited_to_are_listed_live_first(cast):
    upcoming = scheduled_session(cast, title="Upcoming")
    live = reading_session(cast, title="Live")
    listed = my_sessions(cast.reviewer)
    assert [s.title for s in listed] == ["Live", "Upcoming"]
    assert listed[1].pk == upcoming.pk and listed[0].pk == live.pk
    assert listed[0].my_role == ParticipantRole.REVIEWER


def test_the_facilitator_sees_the_sessions_they_facilitate(cast):
    scheduled_session(cast, title="Mine to run")
    assert [s.title for s in my_sessions(cast.editor)] == ["Mine to run"]


def test_sessions_i_am_not_invited_to_or_that_are_over_are_not_listed(cast):
    scheduled_session(cast, title="Not me", participants=[(cast.owner, ParticipantRole.REVIEWER)])
    session = discussion_session(cast, title="Closed")
    session_close(user=cast.editor, session=session, outcome="iterate")
    cancelled = scheduled_session(cast, title="Cancelled")
    session_cancel(user=cast.editor, session=cancelled)
    assert my_sessions(cast.reviewer) == []


def test_sessions_of_a_team_i_left_are_not_listed(cast):
    scheduled_session(cast)
    cast.team.memberships.filter(user=cast.reviewer).delete()
    assert my_sessions(cast.reviewer) == []


# --- Threads -----------------------------------------------------------------------------------


def test_a_reply_to_my_comment_waits_for_my_answer_until_i_reply(cast):
    thread = comment(cast.reviewer, revision_for(cast))
    assert threads_waiting(cast.reviewer) == []
    reply_create(user=cast.editor, comment=thread, body="Because")
    waiting = threads_waiting(cast.reviewer)
    assert [c.pk for c in waiting] == [thread.pk]
    assert waiting[0].last_reply_by_label == "Editor"
    assert waiting[0].thread_url.endswith(f"#comment-{thread.pk}")
    reply_create(user=cast.reviewer, comment=thread, body="Thanks")
    assert threads_waiting(cast.reviewer) == []
    # ...and now it waits on the editor, who replied before.
    assert [c.pk for c in threads_waiting(cast.editor)] == [thread.pk]


def test_a_thread_i_am_mentioned_in_waits_for_me(cast):
    comment(cast.reviewer, revision_for(cast), body=f"{mention(cast.viewer)} what do you think?")
    assert len(threads_waiting(cast.viewer)) == 1
    assert threads_waiting(cast.owner) == []


def test_resolved_threads_wait_for_nobody(cast):
    thread = comment(cast.reviewer, revision_for(cast))
    reply_create(user=cast.editor, comment=thread, body="Done?")
    comment_resolve(user=cast.reviewer, comment=thread)
    assert threads_waiting(cast.reviewer) == []


def test_another_readers_private_comment_is_never_listed(cast):
    other = team_reviewer(cast)
    session = reading_session(
        cast,
        participants=[(cast.reviewer, ParticipantRole.REVIEWER), (other, ParticipantRole.REVIEWER)],
    )
    comment(other, session, body=f"{mention(cast.reviewer)} secret until the reveal")
    assert threads_waiting(cast.reviewer) == []
    session_start_discussion(user=cast.editor, session=session)
    assert len(threads_waiting(cast.reviewer)) == 1


def test_my_addressed_comments_wait_for_my_verification(cast):
    thread = comment(cast.reviewer, revision_for(cast))
    Comment.objects.filter(pk=thread.pk).update(status=CommentStatus.ADDRESSED)
    reply_create(user=cast.editor, comment=thread, body="Rewrote it")
    assert [c.pk for c in threads_to_verify(cast.reviewer)] == [thread.pk]
    # Listed once: to verify, not also as waiting for a reply.
    assert threads_waiting(cast.reviewer) == []
    assert threads_to_verify(cast.editor) == []


def test_a_carried_thread_is_listed_once_on_its_newest_copy(cast):
    first = revision_for(cast)
    old = comment(cast.reviewer, first)
    reply_create(user=cast.editor, comment=old, body="Hm")
    newer = CommentFactory(
        revision=first,
        author=cast.reviewer,
        origin=old,
        carried_from=old,
        initiative=old.initiative,
    )
    reply_create(user=cast.editor, comment=newer, body="Still?")
    assert [c.pk for c in threads_waiting(cast.reviewer)] == [newer.pk]


# --- Action items and cords ------------------------------------------------------------------


def test_my_open_action_items_are_mine_and_open(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    mine = action_item_create(
        user=cast.editor, initiative=initiative, title="Mine", owner=cast.reviewer
    )
    done = action_item_create(
        user=cast.editor, initiative=initiative, title="Done", owner=cast.reviewer
    )
    action_item_set_done(user=cast.editor, item=done)
    action_item_create(user=cast.editor, initiative=initiative, title="Theirs", owner=cast.editor)
    assert my_action_items(cast.reviewer) == [mine]


def pulled(cast, **kwargs):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, **kwargs)
    andon_pull(user=cast.owner, initiative=initiative, reason="Stop")
    return initiative


def test_cords_on_initiatives_i_follow_are_listed(cast):
    followed = pulled(cast, title="Followed")
    pulled(cast, title="Not followed")
    follows.initiative_follow(user=cast.viewer, initiative=followed)
    assert [p.initiative.title for p in cords_on_followed(cast.viewer)] == ["Followed"]


def test_owning_or_commenting_counts_as_following_and_muting_does_not(cast):
    owned = pulled(cast, title="Owned")
    assert [p.initiative for p in cords_on_followed(cast.editor)] == [owned]
    revision = revision_for(cast)
    comment(cast.reviewer, revision)
    andon_pull(user=cast.owner, initiative=revision.document.initiative, reason="x")
    assert len(cords_on_followed(cast.reviewer)) == 1
    InitiativeMute.objects.create(user=cast.reviewer, initiative=revision.document.initiative)
    assert cords_on_followed(cast.reviewer) == []


def test_a_reset_cord_is_not_listed(cast):
    initiative = pulled(cast)
    andon_reset(user=cast.editor, initiative=initiative, resolution="Done")
    assert cords_on_followed(cast.editor) == []


def test_an_outsider_following_nothing_here_sees_nothing(cast):
    initiative = pulled(cast)
    initiative.followers.add(cast.outsider)  # a stale follow from before they left
    reading_session(cast)
    reviews = my_reviews(cast.outsider)
    assert reviews.is_empty


# --- The page ----------------------------------------------------------------------------------


def test_my_reviews_needs_a_sign_in(client):
    assert client.get(reverse("home")).status_code == 302


def test_the_page_shows_every_list(cast):
    session = reading_session(cast, title="Read the returns PR/FAQ")
    thread = comment(cast.editor, revision_for(cast), body=f"{mention(cast.reviewer)} yours?")
    action_item_create(
        user=cast.editor, initiative=thread.initiative, title="Call legal", owner=cast.reviewer
    )
    initiative = pulled(cast, title="Stopped one")
    follows.initiative_follow(user=cast.reviewer, initiative=initiative)
    html = request_as(cast, "reviewer", "get", reverse("home")).content.decode()
    assert "Read the returns PR/FAQ" in html and "Reading now" in html
    assert reverse("session_detail", args=[session.pk]) in html
    assert f"#comment-{thread.pk}" in html and "you were mentioned" in html
    assert "Call legal" in html
    assert "Stopped one" in html and "Andon cords pulled on initiatives you follow" in html


def test_a_session_and_a_thread_on_a_stopped_initiative_say_who_pulled_the_cord_and_why(cast):
    session = scheduled_session(cast, title="Read the returns PR/FAQ")
    initiative = session.initiative
    thread = comment(cast.editor, session.revision, body=f"{mention(cast.viewer)} yours?")
    andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal has not seen the refund")

    # The viewer does not follow the initiative: no cord listed of its own, but the
    # thread waiting on them says the initiative is stopped, by whom and why.
    html = request_as(cast, "viewer", "get", reverse("home")).content.decode()
    assert "my-cords" not in html
    row = html.split(f"#comment-{thread.pk}", 1)[1].split("</li>", 1)[0]
    assert "Stopped" in row and "Andon cord pulled by <strong>Reviewer</strong>" in row
    assert "Legal has not seen the refund" in row
    html = request_as(cast, "reviewer", "get", reverse("home")).content.decode()
    row = html.split(reverse("session_detail", args=[session.pk]), 1)[1].split("</li>", 1)[0]
    assert "Andon cord pulled by <strong>Reviewer</strong>" in row
    assert "Legal has not seen the refund" in row

    andon_reset(user=cast.editor, initiative=initiative, resolution="Legal signed off")
    for role in ("viewer", "reviewer"):
        html = request_as(cast, role, "get", reverse("home")).content.decode()
        assert "Legal has not seen the refund" not in html and "andon-stop" not in html


def test_a_stop_shows_only_to_members_of_the_team(cast):
    session = scheduled_session(cast, title="Read the returns PR/FAQ")
    andon_pull(user=cast.owner, initiative=session.initiative, reason="Legal has not seen it")
    session.participants.create(user=cast.outsider, role=ParticipantRole.REVIEWER)
    html = request_as(cast, "outsider", "get", reverse("home")).content.decode()
    assert "Legal has not seen it" not in html and "Read the returns PR/FAQ" not in html


def test_start_times_are_shown_in_my_time_zone(cast):
    cast.reviewer.time_zone = "Asia/Tokyo"
    cast.reviewer.save(update_fields=["time_zone"])
    session = scheduled_session(cast)
    html = request_as(cast, "reviewer", "get", reverse("home")).content.decode()
    local = session.starts_at.astimezone(cast.reviewer.tzinfo)
    assert local.strftime("%H:%M") in html
    assert "JST" in html


def fill(cast, n):
    """``n`` of everything the page lists, for the reviewer."""
    initiatives = []
    for i in range(n):
        revision = revision_for(cast)
        initiative = revision.document.initiative
        initiatives.append(initiative)
        scheduled_session(cast, revision=revision, title=f"Session {i}")
        thread = comment(cast.reviewer, revision)
        reply_create(user=cast.editor, comment=thread, body="Why?")
        comment(cast.editor, revision, body=f"{mention(cast.reviewer)} look")
        mine = comment(cast.reviewer, revision, section_key="headline")
        Comment.objects.filter(pk=mine.pk).update(status=CommentStatus.ADDRESSED)
        action_item_create(
            user=cast.editor, initiative=initiative, title=f"Item {i}", owner=cast.reviewer
        )
        andon_pull(user=cast.owner, initiative=initiative, reason=f"Stop {i}")
    return initiatives


@pytest.mark.parametrize("n", [1, 6])
def test_my_reviews_has_a_fixed_query_budget(cast, n):
    MembershipFactory(user=cast.reviewer)  # a second team: the page spans teams
    fill(cast, n)
    client = Client()
    client.force_login(cast.reviewer)
    url = reverse("home")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    html = response.content.decode()
    cords = html.split('id="my-cords"', 1)[1].split("</section>", 1)[0]
    assert cords.count("Stop ") == n  # every list really holds n rows
    # The session, the two threads waiting and the one to verify say their cord is pulled.
    assert html.count('class="andon-stop') == 4 * n
    assert html.count(">Verify<") == n
    # user, teams, invitations, sessions, threads to verify, threads waiting, action
    # items, cords (the login session, unread count and navigation teams are cached).
    assert len(queries) == 8, [q["sql"][:120] for q in queries.captured_queries]
