"""When a digest goes out: at the chosen local hour, in the user's zone with DST, never earlier."""

import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail

from tests.notifications.notify_helpers import async_comment, iteration
from wbapp.activity.models import DigestDelivery, Frequency, NotificationPreference
from wbapp.notifications import digests, preferences
from wbapp.notifications.fanout import fan_out_pending

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def in_zone(user, zone: str):
    user.time_zone = zone
    user.save(update_fields=["time_zone"])
    return user


def something_new(cast, body="Who pays the courier?"):
    async_comment(cast.reviewer, iteration(cast), body=body)
    fan_out_pending()


def sent_at(user) -> list[datetime]:
    return [
        d.created_at.astimezone(user.tzinfo)
        for d in DigestDelivery.objects.filter(user=user).order_by("pk")
    ]


def run_every_quarter_hour(start: datetime, hours: int, on_each_day=None) -> None:
    for quarter in range(hours * 4):
        now = start + timedelta(minutes=15 * quarter)
        if on_each_day is not None:
            on_each_day(now)
        digests.send_due_digests(now=now)


# --- Never earlier than the chosen local hour ----------------------------------------------


def test_the_first_run_before_the_hour_sends_nothing_and_the_digest_comes_at_the_hour(cast):
    # The editor (a fresh user: no preference row, so daily at 08:00) lives in New York.
    editor = in_zone(cast.editor, "America/New_York")
    something_new(cast)
    # Tuesday 06:08 in New York: yesterday's 08:00 has passed, today's has not.
    first_run = datetime(2026, 11, 24, 6, 8, tzinfo=NEW_YORK)

    assert digests.send_due_digests(now=first_run) == 0
    assert digests.send_due_digests(now=first_run + timedelta(minutes=111)) == 0  # 07:59

    assert digests.send_due_digests(now=first_run + timedelta(minutes=112)) == 1  # 08:00
    assert sent_at(editor) == [datetime(2026, 11, 24, 8, 0, tzinfo=NEW_YORK)]


@pytest.mark.parametrize(
    ("zone", "day", "before", "at_the_hour"),
    [
        # New York falls back on Sunday 1 November 2026 (EDT → EST): 08:00 is 13:00 UTC,
        # not 12:00 UTC as the day before.
        ("America/New_York", "2026-11-01", "2026-11-01T12:00Z", "2026-11-01T13:00Z"),
        # Berlin falls back on Sunday 25 October 2026 (CEST → CET): 08:00 is 07:00 UTC.
        ("Europe/Berlin", "2026-10-25", "2026-10-25T06:00Z", "2026-10-25T07:00Z"),
        # New York springs forward on Sunday 8 March 2026: 08:00 EDT is 12:00 UTC.
        ("America/New_York", "2026-03-08", "2026-03-08T11:59Z", "2026-03-08T12:00Z"),
    ],
)
def test_on_the_day_the_clocks_change_the_digest_waits_for_the_local_hour(
    cast, zone, day, before, at_the_hour
):
    in_zone(cast.editor, zone)
    something_new(cast)
    before, at_the_hour = (datetime.fromisoformat(t) for t in (before, at_the_hour))

    assert digests.due_digests(now=before) == []
    assert digests.due_digests(now=at_the_hour) == [(cast.editor.pk, f"daily:{day}")]


@pytest.mark.parametrize(
    ("zone", "start"),
    [
        ("America/New_York", datetime(2026, 10, 30, 4, 0, tzinfo=UTC)),
        ("Europe/Berlin", datetime(2026, 10, 23, 4, 0, tzinfo=UTC)),
    ],
)
def test_every_digest_of_a_week_across_the_clock_change_goes_out_at_eight_local(cast, zone, start):
    editor = in_zone(cast.editor, zone)
    days_with_news = set()

    def a_comment_each_day(now):
        day = now.astimezone(editor.tzinfo).date()
        if now.astimezone(editor.tzinfo).hour == 12 and day not in days_with_news:
            days_with_news.add(day)
            something_new(cast, body=f"News of {day}")

    something_new(cast, body="Before the week")
    run_every_quarter_hour(start, hours=5 * 24, on_each_day=a_comment_each_day)

    times = sent_at(editor)
    assert len(times) == 5
    assert {(t.hour, t.minute) for t in times} == {(8, 0)}
    assert len({t.date() for t in times}) == 5
    assert len(mail.outbox) == 5


