"""Throttling sign-in, sign-up and password reset: slow an attacker, never lock the owner out.

Failed sign-ins slow down one account from one client address (the pair); the client
address is read through the configured number of trusted proxies. Refusals answer 429
with Retry-After and say, in words, when to try again. The throttle lives in Redis,
which the suite clears between tests.
"""

import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail

from tests.factories import PASSWORD, InvitationFactory, UserFactory
from wbapp.accounts.services import invitation_token

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.7"
OWNER = "203.0.113.5"
COLLEAGUE = "203.0.113.80"
PROXY = "10.0.0.2"


def sign_in(client, email, password, *, address=OWNER, forwarded_for=None):
    headers = {"REMOTE_ADDR": address}
    if forwarded_for is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded_for
    client.logout()
    return client.post("/accounts/login/", {"login": email, "password": password}, **headers)


def signed_in(client, user) -> bool:
    return client.session.get(SESSION_KEY) == str(user.pk)


def retry_after(response) -> int:
    return int(response["Retry-After"])


def fail(client, email, times, **where):
    for _ in range(times):
        sign_in(client, email, "wrong-password", **where)


# --- One account, one address ------------------------------------------------------------


def test_an_attacker_hammering_an_account_from_one_address_leaves_the_owner_signing_in(client):
    owner = UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 20, address=ATTACKER)

    response = sign_in(client, "lee@example.com", PASSWORD, address=OWNER)

    assert response.status_code == 302
    assert signed_in(client, owner)


def test_after_five_failures_the_same_address_waits_even_with_the_right_password(client):
    owner = UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 5, address=ATTACKER)

    response = sign_in(client, "lee@example.com", PASSWORD, address=ATTACKER)

    assert response.status_code == 429
    assert retry_after(response) in (59, 60)  # Counted from the fifth failure, a moment ago.
    html = response.content.decode()
    assert "Too many failed sign-ins to this account from your address." in html
    assert "Try again in 1 minute, or reset your password." in html
    # The sign-in page itself, in the site's layout, with the form to try again.
    assert 'class="site-header"' in html
    assert 'name="password"' in html
    assert not signed_in(client, owner)


def test_the_first_four_failures_cost_no_wait(client):
    owner = UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 4, address=OWNER)

    response = sign_in(client, "lee@example.com", PASSWORD, address=OWNER)

    assert response.status_code == 302
    assert signed_in(client, owner)


def test_the_address_signs_in_once_the_wait_is_over(client, settings):
    settings.LOGIN_THROTTLE_FIRST_WAIT = 1
    owner = UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 5, address=OWNER)
    refused = sign_in(client, "lee@example.com", PASSWORD, address=OWNER)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"

    time.sleep(1.1)
    response = sign_in(client, "lee@example.com", PASSWORD, address=OWNER)

    assert response.status_code == 302
    assert signed_in(client, owner)


def test_each_failure_past_the_fifth_doubles_the_wait(client, settings):
    settings.LOGIN_THROTTLE_FIRST_WAIT = 1
    UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 5, address=ATTACKER)
    time.sleep(1.1)
    fail(client, "lee@example.com", 1, address=ATTACKER)

    response = sign_in(client, "lee@example.com", PASSWORD, address=ATTACKER)

    assert response.status_code == 429
    assert retry_after(response) in (1, 2)
    html = response.content.decode()
    assert re.search(r"Try again in [12] seconds?, or reset your password", html)


def test_a_successful_sign_in_forgets_the_addresss_failures(client):
    owner = UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 4, address=OWNER)
    assert sign_in(client, "lee@example.com", PASSWORD, address=OWNER).status_code == 302
    fail(client, "lee@example.com", 4, address=OWNER)

    response = sign_in(client, "lee@example.com", PASSWORD, address=OWNER)

    assert response.status_code == 302
    assert signed_in(client, owner)


def test_an_address_failing_on_many_accounts_is_slowed_down(client):
    # Password spraying: one address, one guess per account. allauth's per-address limit
    # (ACCOUNT_RATE_LIMITS["login_failed"]) holds it, with the same kind of answer.
    for number in range(10):
        sign_in(client, f"user{number}@example.com", "wrong-password", address=ATTACKER)
    UserFactory(email="lee@example.com")

    response = sign_in(client, "lee@example.com", PASSWORD, address=ATTACKER)

    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    assert "Too many failed sign-ins from your address. Try again in 1 minute." in (
        response.content.decode()
    )


