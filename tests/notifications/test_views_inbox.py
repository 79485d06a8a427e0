"""The notifications inbox: GET /notifications/."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.documents.factories import InitiativeFactory
from tests.notifications.inbox_factories import notification_for, notifications_for

pytestmark = pytest.mark.django_db

URL = reverse("notifications")


def items(html: str) -> list[str]:
    return re.findall(r'<li id="notification-(\d+)"', html)


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_user_sees_only_their_own_notifications(cast, client_for):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    mine = notification_for(cast.viewer, initiative=initiative)
    theirs = notification_for(cast.reviewer, initiative=initiative)
    # The outsider's own inbox, in their own team: none of the cast's rows.
    outsider_own = notification_for(cast.outsider)

    html = client_for(cast.viewer).get(URL).content.decode()
    assert items(html) == [str(mine.pk)]

    html = client_for(cast.outsider).get(URL).content.decode()
    assert items(html) == [str(outsider_own.pk)]
    assert str(theirs.pk) not in items(html)
    assert initiative.title not in html


def test_notifications_are_newest_first_and_link_through_the_open_view(cast, client_for):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")
    older = notification_for(cast.viewer, initiative=initiative, actor=cast.editor)
    newer = notification_for(
        cast.viewer,
        initiative=initiative,
        actor=cast.owner,
        payload={"document_id": 7, "document_title": "PR/FAQ", "number": 2, "note": "Sharper"},
    )
    html = client_for(cast.viewer).get(URL).content.decode()
    assert items(html) == [str(newer.pk), str(older.pk)]
    assert f'href="{reverse("notification_open", args=[newer.pk])}"' in html
    assert "saved iteration 2 of PR/FAQ" in html
    assert "Self-serve returns" in html
    assert "You follow the initiative" in html


def test_unread_notifications_say_new_in_words_not_only_in_colour(cast, client_for):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    unread = notification_for(cast.viewer, initiative=initiative)
    read = notification_for(cast.viewer, initiative=initiative, read=True)
    html = client_for(cast.viewer).get(URL).content.decode()
    unread_item = html.split(f'id="notification-{unread.pk}"')[1].split("</li>")[0]
    read_item = html.split(f'id="notification-{read.pk}"')[1].split("</li>")[0]
    assert ">New<" in unread_item
    assert "Mark read" in unread_item
    assert ">New<" not in read_item
    assert "Mark read" not in read_item
    assert "1 unread" in html


def test_notifications_are_grouped_by_day_in_the_users_time_zone(cast, client_for):
    # A zone whose date differs from UTC's right now, so a UTC grouping would show.
    utc_hour = timezone.now().hour
    cast.viewer.time_zone = "Pacific/Kiritimati" if utc_hour >= 10 else "Pacific/Pago_Pago"
    cast.viewer.save(update_fields=["time_zone"])
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    now = timezone.now()
    long_ago = notification_for(cast.viewer, initiative=initiative, at=now - timedelta(days=9))
    notification_for(cast.viewer, initiative=initiative, at=now - timedelta(days=1))
    notification_for(cast.viewer, initiative=initiative, at=now)

    html = client_for(cast.viewer).get(URL).content.decode()
    headings = re.findall(
        r'<h3 class="inbox-day">\s*<time datetime="([\d-]+)">([^<]+)</time>', html
    )
    local = timezone.localtime(long_ago.activity.created_at, cast.viewer.tzinfo).date()
    assert [label for _, label in headings][:2] == ["Today", "Yesterday"]
    today = timezone.localtime(timezone.now(), cast.viewer.tzinfo).date()
    assert today != timezone.now().date()
    assert headings[0][0] == today.isoformat()
    assert headings[2][0] == local.isoformat()
    assert headings[2][1].startswith(local.strftime("%A"))


def test_an_empty_inbox_says_what_will_arrive_there(cast, client_for):
    html = client_for(cast.viewer).get(URL).content.decode()
    assert "All caught up" in html
    assert "Nothing yet" in html
    assert "Mark all as read" not in html


def test_older_notifications_are_on_the_next_page(cast, client_for):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    rows = notifications_for(cast.viewer, 55, initiative=initiative)
    client = client_for(cast.viewer)
    first = client.get(URL).content.decode()
    assert len(items(first)) == 50
    oldest_shown = min(int(pk) for pk in items(first))
    assert f"?before={oldest_shown}" in first

    second = client.get(URL, {"before": oldest_shown}).content.decode()
    assert sorted(int(pk) for pk in items(second)) == sorted(n.pk for n in rows[:5])
    assert "Older notifications" not in second


def test_a_bad_page_marker_shows_the_newest(cast, client_for):
    notification = notification_for(cast.viewer)
    html = client_for(cast.viewer).get(URL, {"before": "nonsense"}).content.decode()
    assert items(html) == [str(notification.pk)]


@pytest.mark.parametrize("count", [1, 50])
def test_the_inbox_has_a_fixed_query_budget(cast, client_for, count):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    notifications_for(cast.viewer, count, initiative=initiative)
    # A comment notification too, so the excerpt query is part of both counts.
    notification_for(
        cast.viewer,
        initiative=initiative,
        verb="comment_added",
        payload={"comment_id": 1, "document_id": 1, "number": 1, "kind": "question"},
    )
    client = client_for(cast.viewer)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert len(items(response.content.decode())) == min(count + 1, 50)
    # user (the login session is cached), notifications with activity + actor + initiative + team,
    # comment excerpts, the unread count (shared with the header), navigation teams.
    assert len(queries) == 5, "\n".join(q["sql"] for q in queries)
