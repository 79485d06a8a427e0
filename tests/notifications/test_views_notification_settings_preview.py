"""The notification settings page previews the next digest: what it would contain now, and when."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.services.action_items import action_item_create
from reviews.services.decisions import andon_pull
from tests.notifications.notify_helpers import async_comment, iteration
from tests.reviews.factories import comment, reading_session
from wbapp.activity.models import Frequency, NotificationPreference
from wbapp.notifications.fanout import fan_out_pending

pytestmark = pytest.mark.django_db

URL = reverse("notification_settings")
# Monday 23 November 2026, 10:30 in Berlin.
NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def now(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: NOW)


@pytest.fixture
def editor(cast):
    cast.editor.time_zone = "Europe/Berlin"
    cast.editor.save(update_fields=["time_zone"])
    return cast.editor


def preview_of(client) -> str:
    html = client.get(URL).content.decode()
    start = html.index('id="digest-preview"')
    return html[start : html.index("</section>", start)]


def test_the_preview_says_what_the_digest_would_contain_now_and_when_it_is_sent(
    cast, editor, client_for
):
    NotificationPreference.objects.create(user=editor, frequency=Frequency.DAILY, hour=17)
    revision = iteration(cast)
    initiative = revision.document.initiative
    async_comment(cast.reviewer, revision, body="Who pays the courier?")
    andon_pull(
        user=cast.reviewer, initiative=initiative, reason="Legal has not seen the refund promise"
    )
    action_item_create(
        user=cast.reviewer, initiative=initiative, title="Size the fraud risk", owner=editor
    )
    fan_out_pending()

    preview = preview_of(client_for(editor))

    assert '<time datetime="2026-11-23T17:00:00+01:00">Monday 23 November, 17:00</time>' in preview
    assert "(Europe/Berlin)" in preview
    assert "Waiting on you" in preview
    assert f'<a href="/i/{initiative.pk}/">{initiative.title}</a> is stopped' in preview
    assert "<q>Legal has not seen the refund promise</q>" in preview
    assert "Andon cord pulled by Reviewer, Mon 23 Nov, 10:30" in preview
    assert "<h5>Your action items</h5>" in preview
    assert "Size the fraud risk" in preview
    assert "Who pays the courier?" in preview
    assert "Reviewer" in preview and "added a question on iteration 1" in preview
    assert "3 updates since your last digest" in preview


def test_a_digest_due_now_says_it_goes_out_within_a_quarter_of_an_hour(cast, editor, client_for):
    async_comment(cast.reviewer, iteration(cast), body="Who pays the courier?")
    fan_out_pending()

    # The default: daily at 08:00; it is 10:30 in Berlin and today's has not gone.
    preview = preview_of(client_for(editor))

    assert "Due now: it goes out within the next quarter of an hour." in preview


def test_with_nothing_new_the_next_digest_is_tomorrows_if_something_new_comes(editor, client_for):
    preview = preview_of(client_for(editor))

    assert '<time datetime="2026-11-24T08:00:00+01:00">Tuesday 24 November, 08:00</time>' in preview
    assert "if something new has happened by then" in preview
    assert "Nothing new since your last digest." in preview
    assert "Waiting on you" not in preview


def test_the_preview_shows_only_what_the_user_may_see(cast, editor, client_for):
    revision = iteration(cast)
    # A silent read still going on: the reviewer's comment is private until the reveal.
    session = reading_session(cast, revision=revision)
    comment(cast.reviewer, session, body="Private until the reveal")
    # Another user's action item, and a comment the editor has seen in an e-mail already.
    action_item_create(
        user=cast.editor,
        initiative=revision.document.initiative,
        title="The viewer's item",
        owner=cast.viewer,
    )
    fan_out_pending()

    preview = preview_of(client_for(editor))

    assert "Private until the reveal" not in preview
    assert "The viewer's item" not in preview
    assert "Private until the reveal" not in preview_of(client_for(cast.owner))


def test_a_team_left_is_not_previewed(cast, client_for):
    revision = iteration(cast)
    async_comment(cast.editor, revision, body="Secret plans")
    async_comment(cast.reviewer, revision, body="More secret plans")
    fan_out_pending()
    assert "Secret plans" in preview_of(client_for(cast.reviewer))

    cast.reviewer.memberships.filter(team=cast.team).delete()

    assert "Secret plans" not in preview_of(client_for(cast.reviewer))


@pytest.mark.parametrize(
    ("frequency", "says"),
    [
        ("immediate", "You get an e-mail a few minutes after each event, so there is no digest."),
        ("off", "Workback sends you no e-mail, so there is no digest."),
    ],
)
def test_immediate_and_off_have_no_digest_to_preview(cast, client_for, frequency, says):
    NotificationPreference.objects.create(user=cast.viewer, frequency=frequency)

    preview = preview_of(client_for(cast.viewer))

    assert says in preview
    assert "<time" not in preview


def test_saving_with_htmx_refreshes_the_preview(editor, client_for):
    response = client_for(editor).post(
        URL, {"frequency": "weekly", "hour": "9", "weekday": "4"}, HTTP_HX_REQUEST="true"
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in html.split('id="digest-preview"')[1].split(">")[0]
    assert '<time datetime="2026-11-27T09:00:00+01:00">Friday 27 November, 09:00</time>' in html


@pytest.mark.parametrize("events", [1, 20])
def test_the_preview_costs_the_same_queries_for_one_event_or_many(
    cast, editor, client_for, events, django_assert_num_queries
):
    revision = iteration(cast)
    for n in range(events):
        async_comment(cast.reviewer, revision, body=f"Comment {n}")
    fan_out_pending()
    client = client_for(editor)
    client.get(URL)

    # On a second visit (the header's unread count and teams are kept): the user,
    # the preference, the six of the followed initiatives' list; and the
    # preview's: the user's teams; the uncovered notifications; the activities
    # shown and their comment excerpts; "waiting on you" (sessions, threads to
    # verify, threads waiting, action items, active Andon cords).
    with django_assert_num_queries(17):
        assert client.get(URL).status_code == 200


def test_a_refused_save_keeps_the_preview_of_the_saved_schedule(editor, client_for):
    response = client_for(editor).post(
        URL, {"frequency": "weekly", "hour": "99", "weekday": "4"}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 400
    assert "digest-preview" not in response.content.decode()
    html = client_for(editor).get(URL).content.decode()
    assert "Tuesday 24 November, 08:00" in html
