"""Accept and Decline on the home page's pending invitations."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories import InvitationFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitee():
    return UserFactory(email="new@example.com", display_name="New")


@pytest.fixture
def invitation(cast):
    return InvitationFactory(
        team=cast.team, email="NEW@example.com", role=Role.VIEWER, invited_by=cast.owner
    )


def test_the_home_page_has_accept_and_decline_for_each_invitation(client_for, invitee, invitation):
    html = client_for(invitee).get("/").content.decode()

    assert f'action="/invitations/{invitation.pk}/accept/"' in html
    assert f'action="/invitations/{invitation.pk}/decline/"' in html
    assert "csrfmiddlewaretoken" in html


def test_accept_joins_the_team(cast, client_for, invitee, invitation):
    response = client_for(invitee).post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert response.redirect_chain == [("/t/returns/", 302)]
    assert Membership.objects.get(team=cast.team, user=invitee).role == Role.VIEWER
    assert "Welcome to Returns! You joined as viewer." in response.content.decode()


def test_decline_drops_the_invitation_from_the_home_page(cast, client_for, invitee, invitation):
    client = client_for(invitee)

    response = client.post(f"/invitations/{invitation.pk}/decline/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    html = response.content.decode()
    assert "You declined the invitation to Returns." in html
    assert "Invitations for you" not in html
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert not Membership.objects.filter(team=cast.team, user=invitee).exists()


def test_a_declined_invitation_cannot_be_accepted_after(client_for, invitee, invitation):
    client = client_for(invitee)
    client.post(f"/invitations/{invitation.pk}/decline/")

    response = client.post(f"/invitations/{invitation.pk}/accept/")

    assert response.status_code == 404
    assert not Membership.objects.filter(user=invitee).exists()


def test_an_expired_invitation_is_refused_with_a_message(client_for, invitee, invitation):
    invitation.created_at = timezone.now() - timedelta(days=30)
    invitation.save()

    response = client_for(invitee).post(f"/invitations/{invitation.pk}/accept/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    assert "This invitation has expired" in response.content.decode()
    assert not Membership.objects.filter(user=invitee).exists()


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_the_outsider_gets_404_for_someone_elses_invitation(cast, client_for, invitation, action):
    response = client_for(cast.outsider).post(f"/invitations/{invitation.pk}/{action}/")

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.is_pending


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_a_team_owner_cannot_answer_for_the_invitee(cast, client_for, invitation, action):
    response = client_for(cast.owner).post(f"/invitations/{invitation.pk}/{action}/")

    assert response.status_code == 404


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_get_is_not_allowed(client_for, invitee, invitation, action):
    response = client_for(invitee).get(f"/invitations/{invitation.pk}/{action}/")

    assert response.status_code == 405


@pytest.mark.parametrize("action", ["accept", "decline"])
def test_signed_out_visitors_are_sent_to_sign_in(client, invitation, action):
    response = client.post(f"/invitations/{invitation.pk}/{action}/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_owner_may_invite_the_address_again_after_a_decline(cast, client_for, invitee):
    first = InvitationFactory(team=cast.team, email=invitee.email, invited_by=cast.owner)
    client_for(invitee).post(f"/invitations/{first.pk}/decline/")

    response = client_for(cast.owner).post(
        "/t/returns/members/invite/", {"email": invitee.email, "role": Role.REVIEWER}
    )

    assert response.status_code == 302
    assert cast.team.invitations.pending().filter(email=invitee.email).count() == 1


def test_other_teams_invitations_stay_when_one_is_declined(client_for, invitee, invitation):
    other = InvitationFactory(team=TeamFactory(name="Payments"), email=invitee.email)
    client = client_for(invitee)

    client.post(f"/invitations/{invitation.pk}/decline/")

    html = client.get("/").content.decode()
    assert "Payments" in html
    assert f'action="/invitations/{other.pk}/accept/"' in html
