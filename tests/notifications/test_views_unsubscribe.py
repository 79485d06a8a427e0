"""/unsubscribe/<token>/: no login, GET asks, POST (also RFC 8058 one-click) turns e-mail off."""

import pytest
from django.test import Client
from django.urls import reverse

from wbapp.activity.models import Frequency
from wbapp.notifications import preferences, unsubscribe


def url_for(user) -> str:
    return reverse("notifications_unsubscribe", args=[unsubscribe.unsubscribe_token(user)])


def frequency_of(user) -> str:
    return preferences.preferences_get(user).frequency


def test_get_asks_before_changing_anything(client, cast):
    response = client.get(url_for(cast.viewer))

    assert response.status_code == 200
    assert b"Stop notification e-mails?" in response.content
    assert cast.viewer.email.encode() in response.content
    assert b'method="post"' in response.content
    assert frequency_of(cast.viewer) == Frequency.DAILY


def test_post_turns_emails_off_without_signing_in(client, cast):
    response = client.post(url_for(cast.viewer))

    assert response.status_code == 200
    assert b"You are unsubscribed" in response.content
    assert frequency_of(cast.viewer) == Frequency.OFF


def test_one_click_post_from_a_mail_client_needs_no_csrf_token(cast):
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(url_for(cast.viewer), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert frequency_of(cast.viewer) == Frequency.OFF


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer", "outsider"])
def test_the_token_decides_whoever_is_signed_in(client_for, cast, role):
    client = client_for(cast.member(role))

    client.post(url_for(cast.viewer))

    assert frequency_of(cast.viewer) == Frequency.OFF
    if role != "viewer":
        assert frequency_of(cast.member(role)) == Frequency.DAILY


def test_a_bad_token_is_404_and_changes_nothing(client, cast):
    token = unsubscribe.unsubscribe_token(cast.viewer)
    url = reverse("notifications_unsubscribe", args=[token[:-3] + "abc"])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert frequency_of(cast.viewer) == Frequency.DAILY


def test_an_already_unsubscribed_user_is_told_so(client, cast):
    preferences.unsubscribe(user=cast.viewer)

    response = client.get(url_for(cast.viewer))

    assert b"You are unsubscribed" in response.content


def test_other_methods_are_refused(client, cast):
    assert client.put(url_for(cast.viewer)).status_code == 405
