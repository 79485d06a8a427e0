"""Notification e-mails, exactly once: immediate batches and daily or weekly digests.

Every e-mail goes through the same two steps.

1. Claim, in one transaction holding the user's preference row lock: insert a
   ``DigestDelivery`` unique on (user, period) and point every notification no
   e-mail has covered yet at it (``UPDATE … SET delivery_id … WHERE delivery_id
   IS NULL``). The highest id covered is the delivery's watermark. Whoever
   inserts the row owns the e-mail; a second run, a concurrent run or a retried
   task finds the period taken, or nothing left to cover. Because notifications
   are claimed by that UPDATE rather than by "id above the last watermark", a
   notification whose transaction committed late (with a lower id) is simply
   covered by the next e-mail: nothing falls between two.
2. Send: a conditional UPDATE moves the delivery from pending to sending (exactly
   one caller wins), the e-mail goes out, the row becomes sent. An SMTP failure
   puts it back to pending and is retried with backoff; a worker that dies
   mid-send leaves it "sending" and it is never sent twice.

Digests are due when the user's local delivery hour (and weekday, for weekly)
has come and the period it starts has not been claimed yet. The run's query
count grows with the number of recipients, never with the number of events.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from wbapp.accounts.models import User

from . import emails
from .lines import ActivityLine, describe, excerpts_for
from .models import (
    DeliveryKind,
    DeliveryState,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
)
from .services import locked_preference
from .waiting import Waiting, waiting_on

logger = logging.getLogger(__name__)

# Recipients per digest task.
DIGEST_CHUNK = 200
# Lines shown per initiative; the rest are counted ("and 12 more") and linked.
LINES_PER_GROUP = 8
# A delivery still pending this long after its last attempt lost its retry task.
PENDING_RETRY_AFTER = timedelta(minutes=15)
# Attempts after which a delivery is left alone (and logged).
MAX_ATTEMPTS = 10
# An immediate batch window open this long lost its task.
IMMEDIATE_OVERDUE = timedelta(minutes=5)

SMTP_ERRORS = (SMTPException, OSError)


# --- When -------------------------------------------------------------------------------


def digest_period(*, frequency: str, hour: int, weekday: int, tz, now: datetime) -> str | None:
    """The key of the digest period that has most recently begun, in the user's time zone.

    Daily: the local date of the latest ``hour:00``; weekly: the local date of the
    latest ``weekday`` at ``hour:00``. None for immediate and off.
    """
    local = now.astimezone(tz)
    if frequency == Frequency.DAILY:
        start = local.date() if local.hour >= hour else local.date() - timedelta(days=1)
        return f"daily:{start.isoformat()}"
    if frequency == Frequency.WEEKLY:
        back = (local.weekday() - weekday) % 7
        if back == 0 and local.hour < hour:
            back = 7
        return f"weekly:{(local.date() - timedelta(days=back)).isoformat()}"
    return None


def due_digests(*, now: datetime) -> list[tuple[int, str]]:
    """(user id, period) for every digest due now: one query, then arithmetic."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    unsent = Notification.objects.filter(user=OuterRef("pk"), delivery__isnull=True)
    rows = (
        User.objects.filter(is_active=True)
        .filter(Exists(unsent))
        .filter(
            Q(notification_preference__isnull=True)
            | Q(notification_preference__frequency__in=[Frequency.DAILY, Frequency.WEEKLY])
        )
        .values_list(
            "pk",
            "time_zone",
            "notification_preference__frequency",
            "notification_preference__hour",
            "notification_preference__weekday",
            "notification_preference__last_period",
        )
        .order_by("pk")
    )
    defaults = NotificationPreference()
    zones: dict[str, ZoneInfo] = {}
    due = []
    for user_id, zone, frequency, hour, weekday, last_period in rows.iterator(chunk_size=2000):
        if zone not in zones:
            try:
                zones[zone] = ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                zones[zone] = ZoneInfo("UTC")
        period = digest_period(
            frequency=frequency or defaults.frequency,
            hour=defaults.hour if hour is None else hour,
            weekday=defaults.weekday if weekday is None else weekday,
            tz=zones[zone],
            now=now,
        )
        if period is not None and period != last_period:
            due.append((user_id, period))
    return due


# --- Claims ------------------------------------------------------------------------------


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


