"""Notification settings: GET and POST /settings/notifications/."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.documents.factories import InitiativeFactory
from wbapp.activity.models import Frequency, NotificationPreference
from wbapp.notifications import follows, preferences

pytestmark = pytest.mark.django_db

URL = reverse("notification_settings")


def valid(**changes) -> dict:
    return {"frequency": "weekly", "hour": "17", "weekday": "4", **changes}


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_page_shows_the_defaults_in_the_users_time_zone_without_writing(cast, client_for):
    cast.viewer.time_zone = "Europe/Berlin"
    cast.viewer.save(update_fields=["time_zone"])
    html = client_for(cast.viewer).get(URL).content.decode()
    assert 'value="daily" checked' in html.replace("\n", " ").replace("  ", " ") or (
        'value="daily"' in html and "checked" in html.split('value="daily"')[1].split(">")[0]
    )
    assert '<option value="8" selected>08:00</option>' in html
    assert "Europe/Berlin" in html
    assert f'href="{reverse("profile")}"' in html
    assert not NotificationPreference.objects.filter(user=cast.viewer).exists()


def test_saving_stores_the_choice_and_says_when_the_digest_comes(cast, client_for):
    response = client_for(cast.viewer).post(URL, valid())
    assert response.status_code == 302
    assert response["Location"] == URL
    preference = NotificationPreference.objects.get(user=cast.viewer)
    assert (preference.frequency, preference.hour, preference.weekday) == ("weekly", 17, 4)
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved. Your weekly digest arrives on Fridays at 17:00."
    ]


def test_the_saved_choice_is_shown_next_time(cast, client_for):
    preferences.preferences_update(user=cast.viewer, frequency="immediate", hour=6, weekday=2)
    html = client_for(cast.viewer).get(URL).content.decode()
    assert "checked" in html.split('value="immediate"')[1].split(">")[0]
    assert '<option value="6" selected>06:00</option>' in html
    assert '<option value="2" selected>Wednesday</option>' in html


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("frequency", "hourly", "Choose one of the options: immediately, daily, weekly or never."),
        ("frequency", "", "Choose how often Workback e-mails you."),
        ("hour", "24", "Choose an hour between 00:00 and 23:00."),
        ("hour", "eight", "Choose an hour between 00:00 and 23:00."),
        ("weekday", "7", "Choose a day from Monday to Sunday."),
    ],
)
def test_invalid_choices_are_refused_with_a_clear_message(cast, client_for, field, value, message):
    response = client_for(cast.viewer).post(URL, valid(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not NotificationPreference.objects.filter(user=cast.viewer).exists()


def test_htmx_gets_the_form_back_with_what_was_saved(cast, client_for):
    response = client_for(cast.viewer).post(
        URL, valid(frequency="daily", hour="7"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="preferences-form"' in html
    assert 'hx-swap-oob="beforeend:#messages"' in html
    assert "Saved. Your daily digest arrives at 07:00." in html
    assert NotificationPreference.objects.get(user=cast.viewer).frequency == Frequency.DAILY


def test_htmx_gets_the_form_back_with_its_errors(cast, client_for):
    response = client_for(cast.viewer).post(URL, valid(hour="99"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="preferences-form"' in html
    assert "Choose an hour between 00:00 and 23:00." in html
    assert "hx-swap-oob" not in html


def test_off_says_the_inbox_still_fills(cast, client_for):
    response = client_for(cast.viewer).post(URL, valid(frequency="off"))
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Saved. Workback sends you no notification e-mail; your inbox still fills."
    ]


def test_the_list_shows_followed_and_muted_initiatives_of_my_teams_only(cast, client_for):
    owned = InitiativeFactory(team=cast.team, owner=cast.viewer, title="Owned by me")
    followed = InitiativeFactory(team=cast.team, owner=cast.editor, title="Followed by me")
    muted = InitiativeFactory(team=cast.team, owner=cast.editor, title="Muted by me")
    InitiativeFactory(team=cast.team, owner=cast.editor, title="Not mine at all")
    follows.initiative_follow(user=cast.viewer, initiative=followed)
    follows.initiative_mute(user=cast.viewer, initiative=muted)
    outsiders = InitiativeFactory(
        team=cast.outsider.memberships.get().team, owner=cast.outsider, title="Outsider's own"
    )

    html = client_for(cast.viewer).get(URL).content.decode()
    assert "Following (you own it)" in html
    assert f'id="follow-{owned.pk}"' in html
    assert f'id="follow-{followed.pk}"' in html
    assert f'id="follow-{muted.pk}"' in html
    assert "Muted" in html
    assert "Not mine at all" not in html
    assert f'id="follow-{outsiders.pk}"' not in html
    assert "Outsider's own" not in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_list_has_a_fixed_query_budget(cast, client_for, count, django_assert_num_queries):
    for n in range(count):
        initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title=f"Idea {n}")
        follows.initiative_follow(user=cast.viewer, initiative=initiative)
    client = client_for(cast.viewer)
    # user, preference (the login session is cached); the followed initiatives:
    # explicit follows, mutes, sessions I take part in, sessions I facilitate, my
    # comments, the initiatives with their teams; the unread count and the
    # navigation teams for the header; the digest preview with nothing new (the
    # user's teams, the uncovered notifications, five "waiting on you" lists).
    with django_assert_num_queries(17):
        assert client.get(URL).status_code == 200
