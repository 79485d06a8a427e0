import pytest

from tests.factories import InvitationFactory, UserFactory
from wbapp.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/accounts/user/",
        "/admin/accounts/user/add/",
        "/admin/accounts/team/",
        "/admin/accounts/team/add/",
        "/admin/accounts/invitation/",
    ],
)
def test_admin_pages_open(admin_client_, cast, url):
    assert admin_client_.get(url).status_code == 200


def test_admin_change_pages_open(admin_client_, cast):
    invitation = InvitationFactory(team=cast.team)

    assert admin_client_.get(f"/admin/accounts/user/{cast.owner.pk}/change/").status_code == 200
    assert admin_client_.get(f"/admin/accounts/team/{cast.team.pk}/change/").status_code == 200
    page = admin_client_.get(f"/admin/accounts/invitation/{invitation.pk}/change/")
    assert page.status_code == 200


def test_admin_adds_a_user_by_email(admin_client_):
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "email": "new@example.com",
            "usable_password": "true",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )

    assert response.status_code == 302
    assert User.objects.get(email="new@example.com").check_password("a-long-enough-password")


def test_admin_refuses_an_address_that_differs_only_in_case(admin_client_, cast):
    response = admin_client_.post(
        "/admin/accounts/user/add/",
        {
            "email": "OWNER@example.com",
            "usable_password": "true",
            "password1": "a-long-enough-password",
            "password2": "a-long-enough-password",
        },
    )

    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_the_admin_action_withdraws_pending_invitations(admin_client_, cast):
    invitation = InvitationFactory(team=cast.team)

    response = admin_client_.post(
        "/admin/accounts/invitation/",
        {"action": "revoke", "_selected_action": [invitation.pk]},
    )

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