def digest_claim(*, user_id: int, period: str, now: datetime) -> DigestDelivery | None:
    """Claim the user's digest for ``period``; None when taken, not due, or empty."""
    with transaction.atomic():
        preference = locked_preference(user_id)
        frequency = preference.frequency
        # The preference may have changed since the scan; the period key says which it was.
        if not period.startswith(f"{frequency}:") or preference.last_period == period:
            return None
        preference.last_period = period
        preference.save(update_fields=["last_period"])
        return _claim_notifications(
            user_id=user_id,
            kind=DeliveryKind(frequency),
            period=period,
            floor=preference.email_floor,
            now=now,
        )


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


# --- What an e-mail says ---------------------------------------------------------------------


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


@dataclass
class Item:
    line: ActivityLine
    url: str
    reason: str
    personal: bool
    # Local time of the event, filled in by the e-mail for its recipient.
    when: str = ""


@dataclass
class Group:
    title: str
    url: str
    items: list[Item] = field(default_factory=list)
    more: int = 0

    @property
    def count(self) -> int:
        return len(self.items) + self.more

    @property
    def has_personal(self) -> bool:
        return any(item.personal for item in self.items)


@dataclass
class Content:
    user: User
    delivery: DigestDelivery
    groups: list[Group]
    waiting: Waiting
    item_count: int

    @property
    def initiative_count(self) -> int:
        return len(self.groups)


def delivery_content(delivery: DigestDelivery, *, now: datetime | None = None) -> Content | None:
    """Everything the e-mail shows, in a fixed number of queries; None if nothing is left.

    Notifications of teams the user has left since are dropped, and an immediate
    e-mail leaves out what the user has already read in the app.
    """
    now = now or timezone.now()
    user = delivery.user
    rows = (
        Notification.objects.filter(delivery=delivery)
        .filter(activity__team__memberships__user_id=user.pk)
        .select_related("activity__actor", "activity__initiative", "activity__team")
        .order_by("activity__created_at", "pk")
    )
    if delivery.kind == DeliveryKind.IMMEDIATE:
        rows = rows.filter(read_at__isnull=True)
    notifications = list(rows)
    if not notifications:
        return None
    # Group first, keep at most LINES_PER_GROUP per initiative (what is addressed to
    # the user, then the newest), and only then describe: the words and links are
    # worked out for the lines the e-mail shows, not for every event it counts.
    grouped: dict[tuple, list[Notification]] = {}
    for notification in notifications:
        activity = notification.activity
        key = (
            ("initiative", activity.initiative_id)
            if activity.initiative_id
            else ("team", activity.team_id)
        )
        grouped.setdefault(key, []).append(notification)
    kept: dict[tuple, list[Notification]] = {}
    for key, rows_of_group in grouped.items():
        personal = [n for n in rows_of_group if n.is_personal][:LINES_PER_GROUP]
        room = LINES_PER_GROUP - len(personal)
        others = [n for n in rows_of_group if not n.is_personal]
        chosen = {n.pk for n in personal + (others[-room:] if room else [])}
        kept[key] = [n for n in rows_of_group if n.pk in chosen]
    excerpts = excerpts_for([n.activity for shown in kept.values() for n in shown])
    groups = []
    for key, shown in kept.items():
        activity = shown[0].activity
        if key[0] == "initiative":
            title = activity.initiative.title
            url = absolute(reverse("initiative_detail", args=[activity.initiative_id]))
        else:
            title = activity.team.name
            url = absolute(reverse("team_board", args=[activity.team.slug]))
        group = Group(title=title, url=url, more=len(grouped[key]) - len(shown))
        for notification in shown:
            line = describe(notification.activity, excerpts)
            group.items.append(
                Item(
                    line=line,
                    url=absolute(line.path),
                    reason=notification.get_reason_display(),
                    personal=notification.is_personal,
                )
            )
        groups.append(group)
    ordered = sorted(groups, key=lambda g: (not g.has_personal, -g.count, g.title))
    waiting = Waiting()
    if delivery.kind != DeliveryKind.IMMEDIATE:
        waiting = waiting_on(user, today=now.astimezone(user.tzinfo).date())
    return Content(
        user=user,
        delivery=delivery,
        groups=ordered,
        waiting=waiting,
        item_count=len(notifications),
    )


# --- Sending ----------------------------------------------------------------------------------


