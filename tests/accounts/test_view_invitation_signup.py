"""Signing up through an invitation link: a full name, the invited address locked, into the team."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.utils import timezone

from tests.factories import PASSWORD, InvitationFactory, UserFactory
from wbapp.accounts.models import Membership, Role, User
from wbapp.accounts.services import invitation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cast):
    return InvitationFactory(
        team=cast.team, email="New@Example.com", role=Role.EDITOR, invited_by=cast.owner
    )


def url(invitation) -> str:
    return f"/invitations/{invitation_token(invitation)}/signup/"


def form(**overrides) -> dict:
    return {
        "display_name": "Sam Rivera",
        "email": "new@example.com",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **overrides,
    }


def test_the_form_names_the_team_and_locks_the_invited_address(client, invitation):
    response = client.get(url(invitation))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Create your account to join Returns" in html
    assert "Owner invited you" in html
    assert "Full name" in html
    assert 'value="New@Example.com"' in html
    email_input = html[html.index('name="email"') :].split(">", 1)[0]
    assert "readonly" in email_input
    assert html.index('name="display_name"') < html.index('name="email"')


def test_signing_up_lands_in_the_team_signed_in_without_a_confirmation_email(
    cast, client, invitation
):
    response = client.post(url(invitation), form(), follow=True)

    assert response.redirect_chain[-1][0] == "/t/returns/"
    user = User.objects.get(email__iexact="new@example.com")
    assert user.name == "Sam Rivera"
    assert client.session[SESSION_KEY] == str(user.pk)
    # The link came to this address: it counts as confirmed.
    assert EmailAddress.objects.get(user=user).verified
    assert not mail.outbox
    assert Membership.objects.get(team=cast.team, user=user).role == Role.EDITOR
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert "Welcome to Returns! You joined as editor." in response.content.decode()


def test_teammates_see_the_name_given_at_sign_up(cast, client, client_for, invitation):
    client.post(url(invitation), form())

    members = client_for(cast.owner).get("/t/returns/members/").content.decode()

    assert "Sam Rivera" in members


def test_another_address_is_refused_whatever_the_browser_sends(client, invitation):
    response = client.post(url(invitation), form(email="someone.else@example.com"))

    assert response.status_code == 200
    assert "This invitation is for New@Example.com" in response.content.decode()
    assert not User.objects.filter(email__iexact="someone.else@example.com").exists()
    assert not User.objects.filter(email__iexact="new@example.com").exists()
    invitation.refresh_from_db()
    assert invitation.is_pending


def test_a_name_is_required(client, invitation):
    response = client.post(url(invitation), form(display_name=""))

    assert response.status_code == 200
    assert not User.objects.filter(email__iexact="new@example.com").exists()


def test_an_address_that_has_an_account_is_told_to_sign_in(client, invitation):
    UserFactory(email="new@example.com")

    response = client.post(url(invitation), form())

    assert response.status_code == 200
    assert "There is already an account for New@Example.com" in response.content.decode()
    assert User.objects.filter(email__iexact="new@example.com").count() == 1
    assert not mail.outbox


def test_someone_signed_in_goes_to_the_invitation_page(cast, client_for, invitation):
    # One token: signing it twice may fall on two different seconds.
    token = invitation_token(invitation)
    response = client_for(cast.outsider).get(f"/invitations/{token}/signup/")

    assert response.status_code == 302
    assert response["Location"] == f"/invitations/{token}/"


def test_a_withdrawn_invitation_gets_a_clear_410_page_and_no_account(client, invitation):
    invitation.revoked_at = timezone.now()
    invitation.save()

    response = client.post(url(invitation), form())

    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()
    assert not User.objects.filter(email__iexact="new@example.com").exists()


def test_an_expired_invitation_gets_a_clear_410_page(client, invitation):
    invitation.created_at = timezone.now() - timedelta(days=30)
    invitation.save()

    response = client.get(url(invitation))

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_a_tampered_link_gets_a_clear_400_page(client, invitation):
    token = invitation_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client.get(f"/invitations/{tampered}/signup/")

    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()
