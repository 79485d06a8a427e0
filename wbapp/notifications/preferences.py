"""How and when a user hears about what happened: e-mail frequency, hour and weekday."""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from wbapp.activity.models import (
    DeliveryKind,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
    Weekday,
)

from .digests import digest_period, local_hour_at


def preferences_get(user) -> NotificationPreference:
    """The user's preferences: the saved row, or an unsaved one with the defaults."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def _check_preferences(frequency: str, hour, weekday) -> dict:
    errors = {}
    if frequency not in Frequency.values:
        errors["frequency"] = "Choose immediately, daily, weekly or never."
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        errors["hour"] = "Choose an hour from 0 to 23."
    if weekday not in Weekday.values:
        errors["weekday"] = "Choose a day of the week."
    return errors


@transaction.atomic
def preferences_update(
    *, user, frequency: str, hour: int, weekday: int, now: datetime | None = None
) -> NotificationPreference:
    """Save how and when the user hears about what happened.

    Turning e-mail back on after "off" starts from now: what piled up while it was
    off stays in the inbox and is not e-mailed as one giant digest.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    errors = _check_preferences(frequency, hour, weekday)
    if errors:
        raise ValidationError(errors)
    preference = locked_preference(user.pk)
    if preference.frequency == Frequency.OFF and frequency != Frequency.OFF:
        latest = Notification.objects.filter(user=user).aggregate(latest=Max("pk"))["latest"]
        preference.email_floor = latest or 0
    now = now or timezone.now()
    if (preference.frequency, preference.hour, preference.weekday) != (frequency, hour, weekday):
        # The first digest on the new schedule comes at its next delivery time, not at
        # once for a period that began hours before the change. Choosing the hour it
        # is now is choosing this hour: its digest goes out at the next run, unless a
        # digest went out already today. Nothing is lost meanwhile: the digest covers
        # every notification no e-mail has covered yet.
        tz = user.tzinfo
        current = digest_period(frequency=frequency, hour=hour, weekday=weekday, tz=tz, now=now)
        if current and _begun_this_hour(current, hour, tz, now) and not _sent_today(user, tz, now):
            # Whatever an earlier change of schedule noted today, no digest went out.
            preference.last_period = ""
        else:
            preference.last_period = current or ""
    preference.frequency = frequency
    preference.hour = hour
    preference.weekday = weekday
    preference.updated_at = now
    preference.save(
        update_fields=[
            "frequency",
            "hour",
            "weekday",
            "email_floor",
            "last_period",
            "updated_at",
        ]
    )
    return preference


def _begun_this_hour(period: str, hour: int, tz, now: datetime) -> bool:
    local = now.astimezone(tz)
    return period.partition(":")[2] == local.date().isoformat() and local.hour == hour


def _sent_today(user, tz, now: datetime) -> bool:
    """A daily or weekly digest was claimed for the user since local midnight."""
    midnight = local_hour_at(now.astimezone(tz).date(), 0, tz)
    return DigestDelivery.objects.filter(
        user=user,
        kind__in=[DeliveryKind.DAILY, DeliveryKind.WEEKLY],
        created_at__gte=midnight,
    ).exists()


def locked_preference(user_id: int) -> NotificationPreference:
    """The user's preference row, created if missing, locked until the transaction ends."""
    NotificationPreference.objects.get_or_create(user_id=user_id)
    return NotificationPreference.objects.select_for_update().get(user_id=user_id)


@transaction.atomic
def unsubscribe(*, user) -> NotificationPreference:
    """Stop every notification e-mail (the inbox keeps working)."""
    preference = locked_preference(user.pk)
    preference.frequency = Frequency.OFF
    preference.updated_at = timezone.now()
    preference.save(update_fields=["frequency", "updated_at"])
    return preference
