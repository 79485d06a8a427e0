"""wbapp.dates: the one range of dates a person may enter, and local times made exact."""

import zoneinfo
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone as dj_timezone

from wbapp.dates import (
    EARLIEST,
    BoundedDateField,
    LocalDateTimeField,
    aware,
    check_day,
    check_moment,
    latest,
)

NOW = datetime(2026, 12, 7, 23, 0, tzinfo=UTC)
RANGE = "Choose a date from 1 January 2000 to "
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def out_of_range(zone) -> list[datetime]:
    """Year 1, the end of 1999, year 9999 and ten years and a day ahead, local to ``zone``."""
    today = NOW.astimezone(zone).date()
    past_the_end = datetime.combine(latest(today) + timedelta(days=1), datetime.min.time())
    return [
        datetime(1, 1, 1, 0, 0),
        datetime(1999, 12, 31, 23, 59),
        datetime(9999, 12, 31, 20, 0),
        past_the_end.replace(hour=9),
    ]


@pytest.mark.parametrize("zone_name", sorted(zoneinfo.available_timezones()))
def test_in_every_zone_times_out_of_range_are_refused_and_none_overflows(zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    for local in out_of_range(zone):
        with pytest.raises(ValidationError) as error:
            aware(local, zone, now=NOW)
        assert error.value.messages[0].startswith(RANGE), (zone_name, local)


@pytest.mark.parametrize("zone_name", sorted(zoneinfo.available_timezones()))
def test_in_every_zone_the_ends_of_the_range_are_accepted_as_the_clocks_show_them(zone_name):
    zone = zoneinfo.ZoneInfo(zone_name)
    last = latest(NOW.astimezone(zone).date())
    for local in (datetime(2000, 1, 1, 12, 0), datetime.combine(last, datetime.min.time())):
        local = local.replace(hour=12)
        moment = aware(local, zone, now=NOW)
        assert moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == local


def test_a_time_the_clocks_skip_is_refused_with_a_message_that_says_so():
    with pytest.raises(ValidationError) as error:
        aware(datetime(2026, 3, 8, 2, 30), NEW_YORK, now=NOW)

    assert error.value.messages == [
        "02:30 on 8 March 2026 does not exist in America/New_York: the clocks go forward "
        "then. Choose another time."
    ]
    assert error.value.code == "skipped_time"


@pytest.mark.parametrize(
    ("zone_name", "local"),
    [
        ("Europe/London", datetime(2027, 3, 28, 1, 30)),
        ("Europe/Berlin", datetime(2027, 3, 28, 2, 0)),
        ("Australia/Lord_Howe", datetime(2027, 10, 3, 2, 15)),  # a half-hour jump
        ("America/Santiago", datetime(2027, 9, 5, 0, 0)),  # midnight itself is skipped
    ],
)
def test_skipped_times_are_refused_in_other_zones_too(zone_name, local):
    with pytest.raises(ValidationError) as error:
        aware(local, zoneinfo.ZoneInfo(zone_name), now=NOW)

    assert error.value.code == "skipped_time"


def test_a_time_the_clocks_show_twice_is_its_first_occurrence():
    moment = aware(datetime(2026, 11, 1, 1, 30), NEW_YORK, now=NOW)

    # Still on summer time (-04:00): 05:30 UTC, an hour before the second 01:30.
    assert moment.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_an_aware_moment_is_checked_on_its_own_local_date_without_overflowing():
    late = datetime(9999, 12, 31, 20, 0, tzinfo=NEW_YORK)

    with pytest.raises(ValidationError) as error:
        check_moment(late, now=NOW, field="starts_at")

    assert error.value.message_dict["starts_at"][0].startswith(RANGE)
    check_moment(datetime(2036, 12, 7, 20, 0, tzinfo=timezone(timedelta(hours=-5))), now=NOW)


def test_ten_years_from_a_29th_of_february_is_the_28th():
    assert latest(date(2028, 2, 29)) == date(2038, 2, 28)
    assert latest(date(2026, 12, 7)) == date(2036, 12, 7)


def test_the_range_is_inclusive_at_both_ends():
    today = date(2026, 12, 7)
    check_day(EARLIEST, today=today)
    check_day(date(2036, 12, 7), today=today)
    with pytest.raises(ValidationError) as error:
        check_day(date(2036, 12, 8), today=today, field="due_on")

    assert error.value.message_dict == {
        "due_on": ["Choose a date from 1 January 2000 to 7 December 2036."]
    }


@pytest.mark.parametrize(
    "typed",
    ["0001-01-01T00:00", "1999-12-31T23:59", "9999-12-31T20:00", "9999-12-31 23:59:59"],
)
def test_the_form_field_refuses_out_of_range_times_in_the_users_zone(typed):
    with dj_timezone.override(NEW_YORK), pytest.raises(ValidationError) as error:
        LocalDateTimeField().clean(typed)

    assert error.value.messages[0].startswith(RANGE)


def test_the_form_field_reads_a_local_time_in_the_users_zone():
    with dj_timezone.override(NEW_YORK):
        moment = LocalDateTimeField().clean("2027-01-15T10:30")
        with pytest.raises(ValidationError) as error:
            LocalDateTimeField().clean("2026-03-08T02:30")

    assert moment.astimezone(UTC) == datetime(2027, 1, 15, 15, 30, tzinfo=UTC)
    assert error.value.code == "skipped_time"
    with pytest.raises(ValidationError) as error:
        LocalDateTimeField().clean("not a time")
    assert error.value.code == "invalid"


@pytest.mark.parametrize("typed", ["0001-01-01", "1999-12-31", "9999-12-31"])
def test_the_date_field_refuses_dates_out_of_range(typed):
    with pytest.raises(ValidationError) as error:
        BoundedDateField().clean(typed)

    assert error.value.messages[0].startswith(RANGE)


def test_the_date_field_accepts_today_and_ten_years_from_today():
    today = dj_timezone.localdate()
    field = BoundedDateField(required=False)

    assert field.clean(today.isoformat()) == today
    assert field.clean(latest(today).isoformat()) == latest(today)
    assert field.clean("") is None
