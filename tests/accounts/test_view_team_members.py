from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import InvitationFactory, MembershipFactory

pytestmark = pytest.mark.django_db

URL = "/t/returns/members/"


def test_outsider_gets_404(cast, client_for):
    assert client_for(cast.outsider).get(URL).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_member_sees_the_members_with_their_roles(cast, client_for, role):
    response = client_for(cast.member(role)).get(URL)

    assert response.status_code == 200
    content = response.content.decode()
    for member in ("owner", "editor", "reviewer", "viewer"):
        assert f"{member}@example.com" in content
        assert f'<span class="badge badge--{member}">{member.title()}</span>' in content
    assert "Leave the team" in content


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_who_are_not_owners_get_no_management_controls(cast, client_for, role):
    InvitationFactory(team=cast.team, email="pending@example.com")

    content = client_for(cast.member(role)).get(URL).content.decode()

    assert "pending@example.com" in content
    assert "Send invitation" not in content
    assert "Change role" not in content
    assert "Withdraw" not in content
    assert "/remove/" not in content


def test_owners_get_the_invite_form_and_a_role_control_per_member(cast, client_for):
    content = client_for(cast.owner).get(URL).content.decode()

    assert "Send invitation" in content
    assert content.count("Change role") == 4
    assert content.count("/remove/") == 4
    # The row form posts with htmx and keeps a plain action for browsers without it.
    assert 'hx-post="/t/returns/members/' in content
    assert 'action="/t/returns/members/' in content


def test_pending_invitations_show_when_they_expire(cast, client_for, settings):
    fresh = InvitationFactory(team=cast.team, email="fresh@example.com")
    InvitationFactory(
        team=cast.team, email="old@example.com", created_at=timezone.now() - timedelta(days=30)
    )
    InvitationFactory(team=cast.team, email="used@example.com", accepted_at=timezone.now())

    content = client_for(cast.owner).get(URL).content.decode()

    assert fresh.expires_at.strftime("%d %b %Y").lstrip("0") in content
    assert "old@example.com" in content
    assert '<span class="badge badge--expired">Expired</span>' in content
    assert "used@example.com" not in content


def test_the_query_count_does_not_grow_with_members_or_invitations(cast, client_for):
    client = client_for(cast.owner)
    client.get(URL)  # counts the unread notifications and reads the nav teams
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    for n in range(5):
        MembershipFactory(team=cast.team)
        InvitationFactory(team=cast.team, invited_by=cast.owner, email=f"p{n}@example.com")

    # User, team with the viewer's role, invitations with inviters, memberships with
    # users: 4 (the login session, nav teams and unread count come from the cache).
    with CaptureQueriesContext(connection) as large:
        response = client.get(URL)

    assert response.content.decode().count("Change role") == 9
    assert len(large) == len(small) == 4