def test_signing_in_through_an_invitation_is_throttled_alike(client, cast):
    invitation = InvitationFactory(team=cast.team, email="new@example.com", invited_by=cast.owner)
    UserFactory(email="new@example.com")
    url = f"/invitations/{invitation_token(invitation)}/signin/"
    for _ in range(5):
        client.post(url, {"login": "new@example.com", "password": "nope"}, REMOTE_ADDR=ATTACKER)

    response = client.post(
        url, {"login": "new@example.com", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )

    assert response.status_code == 429
    assert retry_after(response) in (59, 60)
    assert "Sign in to join Returns" in response.content.decode()


# --- Many people behind one proxy ------------------------------------------------------------


@pytest.fixture
def behind_one_proxy(settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1


def test_one_persons_failures_behind_the_proxy_block_nobody_else(client, behind_one_proxy):
    owner = UserFactory(email="lee@example.com")
    colleague = UserFactory(email="raj@example.com")
    # More failures than allauth allows one address a minute, all through the proxy.
    fail(client, "lee@example.com", 12, address=PROXY, forwarded_for=ATTACKER)

    colleague_response = sign_in(
        client, "raj@example.com", PASSWORD, address=PROXY, forwarded_for=COLLEAGUE
    )
    assert colleague_response.status_code == 302
    assert signed_in(client, colleague)
    owner_response = sign_in(
        client, "lee@example.com", PASSWORD, address=PROXY, forwarded_for=OWNER
    )
    assert owner_response.status_code == 302
    assert signed_in(client, owner)


def test_a_forwarded_address_written_by_the_client_is_ignored(client, behind_one_proxy):
    UserFactory(email="lee@example.com")
    # The proxy appends the address it saw; what the attacker wrote before it changes each time.
    for number in range(5):
        sign_in(
            client,
            "lee@example.com",
            "wrong-password",
            address=PROXY,
            forwarded_for=f"192.0.2.{number}, {ATTACKER}",
        )

    response = sign_in(
        client,
        "lee@example.com",
        PASSWORD,
        address=PROXY,
        forwarded_for=f"{OWNER}, {ATTACKER}",
    )

    assert response.status_code == 429


# --- Sign-up and password reset -----------------------------------------------------------


def test_sign_up_is_throttled_per_address(client):
    for _ in range(20):
        client.post("/accounts/signup/", {}, REMOTE_ADDR=ATTACKER)

    refused = client.post("/accounts/signup/", {}, REMOTE_ADDR=ATTACKER)
    elsewhere = client.post("/accounts/signup/", {}, REMOTE_ADDR=OWNER)

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    html = refused.content.decode()
    assert "Too many attempts" in html
    assert "Try again in 1 minute." in html
    assert 'class="site-header"' in html
    assert elsewhere.status_code == 200


def test_password_reset_is_throttled_per_address_asked_for(client):
    UserFactory(email="lee@example.com")
    for _ in range(5):
        client.post("/accounts/password/reset/", {"email": "lee@example.com"}, REMOTE_ADDR=ATTACKER)

    refused = client.post(
        "/accounts/password/reset/", {"email": "lee@example.com"}, REMOTE_ADDR=ATTACKER
    )

    assert refused.status_code == 429
    assert refused["Retry-After"] == "60"
    assert "Try again in 1 minute." in refused.content.decode()


def test_resetting_the_password_forgets_the_addresss_failures(client):
    owner = UserFactory(email="lee@example.com")
    fail(client, "lee@example.com", 5, address=OWNER)
    client.post("/accounts/password/reset/", {"email": "lee@example.com"}, REMOTE_ADDR=OWNER)
    [link] = re.findall(r"https?://\S+(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body)
    form = client.get(link, REMOTE_ADDR=OWNER, follow=True)
    new_password = "a-new-horse-battery-staple"
    client.post(
        form.redirect_chain[-1][0],
        {"password1": new_password, "password2": new_password},
        REMOTE_ADDR=OWNER,
    )
    owner.refresh_from_db()
    assert owner.check_password(new_password)

    response = sign_in(client, "lee@example.com", new_password, address=OWNER)

    assert response.status_code == 302
    assert signed_in(client, owner)


def test_the_admin_sign_in_is_the_throttled_one(client):
    # Django's own admin sign-in would check passwords with no throttle at all.
    staff = UserFactory(email="admin@example.com", is_staff=True, is_superuser=True)

    response = client.post(
        "/admin/login/", {"username": "admin@example.com", "password": PASSWORD}, REMOTE_ADDR=OWNER
    )

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Flogin%2F"
    assert not signed_in(client, staff)
