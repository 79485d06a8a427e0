"""Immediate e-mails: what happened in the last few minutes, one e-mail per burst.

The fan-out opens a user's two-minute batch window and schedules one send
(fanout.py); the send closes the window, claims every notification no e-mail has
covered yet and sends them as one e-mail (delivery.py). The sweep sends the
batches whose task was lost.
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from wbapp.activity.models import (
    DeliveryKind,
    DeliveryState,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
)

from .delivery import deliveries_send

logger = logging.getLogger(__name__)

# An immediate batch window open this long lost its task.
IMMEDIATE_OVERDUE = timedelta(minutes=5)


def _claim_notifications(
    *, user_id: int, kind: str, period: str | None, floor: int, now: datetime
) -> DigestDelivery | None:
    """Insert the delivery and point the uncovered notifications at it (inside a transaction)."""
    unsent = Notification.objects.filter(user_id=user_id, delivery__isnull=True, pk__gt=floor)
    last = unsent.aggregate(last=Max("pk"))["last"]
    if last is None:
        return None
    try:
        with transaction.atomic():
            delivery = DigestDelivery.objects.create(
                user_id=user_id,
                kind=kind,
                period=period or f"immediate:{last}",
                last_notification_id=last,
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        # Someone else owns this period's e-mail.
        return None
    delivery.item_count = unsent.filter(pk__lte=last).update(delivery=delivery)
    DigestDelivery.objects.filter(pk=delivery.pk).update(item_count=delivery.item_count)
    return delivery


def immediate_claim(*, user_id: int, now: datetime) -> DigestDelivery | None:
    """Close the user's batch window and claim everything it collected."""
    with transaction.atomic():
        preference = (
            NotificationPreference.objects.select_for_update().filter(user_id=user_id).first()
        )
        if preference is None:
            return None
        if preference.pending_since is not None:
            preference.pending_since = None
            preference.save(update_fields=["pending_since"])
        if preference.frequency != Frequency.IMMEDIATE:
            return None
        return _claim_notifications(
            user_id=user_id,
            kind=DeliveryKind.IMMEDIATE,
            period=None,
            floor=preference.email_floor,
            now=now,
        )


def immediate_send(*, user_id: int, now: datetime | None = None) -> int:
    """Claim the user's batch and send it (and any earlier batch still pending)."""
    now = now or timezone.now()
    immediate_claim(user_id=user_id, now=now)
    pending = DigestDelivery.objects.filter(
        user_id=user_id, kind=DeliveryKind.IMMEDIATE, state=DeliveryState.PENDING
    ).values_list("pk", flat=True)
    result = deliveries_send(list(pending), now=now)
    if result.failed:
        raise next(iter(result.failed.values()))
    return len(result.sent)


def overdue_immediate_users(*, now: datetime) -> list[int]:
    """Users whose batch window is open past its time: their send task was lost."""
    return list(
        NotificationPreference.objects.filter(
            frequency=Frequency.IMMEDIATE, pending_since__lt=now - IMMEDIATE_OVERDUE
        ).values_list("user_id", flat=True)[:1000]
    )


def send_overdue_immediate(*, now: datetime | None = None) -> int:
    """Send the immediate batches whose window is over, in this process (no worker)."""
    now = now or timezone.now()
    sent = 0
    for user_id in overdue_immediate_users(now=now):
        try:
            sent += immediate_send(user_id=user_id, now=now)
        except Exception:
            logger.info("The immediate e-mail of user %s stays pending for the next run", user_id)
    return sent
