"""Dates and times out of Workback's range (wbapp.dates), as tests type or pass them."""

import zoneinfo
from datetime import date, datetime, timedelta

from django.utils import timezone

from wbapp.dates import latest

RANGE = "Choose a date from 1 January 2000 to "

# A handful of zones for the pages: both ends of the world's offsets, a half-hour and a
# quarter-hour one, one with a half-hour DST jump, and one that never changes its clocks.
VIEW_ZONES = [
    "America/New_York",
    "Pacific/Kiritimati",
    "Pacific/Pago_Pago",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Australia/Lord_Howe",
    "UTC",
]


def local_today(zone_name: str) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(zone_name)).date()


def typed_out_of_range(zone_name: str) -> list[str]:
    """What a datetime-local box sends: year 1, 1999, 9999, ten years and a day ahead."""
    past_the_end = latest(local_today(zone_name)) + timedelta(days=1)
    return [
        "0001-01-01T00:00",
        "1999-12-31T23:59",
        "9999-12-31T20:00",
        f"{past_the_end.isoformat()}T09:00",
    ]


def days_out_of_range(zone_name: str = "UTC") -> list[str]:
    """What a date box sends: year 1, 1999, 9999, ten years and a day ahead."""
    past_the_end = latest(local_today(zone_name)) + timedelta(days=1)
    return ["0001-01-01", "1999-12-31", "9999-12-31", past_the_end.isoformat()]


def moments_out_of_range(zone_name: str) -> list[datetime]:
    """The same as aware moments in ``zone_name``, as a command or an API would pass them."""
    zone = zoneinfo.ZoneInfo(zone_name)
    moments = []
    for typed in typed_out_of_range(zone_name):
        moments.append(datetime.fromisoformat(typed).replace(tzinfo=zone))
    return moments
