"""The one range of dates a person may enter, and a local time made exact.

Every date or time typed into Workback (a session's start, an action item's due date,
and whatever a command or a future API passes to the same services) lies between
1 January 2000 and ten years from today, counted in the zone it was written in. Outside
it a date is a slip of the keyboard (2062 for 2026) or a probe (year 9999), and a probe
does lasting harm: 9999-12-31 20:00 in New York is a moment of the year 10000 in UTC,
which PostgreSQL stores but Python cannot read back, so every page showing that row
would fail from then on. The range is checked on the local date before anything is
converted, so no conversion can overflow.

A local time the clocks skip (02:30 on the night they go forward) is refused with a
message that says so. A time they show twice (01:30 on the night they go back) is its
first occurrence, still on summer time, as calendar programs take it.
"""

from datetime import UTC, date, datetime, tzinfo

from django import forms
from django.core.exceptions import ValidationError
from django.forms.fields import BaseTemporalField
from django.utils import timezone
from django.utils.dateparse import parse_datetime

EARLIEST = date(2000, 1, 1)
YEARS_AHEAD = 10


def latest(today: date) -> date:
    """The last date anyone may enter: ten years from ``today`` (28 February for a 29th)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def _day(value: date) -> str:
    return f"{value.day} {value:%B %Y}"


def check_day(day: date, *, today: date, field: str | None = None) -> None:
    """Refuse a date before 2000 or more than ten years after ``today``.

    ``field`` names the error for a service's caller (``{"due_on": ...}``); without it
    the error is the form field's own.
    """
    last = latest(today)
    if EARLIEST <= day <= last:
        return
    message = f"Choose a date from {_day(EARLIEST)} to {_day(last)}."
    raise ValidationError({field: message} if field else message, code="date_range")


def check_moment(moment: datetime, *, now: datetime, field: str | None = None) -> None:
    """``check_day`` for an aware moment, on its own local date (no conversion to overflow)."""
    if timezone.is_naive(moment):
        message = "A time needs a time zone."
        raise ValidationError({field: message} if field else message, code="naive")
    check_day(moment.date(), today=now.astimezone(moment.tzinfo).date(), field=field)


def aware(local: datetime, zone: tzinfo, *, now: datetime | None = None) -> datetime:
    """A wall-clock time in ``zone`` as an exact moment, or a ValidationError saying why not.

    The date is checked first (``check_day``), so a year-1 or year-9999 time is refused
    rather than overflowing. A skipped time is refused; a repeated one is its first
    occurrence (``fold=0``).
    """
    now = now or timezone.now()
    check_day(local.date(), today=now.astimezone(zone).date())
    moment = local.replace(tzinfo=zone, fold=0)
    if moment.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != local.replace(fold=0):
        raise ValidationError(
            f"{local:%H:%M} on {_day(local)} does not exist in {zone}: the "
            "clocks go forward then. Choose another time.",
            code="skipped_time",
        )
    return moment


class LocalDateTimeField(forms.DateTimeField):
    """A date and time in the user's zone (the active one), within the range and real there."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, date):
            parsed = datetime(value.year, value.month, value.day)
        else:
            try:
                parsed = parse_datetime(str(value).strip())
            except ValueError as exc:
                raise ValidationError(self.error_messages["invalid"], code="invalid") from exc
            if parsed is None:
                # The other formats Django accepts, parsed naive (no time zone yet).
                parsed = BaseTemporalField.to_python(self, value)
        if timezone.is_aware(parsed):
            check_moment(parsed, now=timezone.now())
            return parsed
        return aware(parsed, timezone.get_current_timezone())


class BoundedDateField(forms.DateField):
    """A calendar date within the range, today being the user's (the active zone's)."""

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None:
            check_day(day, today=timezone.localdate())
        return day
