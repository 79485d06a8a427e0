import pytest
from django.core import mail

from tests.factories import InvitationFactory
from wbapp.accounts.models import Invitation, Role

pytestmark = pytest.mark.django_db

URL = "/t/returns/members/invite/"


def test_outsider_gets_404(cast, client_for):
    response = client_for(cast.outsider).post(URL, {"email": "x@example.com", "role": "viewer"})

    assert response.status_code == 404


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_who_are_not_owners_get_403(cast, client_for, role):
    response = client_for(cast.member(role)).post(URL, {"email": "x@example.com", "role": "viewer"})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_get_is_not_allowed(cast, client_for):
    assert client_for(cast.owner).get(URL).status_code == 405


def test_owner_invites_and_the_email_is_sent(cast, client_for, django_capture_on_commit_callbacks):
    client = client_for(cast.owner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"email": "new@example.com", "role": "editor"})

    assert response.status_code == 302
    assert response["Location"] == "/t/returns/members/"
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role) == ("new@example.com", Role.EDITOR)
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    page = client.get(response["Location"]).content.decode()
    assert "Invitation sent to new@example.com." in page


def test_with_htmx_the_invitations_panel_comes_back_with_the_new_invitation(cast, client_for):
    response = client_for(cast.owner).post(
        URL, {"email": "new@example.com", "role": "editor"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="invitations"')
    assert "new@example.com" in content
    assert "<html" not in content
    # The success message arrives out of band in the page's message area.
    assert 'hx-swap-oob="true"' in content
    assert "Invitation sent to new@example.com." in content


def test_a_duplicate_invitation_re_renders_the_page_with_the_error_and_400(cast, client_for):
    InvitationFactory(team=cast.team, email="new@example.com")

    response = client_for(cast.owner).post(URL, {"email": "new@example.com", "role": "editor"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "<html" in content
    assert "new@example.com already has a pending invitation to Returns." in content
    assert Invitation.objects.count() == 1


def test_with_htmx_a_member_address_returns_the_form_partial_with_the_error(cast, client_for):
    response = client_for(cast.owner).post(
        URL, {"email": "viewer@example.com", "role": "editor"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert "<html" not in content
    assert "viewer@example.com is already a member of Returns." in content
    assert 'value="viewer@example.com"' in content


def test_an_invalid_address_is_a_form_error(cast, client_for):
    response = client_for(cast.owner).post(URL, {"email": "not-an-address", "role": "editor"})

    assert response.status_code == 400
    assert b"field--invalid" in response.content
    assert not Invitation.objects.exists()
