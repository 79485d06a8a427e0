"""The header's unread count: GET /notifications/count/ (polled) and the header itself."""

import re

import pytest
from django.urls import reverse

from tests.notifications.inbox_factories import notification_for
from wbapp.notifications import inbox

pytestmark = pytest.mark.django_db

URL = reverse("notifications_count")


def test_it_says_how_many_are_unread_in_words(cast, client_for):
    for _ in range(3):
        notification_for(cast.viewer)
    notification_for(cast.viewer, read=True)
    notification_for(cast.reviewer)
    response = client_for(cast.viewer).get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert '3<span class="visually-hidden"> unread</span>' in html
    assert "<html" not in html
    assert response["ETag"]
    assert response["Cache-Control"] == "private, no-store"


def test_nothing_unread_shows_no_badge(cast, client_for):
    notification_for(cast.viewer, read=True)
    html = client_for(cast.viewer).get(URL).content.decode()
    assert "badge" not in html
    assert "visually-hidden" not in html


def test_an_unchanged_count_is_a_304_without_a_body(cast, client_for):
    notification_for(cast.viewer)
    client = client_for(cast.viewer)
    etag = client.get(URL)["ETag"]
    response = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


def test_a_new_notification_changes_the_answer(cast, client_for):
    notification_for(cast.viewer)
    client = client_for(cast.viewer)
    etag = client.get(URL)["ETag"]
    notification_for(cast.viewer)
    response = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert '2<span class="visually-hidden"> unread</span>' in response.content.decode()


def test_one_users_version_is_not_anothers(cast, client_for):
    notification_for(cast.viewer)
    notification_for(cast.reviewer)
    etag = client_for(cast.viewer).get(URL)["ETag"]
    response = client_for(cast.reviewer).get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200


def test_the_304_costs_the_user_only(cast, client_for, django_assert_num_queries):
    notification_for(cast.viewer)
    client = client_for(cast.viewer)
    etag = client.get(URL)["ETag"]
    # The login session and the count (counted by the first poll) come from the cache.
    with django_assert_num_queries(1):
        assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_reading_a_notification_is_counted_at_once(cast, client_for):
    notification = notification_for(cast.viewer)
    client = client_for(cast.viewer)
    etag = client.get(URL)["ETag"]
    assert inbox.unread_count(cast.viewer) == 1

    inbox.mark_read(user=cast.viewer, ids=[notification.pk])

    response = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert "badge--danger" not in response.content.decode()
    assert inbox.unread_count(cast.viewer) == 0


def test_a_signed_out_page_is_told_to_stop_polling(client):
    response = client.get(URL)
    # 286 is htmx's "stop polling"; a redirect would swap the sign-in page into the header.
    assert response.status_code == 286
    assert response.content == b""


# --- The header on every page ---------------------------------------------------------------


def test_every_page_header_links_the_inbox_with_the_count_in_a_live_region(cast, client_for):
    notification_for(cast.viewer)
    notification_for(cast.viewer)
    html = client_for(cast.viewer).get(reverse("home")).content.decode()
    link = re.search(r'<a href="/notifications/"[^>]*>\s*Notifications.*?</a>', html, re.S)
    assert link, "no Notifications link in the header"
    assert 'aria-live="polite"' in link.group(0)
    assert f'hx-get="{URL}"' in link.group(0)
    assert '2<span class="visually-hidden"> unread</span>' in link.group(0)
    assert f'href="{reverse("notification_settings")}"' in html


def test_the_header_count_costs_one_query_and_only_when_shown(
    cast, client_for, django_assert_num_queries
):
    notification_for(cast.viewer)
    client = client_for(cast.viewer)
    # The profile page: user, navigation teams, unread count (the login session is cached).
    with django_assert_num_queries(3):
        assert client.get(reverse("profile")).status_code == 200


def test_signed_out_pages_have_no_count(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "unread-count" not in html
    assert "notifications.js" not in html
