import pytest
from django.utils import timezone

from tests.factories import InvitationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(cast):
    return InvitationFactory(team=cast.team, email="pending@example.com")


def url(invitation) -> str:
    return f"/t/returns/invitations/{invitation.pk}/revoke/"


def test_outsider_gets_404(cast, client_for, invitation):
    assert client_for(cast.outsider).post(url(invitation)).status_code == 404


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_who_are_not_owners_get_403(cast, client_for, invitation, role):
    assert client_for(cast.member(role)).post(url(invitation)).status_code == 403
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


def test_owner_withdraws_an_invitation(cast, client_for, invitation):
    client = client_for(cast.owner)

    response = client.post(url(invitation))

    assert response.status_code == 302
    assert response["Location"] == "/t/returns/members/"
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    page = client.get(response["Location"]).content.decode()
    assert "Invitation of pending@example.com withdrawn." in page


def test_an_invitation_no_longer_pending_is_404(cast, client_for, invitation):
    invitation.accepted_at = timezone.now()
    invitation.save()

    assert client_for(cast.owner).post(url(invitation)).status_code == 404


def test_an_invitation_of_another_team_is_404(cast, client_for):
    elsewhere = InvitationFactory()

    assert client_for(cast.owner).post(url(elsewhere)).status_code == 404