def delivery_send(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Send one claimed e-mail; True if this call sent it.

    Call outside a transaction: the pending → sending step must be committed
    before the SMTP conversation starts. SMTP errors put the delivery back to
    pending and propagate, for the caller's retry.
    """
    now = now or timezone.now()
    took = DigestDelivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, attempts__lt=MAX_ATTEMPTS
    ).update(state=DeliveryState.SENDING, attempts=F("attempts") + 1, updated_at=now)
    if not took:
        return False
    delivery = DigestDelivery.objects.select_related("user__notification_preference").get(
        pk=delivery_id
    )
    try:
        content = delivery_content(delivery, now=now)
        if content is None or not delivery.user.is_active or not delivery.user.email:
            DigestDelivery.objects.filter(pk=delivery_id).update(
                state=DeliveryState.SKIPPED, updated_at=timezone.now()
            )
            return False
        if delivery.kind == DeliveryKind.IMMEDIATE:
            emails.send_notifications_email(content)
        else:
            emails.send_digest_email(content)
    except Exception as exc:
        DigestDelivery.objects.filter(pk=delivery_id, state=DeliveryState.SENDING).update(
            state=DeliveryState.PENDING, last_error=repr(exc)[:2000], updated_at=timezone.now()
        )
        # SMTP trouble is expected now and then (retried); anything else is a bug.
        log = logger.warning if isinstance(exc, SMTP_ERRORS) else logger.exception
        log(
            "Notification e-mail %s (%s) to user %s failed on attempt %s: %r",
            delivery.pk,
            delivery.period,
            delivery.user_id,
            delivery.attempts,
            exc,
        )
        raise
    DigestDelivery.objects.filter(pk=delivery_id).update(
        state=DeliveryState.SENT, sent_at=timezone.now(), updated_at=timezone.now(), last_error=""
    )
    return True


def immediate_send(*, user_id: int, now: datetime | None = None) -> int:
    """Claim the user's batch and send it (and any earlier batch still pending)."""
    now = now or timezone.now()
    immediate_claim(user_id=user_id, now=now)
    pending = DigestDelivery.objects.filter(
        user_id=user_id, kind=DeliveryKind.IMMEDIATE, state=DeliveryState.PENDING
    ).values_list("pk", flat=True)
    return sum(delivery_send(pk, now=now) for pk in list(pending))


@dataclass
class ChunkResult:
    sent: int = 0
    failed: list[int] = field(default_factory=list)


def digest_chunk_send(pairs, *, now: datetime) -> ChunkResult:
    """Claim and send the digests of one chunk of (user id, period) pairs.

    One recipient's failure is logged and never stops the others. Deliveries of
    the chunk left pending by an interrupted earlier run are sent too.
    """
    result = ChunkResult()
    pairs = [(int(user_id), str(period)) for user_id, period in pairs]
    for user_id, period in pairs:
        try:
            digest_claim(user_id=user_id, period=period, now=now)
        except Exception:
            logger.exception("Claiming the %s digest of user %s failed", period, user_id)
    wanted = set(pairs)
    pending = [
        pk
        for pk, user_id, period in DigestDelivery.objects.filter(
            state=DeliveryState.PENDING,
            user_id__in={u for u, _ in pairs},
            period__in={p for _, p in pairs},
        ).values_list("pk", "user_id", "period")
        if (user_id, period) in wanted
    ]
    for pk in pending:
        try:
            result.sent += delivery_send(pk, now=now)
        except Exception:
            # delivery_send has logged it and put the delivery back to pending.
            result.failed.append(pk)
    return result


def chunks(pairs: list, size: int = DIGEST_CHUNK):
    for start in range(0, len(pairs), size):
        yield pairs[start : start + size]


def send_due_digests(*, now: datetime | None = None) -> int:
    """Send every digest due now, in this process; return how many e-mails went out.

    What ``manage.py send_digests`` runs, and what tests call. (Celery beat runs
    ``tasks.send_due_digests``, which spreads the same chunks over the workers.)
    """
    now = now or timezone.now()
    sent = 0
    for chunk in chunks(due_digests(now=now)):
        sent += digest_chunk_send(chunk, now=now).sent
    for pk in stale_pending_deliveries(now=now):
        try:
            sent += delivery_send(pk, now=now)
        except Exception:
            logger.info("Delivery %s stays pending for the next run", pk)
    return sent


def stale_pending_deliveries(*, now: datetime) -> list[int]:
    """Deliveries left pending by a lost retry (or a failed in-process run)."""
    return list(
        DigestDelivery.objects.filter(
            state=DeliveryState.PENDING,
            updated_at__lt=now - PENDING_RETRY_AFTER,
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


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
