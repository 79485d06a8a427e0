"""Signing in returns to ``next`` only when it is a path on this site (same_site_path)."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, next_url: str):
    user = UserFactory(email="maya@example.com")
    return client.post(
        "/accounts/login/", {"login": user.email, "password": PASSWORD, "next": next_url}
    )


def test_signing_in_returns_to_a_path_on_this_site(client):
    assert sign_in(client, "/notifications/")["Location"] == "/notifications/"


@pytest.mark.parametrize("target", ["nosuchview", "//evil.example/", "https://evil.example/"])
def test_any_other_next_goes_to_my_reviews(client, target):
    response = sign_in(client, target)
    assert response.status_code == 302
    assert response["Location"] == "/"