def test_a_weekly_digest_goes_out_on_its_weekday_at_its_local_hour_never_before(cast):
    editor = in_zone(cast.editor, "Europe/Berlin")
    NotificationPreference.objects.create(
        user=editor, frequency=Frequency.WEEKLY, hour=9, weekday=0
    )
    something_new(cast)
    # The first run is on a Tuesday: last Monday's digest is not sent a day late.
    tuesday = datetime(2026, 10, 20, 10, 0, tzinfo=BERLIN)
    assert digests.send_due_digests(now=tuesday) == 0
    # Monday 26 October, the day after Berlin falls back: 09:00 CET is 08:00 UTC.
    assert digests.send_due_digests(now=datetime(2026, 10, 26, 7, 59, tzinfo=UTC)) == 0
    assert digests.send_due_digests(now=datetime(2026, 10, 26, 8, 0, tzinfo=UTC)) == 1

    assert sent_at(editor) == [datetime(2026, 10, 26, 9, 0, tzinfo=BERLIN)]
    assert DigestDelivery.objects.get().period == "weekly:2026-10-26"


# --- Choosing the hour it is now ------------------------------------------------------------


def test_choosing_the_current_hour_sends_this_hours_digest_at_the_next_run(cast):
    editor = in_zone(cast.editor, "Europe/Berlin")
    something_new(cast)
    chosen_at = datetime(2026, 11, 24, 9, 10, tzinfo=BERLIN)

    preferences.preferences_update(user=editor, frequency="daily", hour=9, weekday=0, now=chosen_at)

    assert digests.send_due_digests(now=chosen_at + timedelta(minutes=5)) == 1
    assert sent_at(editor) == [chosen_at + timedelta(minutes=5)]
    assert DigestDelivery.objects.get().period == "daily:2026-11-24"


def test_choosing_an_hour_already_past_today_waits_until_tomorrow(cast):
    editor = in_zone(cast.editor, "Europe/Berlin")
    something_new(cast)
    chosen_at = datetime(2026, 11, 24, 9, 10, tzinfo=BERLIN)

    preferences.preferences_update(user=editor, frequency="daily", hour=7, weekday=0, now=chosen_at)

    assert digests.send_due_digests(now=chosen_at + timedelta(minutes=5)) == 0
    assert digests.send_due_digests(now=chosen_at + timedelta(hours=22)) == 1  # 07:10


def test_choosing_the_current_hour_after_todays_digest_sends_no_second_one(cast):
    editor = in_zone(cast.editor, "Europe/Berlin")
    something_new(cast, body="Before the morning digest")
    assert digests.send_due_digests(now=datetime(2026, 11, 24, 8, 0, tzinfo=BERLIN)) == 1
    something_new(cast, body="After it")
    chosen_at = datetime(2026, 11, 24, 15, 5, tzinfo=BERLIN)

    preferences.preferences_update(
        user=editor, frequency="weekly", hour=15, weekday=1, now=chosen_at
    )

    assert digests.send_due_digests(now=chosen_at + timedelta(minutes=10)) == 0
    assert digests.send_due_digests(now=chosen_at + timedelta(days=7)) == 1


# --- When the next one comes (the settings page says it) -----------------------------------


