from datetime import UTC, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, UserFactory
from wbapp.activity.models import Activity, Verb
from wbapp.activity.recording import activity_record

pytestmark = pytest.mark.django_db


def test_outsider_gets_404(cast, client_for):
    assert client_for(cast.outsider).get("/t/returns/").status_code == 404


def test_an_unknown_team_is_404(cast, client_for):
    assert client_for(cast.owner).get("/t/nope/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(cast, client):
    response = client.get("/t/returns/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/t/returns/"


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_member_sees_the_board(cast, client_for, role):
    response = client_for(cast.member(role)).get("/t/returns/")

    assert response.status_code == 200
    content = response.content.decode()
    assert "<h1>Returns</h1>" in content
    assert f"you are {role}" in content
    assert 'id="initiatives"' in content
    assert "No initiatives yet." in content


def test_the_members_summary_counts_each_role(cast, client_for):
    content = client_for(cast.viewer).get("/t/returns/").content.decode()

    assert "4 members" in content
    for role in ("owner", "editor", "reviewer", "viewer"):
        assert f'<span class="badge badge--{role}">1 {role}</span>' in content


def test_the_activity_feed_reads_as_sentences(cast, client_for):
    raj = UserFactory(display_name="Raj")
    activity_record(team=cast.team, actor=cast.owner, verb=Verb.TEAM_CREATED, name="Returns")
    activity_record(
        team=cast.team,
        actor=cast.owner,
        verb=Verb.MEMBER_INVITED,
        email="raj@x.test",
        role="editor",
    )
    activity_record(team=cast.team, actor=raj, verb=Verb.MEMBER_JOINED, role="editor")
    activity_record(
        team=cast.team,
        actor=cast.owner,
        verb=Verb.ROLE_CHANGED,
        member="Raj",
        member_id=raj.pk,
        old_role="editor",
        new_role="reviewer",
    )
    activity_record(team=cast.team, actor=cast.owner, verb=Verb.MEMBER_REMOVED, member="Raj")
    activity_record(team=cast.team, actor=None, verb=Verb.MEMBER_LEFT)

    content = " ".join(client_for(cast.viewer).get("/t/returns/").content.decode().split())

    assert "Owner created the team." in content
    assert "Owner invited raj@x.test as editor." in content
    assert "Raj joined the team as editor." in content
    assert "Owner changed Raj’s role from editor to reviewer." in content
    assert "Owner removed Raj from the team." in content
    assert "Someone left the team." in content


def test_the_feed_shows_only_this_teams_activity(cast, client_for):
    other = cast.outsider.memberships.get().team
    activity_record(team=other, actor=cast.outsider, verb=Verb.TEAM_CREATED, name=other.name)

    content = client_for(cast.viewer).get("/t/returns/").content.decode()

    assert "Outsider created the team." not in content
    assert "Nothing has happened in this team yet." in content


def test_times_are_shown_in_the_viewers_time_zone(cast, client_for):
    Activity.objects.create(
        team=cast.team,
        actor=cast.owner,
        verb=Verb.TEAM_CREATED,
        created_at=datetime(2025, 1, 15, 12, 0, tzinfo=UTC),
    )
    cast.viewer.time_zone = "Asia/Tokyo"
    cast.viewer.save(update_fields=["time_zone"])

    content = client_for(cast.viewer).get("/t/returns/").content.decode()

    assert "15 Jan 2025, 21:00" in content
    assert 'datetime="2025-01-15T21:00:00+09:00"' in content


def test_the_query_count_does_not_grow_with_members_or_activity(cast, client_for):
    client = client_for(cast.viewer)
    with CaptureQueriesContext(connection) as first:
        client.get("/t/returns/")
    with CaptureQueriesContext(connection) as small:
        client.get("/t/returns/")
    for _ in range(5):
        member = MembershipFactory(team=cast.team)
        activity_record(team=cast.team, actor=member.user, verb=Verb.MEMBER_JOINED, role="viewer")

    # User, team with the viewer's role, memberships with users, initiatives with owners
    # and latest iterations, activity with actors and initiatives: 5. The login session,
    # the nav teams and the unread count come from the cache (counted on the first visit).
    with CaptureQueriesContext(connection) as large:
        response = client.get("/t/returns/")

    assert "9 members" in response.content.decode()
    assert len(large) == len(small) == len(first) - 2 == 5
