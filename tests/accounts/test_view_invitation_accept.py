import re
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.utils import timezone

from tests.factories import PASSWORD, InvitationFactory, UserFactory
from wbapp.accounts.models import Membership, Role
from wbapp.accounts.services import invitation_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cast):
    return InvitationFactory(
        team=cast.team, email="new@example.com", role=Role.EDITOR, invited_by=cast.owner
    )


def url(invitation) -> str:
    return f"/invitations/{invitation_token(invitation)}/"


def test_the_invitee_sees_team_role_and_inviter(client_for, invitation):
    response = client_for(UserFactory(email="new@example.com")).get(url(invitation))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Join Returns" in content
    assert '<span class="badge badge--editor">Editor</span>' in content
    assert "Owner (owner@example.com)" in content
    assert "Accept and join Returns" in content


def test_accepting_joins_the_team_and_lands_on_the_board(cast, client_for, invitation):
    client = client_for(UserFactory(email="New@Example.com"))

    response = client.post(url(invitation))

    assert response.status_code == 302
    assert response["Location"] == "/t/returns/"
    assert Membership.objects.get(user__email="New@Example.com", team=cast.team).role == "editor"
    board = client.get("/t/returns/").content.decode()
    assert "Welcome to Returns! You joined as editor." in board


def test_a_second_click_on_accept_just_goes_to_the_board(client_for, invitation):
    client = client_for(UserFactory(email="new@example.com"))
    client.post(url(invitation))

    response = client.post(url(invitation))

    assert response.status_code == 302
    assert response["Location"] == "/t/returns/"


def test_someone_signed_in_with_another_address_is_told_which_address_was_invited(
    cast, client_for, invitation
):
    client = client_for(cast.outsider)

    page = client.get(url(invitation))
    assert page.status_code == 200
    assert "This invitation was sent to new@example.com" in page.content.decode()
    assert "Accept and join" not in page.content.decode()

    response = client.post(url(invitation))
    assert response.status_code == 400
    assert "Sign in as new@example.com to accept it." in response.content.decode()
    assert not Membership.objects.filter(team=cast.team, user=cast.outsider).exists()


def test_a_tampered_link_gets_a_clear_400_page(client_for, invitation):
    token = invitation_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    response = client_for(UserFactory(email="new@example.com")).get(f"/invitations/{tampered}/")

    assert response.status_code == 400
    assert "This invitation link is not valid" in response.content.decode()


def test_garbage_in_the_link_is_400_not_500(client):
    response = client.get("/invitations/not-a-token/")

    assert response.status_code == 400


def test_an_expired_link_gets_a_clear_410_page(client_for, invitation, settings):
    days = settings.TEAM_INVITATION_MAX_AGE_DAYS + 1
    signed_at = timezone.now().timestamp() - days * 86400
    with mock.patch.object(signing.time, "time", return_value=signed_at):
        token = invitation_token(invitation)

    response = client_for(UserFactory(email="new@example.com")).get(f"/invitations/{token}/")

    assert response.status_code == 410
    assert "This invitation has expired" in response.content.decode()


def test_an_expired_invitation_gets_410_even_with_a_fresh_link(client_for, invitation):
    invitation.created_at = timezone.now() - timedelta(days=8)
    invitation.save()

    response = client_for(UserFactory(email="new@example.com")).post(url(invitation))

    assert response.status_code == 410
    assert not Membership.objects.filter(user__email="new@example.com").exists()


def test_a_withdrawn_invitation_gets_410(client_for, invitation):
    invitation.revoked_at = timezone.now()
    invitation.save()

    response = client_for(UserFactory(email="new@example.com")).get(url(invitation))

    assert response.status_code == 410
    assert "This invitation was withdrawn" in response.content.decode()


def test_an_invitation_used_by_someone_else_gets_410(cast, client_for, invitation):
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = cast.editor
    invitation.save()

    response = client_for(UserFactory(email="new@example.com")).get(url(invitation))

    assert response.status_code == 410


def test_a_signed_out_visitor_sees_the_team_and_the_inviter_and_may_sign_up_or_in(
    client, invitation
):
    token = invitation_token(invitation)

    response = client.get(f"/invitations/{token}/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Join Returns" in html
    assert "Owner invited you" in html
    assert "new@example.com" in html
    assert f'href="/invitations/{token}/signup/">Create your account</a>' in html
    assert f'href="/invitations/{token}/signin/">Sign in</a>' in html
    assert "Accept and join" not in html


def test_a_signed_out_visitor_with_an_account_is_offered_sign_in_first(client, invitation):
    UserFactory(email="New@example.com")

    html = client.get(url(invitation)).content.decode()

    assert html.index("Sign in and join Returns") < html.index("Create your account")


def test_a_declined_invitation_gets_410(client, invitation):
    invitation.declined_at = timezone.now()
    invitation.save()

    response = client.get(url(invitation))

    assert response.status_code == 410
    assert "You declined this invitation" in response.content.decode()


def test_the_invitee_may_decline_from_the_invitation_page(client_for, invitation):
    html = client_for(UserFactory(email="new@example.com")).get(url(invitation)).content.decode()

    assert f'action="/invitations/{invitation.pk}/decline/"' in html


def test_someone_signed_in_as_another_address_may_sign_out_and_come_back(
    cast, client_for, invitation
):
    link = url(invitation)  # once: signing it twice may fall on two different seconds
    html = client_for(cast.outsider).get(link).content.decode()

    assert 'action="/accounts/logout/"' in html
    assert f'name="next" value="{link}"' in html


def test_an_existing_user_signs_in_and_lands_back_on_the_invitation(client, invitation):
    UserFactory(email="new@example.com")
    link = url(invitation)

    response = client.post(
        f"/accounts/login/?next={link}", {"login": "new@example.com", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"] == link


def test_a_new_user_signs_up_verifies_and_lands_back_on_the_invitation(client, invitation):
    link = url(invitation)

    signup = client.post(
        f"/accounts/signup/?next={link}",
        {
            "display_name": "New Person",
            "email": "new@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "next": link,
        },
    )
    assert signup.status_code == 302
    [verification] = mail.outbox
    confirm = urlsplit(re.search(r"https?://\S+/accounts/confirm-email/\S+", verification.body)[0])
    confirmed = client.post(confirm.path)

    assert confirmed.status_code == 302
    assert confirmed["Location"] == link
    assert client.post(link)["Location"] == "/t/returns/"
    assert Membership.objects.get(user__email="new@example.com").role == Role.EDITOR
