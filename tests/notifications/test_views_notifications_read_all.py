"""Marking every notification read: POST /notifications/read/."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.notifications.inbox_factories import notification_for
from wbapp.activity.models import Notification

pytestmark = pytest.mark.django_db

URL = reverse("notifications_read_all")


def test_it_marks_all_of_mine_and_none_of_anyone_elses(cast, client_for):
    mine = [notification_for(cast.viewer) for _ in range(3)]
    theirs = notification_for(cast.reviewer)
    response = client_for(cast.viewer).post(URL)
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications")
    assert not Notification.objects.filter(pk__in=[n.pk for n in mine], read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["Marked 3 notifications read."]


def test_the_outsider_marks_only_their_own(cast, client_for):
    theirs = notification_for(cast.viewer)
    client_for(cast.outsider).post(URL)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_get_is_not_allowed(cast, client_for):
    assert client_for(cast.viewer).get(URL).status_code == 405


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.post(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_plain_form_returns_to_the_page_it_was_on(cast, client_for):
    notification_for(cast.viewer)
    response = client_for(cast.viewer).post(URL, {"before": "42"})
    assert response["Location"] == reverse("notifications") + "?before=42"


def test_htmx_gets_the_list_back_and_the_header_count_out_of_band(cast, client_for):
    notification = notification_for(cast.viewer)
    response = client_for(cast.viewer).post(URL, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="inbox"' in html
    assert f'id="notification-{notification.pk}"' in html
    assert "All caught up" in html
    assert ">New<" not in html
    assert 'id="unread-count" hx-swap-oob="innerHTML"' in html
    assert "badge--danger" not in html


def test_a_notification_that_arrived_after_the_page_was_shown_stays_unread(cast, client_for):
    shown = notification_for(cast.viewer)
    client = client_for(cast.viewer)
    page = client.get(reverse("notifications")).content.decode()
    assert f'name="up_to" value="{shown.pk}"' in page
    later = notification_for(cast.viewer)
    client.post(URL, {"up_to": shown.pk})
    shown.refresh_from_db()
    later.refresh_from_db()
    assert shown.read_at is not None
    assert later.read_at is None
