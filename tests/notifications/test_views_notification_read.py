"""Marking one notification read: POST /notifications/<id>/read/."""

import pytest
from django.urls import reverse

from tests.notifications.inbox_factories import notification_for

pytestmark = pytest.mark.django_db


def url(notification):
    return reverse("notification_read", args=[notification.pk])


def test_the_owner_marks_it_read_and_returns_to_the_inbox(cast, client_for):
    notification = notification_for(cast.viewer)
    response = client_for(cast.viewer).post(url(notification))
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_the_plain_form_returns_to_the_page_it_came_from(cast, client_for):
    notification = notification_for(cast.viewer)
    back = reverse("notifications") + "?before=99"
    response = client_for(cast.viewer).post(url(notification), {"next": back})
    assert response["Location"] == back


def test_it_never_returns_to_another_site(cast, client_for):
    notification = notification_for(cast.viewer)
    response = client_for(cast.viewer).post(url(notification), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("notifications")


def test_someone_elses_notification_is_a_404(cast, client_for):
    notification = notification_for(cast.reviewer)
    for user in (cast.viewer, cast.outsider):
        assert client_for(user).post(url(notification)).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_get_is_not_allowed(cast, client_for):
    notification = notification_for(cast.viewer)
    assert client_for(cast.viewer).get(url(notification)).status_code == 405


def test_htmx_gets_the_item_back_read_and_the_header_count_out_of_band(cast, client_for):
    notification = notification_for(cast.viewer)
    notification_for(cast.viewer)  # still unread afterwards
    response = client_for(cast.viewer).post(url(notification), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert "inbox-item" in html
    assert ">New<" not in html
    assert "Mark read" not in html
    assert 'id="unread-count" hx-swap-oob="innerHTML"' in html
    assert '1<span class="visually-hidden"> unread</span>' in html
    heading = html.split('id="inbox-title"')[1].split("</h2>")[0]
    assert 'hx-swap-oob="true"' in heading
    assert "1 unread" in heading


def test_a_bare_word_as_next_returns_to_the_inbox(cast, client_for):
    notification = notification_for(cast.viewer)
    response = client_for(cast.viewer).post(url(notification), {"next": "nosuchview"})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