@pytest.mark.parametrize(
    ("zone", "frequency", "hour", "weekday", "now", "last_period", "expected"),
    [
        # Past midnight on the night New York falls back: 08:00 EST, 13:00 UTC.
        (
            "America/New_York",
            "daily",
            8,
            0,
            "2026-11-01T04:30Z",
            "daily:2026-10-31",
            "2026-11-01T13:00Z",
        ),
        # 02:00 does not exist in New York on 8 March 2026: the first moment after, 03:00 EDT.
        (
            "America/New_York",
            "daily",
            2,
            0,
            "2026-03-08T05:00Z",
            "daily:2026-03-07",
            "2026-03-08T07:00Z",
        ),
        # Today's has gone: tomorrow's, in Berlin's winter time.
        (
            "Europe/Berlin",
            "daily",
            8,
            0,
            "2026-10-24T07:00Z",
            "daily:2026-10-24",
            "2026-10-25T07:00Z",
        ),
        # Weekly on Mondays at 09:00 Berlin, asked on a Saturday.
        ("Europe/Berlin", "weekly", 9, 0, "2026-10-24T12:00Z", "", "2026-10-26T08:00Z"),
        # Due now and not sent yet: now.
        (
            "Europe/Berlin",
            "daily",
            8,
            0,
            "2026-10-24T07:00Z",
            "daily:2026-10-23",
            "2026-10-24T07:00Z",
        ),
    ],
)
def test_the_next_digest_time_is_the_next_local_hour_in_the_users_zone(
    zone, frequency, hour, weekday, now, last_period, expected
):
    at = digests.next_digest_at(
        frequency=frequency,
        hour=hour,
        weekday=weekday,
        tz=zoneinfo.ZoneInfo(zone),
        now=datetime.fromisoformat(now),
        last_period=last_period,
    )

    assert at == datetime.fromisoformat(expected)
    assert at.tzinfo == zoneinfo.ZoneInfo(zone)


def test_immediate_and_off_have_no_next_digest():
    for frequency in ("immediate", "off"):
        assert (
            digests.next_digest_at(
                frequency=frequency, hour=8, weekday=0, tz=BERLIN, now=datetime.now(UTC)
            )
            is None
        )


def test_choosing_the_current_hour_after_another_change_today_still_sends_this_hours_digest(
    cast,
):
    editor = in_zone(cast.editor, "Europe/Berlin")
    something_new(cast)
    first = datetime(2026, 11, 24, 9, 10, tzinfo=BERLIN)
    # At 09:10 an hour already past (07:00): nothing today...
    preferences.preferences_update(user=editor, frequency="daily", hour=7, weekday=0, now=first)
    # ...then, at 11:20, the hour it is: no digest went out today, so this one does.
    then = first + timedelta(hours=2, minutes=10)
    preferences.preferences_update(user=editor, frequency="daily", hour=11, weekday=0, now=then)

    assert digests.send_due_digests(now=then + timedelta(minutes=5)) == 1
    assert DigestDelivery.objects.get().period == "daily:2026-11-24"


def test_an_hour_the_clocks_repeat_sends_one_digest_at_its_first_time(cast):
    # Berlin, Sunday 25 October 2026: 02:00 comes twice (CEST at 00:00 UTC, CET at 01:00 UTC).
    editor = in_zone(cast.editor, "Europe/Berlin")
    NotificationPreference.objects.create(user=editor, frequency=Frequency.DAILY, hour=2)
    something_new(cast)

    assert digests.send_due_digests(now=datetime(2026, 10, 24, 23, 59, tzinfo=UTC)) == 0
    assert digests.send_due_digests(now=datetime(2026, 10, 25, 0, 0, tzinfo=UTC)) == 1
    something_new(cast, body="Between the two")
    assert digests.send_due_digests(now=datetime(2026, 10, 25, 1, 0, tzinfo=UTC)) == 0
    assert digests.send_due_digests(now=datetime(2026, 10, 26, 1, 0, tzinfo=UTC)) == 1


def test_an_hour_the_clocks_skip_sends_at_the_first_moment_after_the_jump(cast):
    # New York, Sunday 8 March 2026: 02:00 EST does not exist; 01:59 EST is followed by 03:00 EDT.
    editor = in_zone(cast.editor, "America/New_York")
    NotificationPreference.objects.create(user=editor, frequency=Frequency.DAILY, hour=2)
    something_new(cast)

    assert digests.send_due_digests(now=datetime(2026, 3, 8, 6, 59, tzinfo=UTC)) == 0
    assert digests.send_due_digests(now=datetime(2026, 3, 8, 7, 0, tzinfo=UTC)) == 1
    assert sent_at(editor) == [datetime(2026, 3, 8, 3, 0, tzinfo=NEW_YORK)]
