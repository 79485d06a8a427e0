"""allauth with our e-mail-only User: sign-up, verification, sign-in (throttling: its own file)."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import SESSION_KEY
from django.core import mail

from tests.factories import PASSWORD, UserFactory
from wbapp.accounts.models import User

pytestmark = pytest.mark.django_db


def test_signing_up_creates_a_user_and_sends_a_verification_email(client):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Maya Chen",
            "email": "Maya@Example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/confirm-email/"
    user = User.objects.get(email__iexact="maya@example.com")
    assert user.name == "Maya Chen"
    assert not EmailAddress.objects.get(user=user).verified
    [message] = mail.outbox
    assert message.to == ["maya@example.com"]
    assert "/accounts/confirm-email/" in message.body
    # Verification is mandatory: nobody is signed in yet.
    assert SESSION_KEY not in client.session


def test_the_sign_up_form_asks_for_the_full_name_first(client):
    html = client.get("/accounts/signup/").content.decode()

    assert "Full name" in html
    assert html.index('name="display_name"') < html.index('name="email"')


def test_signing_up_without_a_name_is_refused(client):
    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "  ",
            "email": "maya@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    assert response.status_code == 200
    assert not User.objects.exists()
    assert not mail.outbox


def test_the_confirmation_link_is_on_the_configured_site_address(client, settings):
    settings.SITE_URL = "http://127.0.0.1:8100"

    client.post(
        "/accounts/signup/",
        {
            "display_name": "Maya",
            "email": "maya@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    [message] = mail.outbox
    assert "http://127.0.0.1:8100/accounts/confirm-email/" in message.body
    # Not the host the request came in on (the test client's "testserver").
    assert "http://testserver" not in message.body


def test_signing_up_again_with_a_known_address_creates_no_second_user(client):
    UserFactory(email="maya@example.com")

    response = client.post(
        "/accounts/signup/",
        {
            "display_name": "Maya",
            "email": "MAYA@example.com",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )

    # allauth does not reveal that the address is taken; it tells the owner by e-mail.
    assert response.status_code == 302
    assert User.objects.filter(email__iexact="maya@example.com").count() == 1
    [message] = mail.outbox
    assert message.to == ["maya@example.com"]


def test_signing_in_with_an_email_address(client):
    user = UserFactory(email="raj@example.com")

    response = client.post("/accounts/login/", {"login": "raj@example.com", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)


def test_a_wrong_password_does_not_sign_in(client):
    UserFactory(email="raj@example.com")

    response = client.post("/accounts/login/", {"login": "raj@example.com", "password": "nope"})

    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_one_accounts_failures_do_not_slow_another_account(client):
    UserFactory(email="lee@example.com")
    UserFactory(email="raj@example.com")
    for _ in range(5):
        client.post("/accounts/login/", {"login": "lee@example.com", "password": "x"})

    response = client.post("/accounts/login/", {"login": "raj@example.com", "password": PASSWORD})

    assert response.status_code == 302
