"""Signing in through an invitation link: the invited address filled in, straight into the team."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.utils import timezone

from tests.factories import PASSWORD, InvitationFactory, UserFactory
from wbapp.accounts.models import Membership, Role
from wbapp.accounts.services import invitation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cast):
    return InvitationFactory(
        team=cast.team, email="New@Example.com", role=Role.REVIEWER, invited_by=cast.owner
    )


def url(invitation) -> str:
    return f"/invitations/{invitation_token(invitation)}/signin/"


def test_the_form_names_the_team_and_fills_in_the_address(client, invitation):
    response = client.get(url(invitation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to join Returns" in html
    assert 'value="New@Example.com"' in html


def test_signing_in_lands_in_the_team_with_the_invitation_accepted(cast, client, invitation):
    user = UserFactory(email="new@example.com")

    response = client.post(
        url(invitation), {"login": "new@example.com", "password": PASSWORD}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/t/returns/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert Membership.objects.get(team=cast.team, user=user).role == Role.REVIEWER
    assert "Welcome to Returns! You joined as reviewer." in response.content.decode()


def test_signing_in_as_another_address_joins_nothing_and_says_why(cast, client, invitation):
    token = invitation_token(invitation)  # once: two signings may fall on two seconds
    response = client.post(
        f"/invitations/{token}/signin/",
        {"login": "outsider@example.com", "password": PASSWORD},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == f"/invitations/{token}/"
    assert "This invitation was sent to New@Example.com" in response.content.decode()
    assert not Membership.objects.filter(team=cast.team, user=cast.outsider).exists()


def test_a_wrong_password_signs_in_nobody(client, invitation):
    UserFactory(email="new@example.com")

    response = client.post(url(invitation), {"login": "new@example.com", "password": "nope"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session
    assert not Membership.objects.filter(user__email="new@example.com").exists()


def test_an_invitation_used_by_someone_else_gets_410(cast, client, invitation):
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = cast.editor
    invitation.save()

    response = client.get(url(invitation))

    assert response.status_code == 410
    assert "This invitation has already been used" in response.content.decode()
