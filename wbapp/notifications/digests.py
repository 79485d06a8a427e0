"""Daily and weekly digests, exactly once: when they are due, their claim, their run.

A digest is due when the user's local delivery hour (and weekday, for weekly) has
come today, in the user's time zone as it is that day (DST included), and the
period it starts has not been claimed yet. Never earlier: a period is sent only on
its own local day, at or after its hour. A run that comes after a whole missed day
(the very first run, or a scheduler that was down) does not send yesterday's digest
at an hour nobody chose; what it would have said comes in the next one, since a
digest covers every notification no e-mail has covered yet. Its claim, in one
transaction holding the user's preference row lock, inserts a ``DigestDelivery``
unique on (user, period) and points every notification no e-mail has covered yet
at it (``UPDATE … SET delivery_id … WHERE delivery_id IS NULL``); the highest id
covered is the delivery's watermark. Whoever inserts the row owns the e-mail; a
second run, a concurrent run or a retried task finds the period taken, or nothing
left to cover. Because notifications are claimed by that UPDATE rather than by "id
above the last watermark", a notification whose transaction committed late (with a
lower id) is simply covered by the next e-mail: nothing falls between two.

Digests go in chunks of recipients: a chunk is claimed in one transaction, read in
a fixed number of queries (contents.py) and sent over one mail connection
(delivery.py), so the run's query count grows with its recipients (a few queries
per chunk and per group of SEND_GROUP e-mails taken, and one per e-mail: its
"sent", written as the mail server accepts it), never with the number of events.
In production each chunk is a task of its own, spread over the workers.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import reduce
from operator import or_
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import transaction
from django.db.models import BigIntegerField, Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from wbapp.accounts.models import User
from wbapp.activity.models import (
    DeliveryKind,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
)
from wbapp.db import planned_per_query

from .contents import Content, Lines, preview_content
from .delivery import deliveries_send, takeable

logger = logging.getLogger(__name__)

# Recipients per digest task, claimed, read and sent together.
DIGEST_CHUNK = 200


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


def digest_due_period(*, frequency: str, hour: int, weekday: int, tz, now: datetime) -> str | None:
    """The period whose digest may go out now: the one begun most recently, if it began today.

    Today is the user's local date: a daily digest is due from its hour until local
    midnight, a weekly one on its weekday from its hour. None before the hour (never
    earlier), and for immediate and off.
    """
    period = digest_period(frequency=frequency, hour=hour, weekday=weekday, tz=tz, now=now)
    if period is None or period.partition(":")[2] != now.astimezone(tz).date().isoformat():
        return None
    return period


def local_hour_at(day: date, hour: int, tz) -> datetime:
    """``hour``:00 on a local date, as the clocks show it there that day.

    An hour the clocks skip (spring forward) is the first moment after the jump
    (02:00 → 03:00 in New York); an hour they repeat (fall back) is its first time.
    """
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC).astimezone(tz)


def next_digest_at(
    *, frequency: str, hour: int, weekday: int, tz, now: datetime, last_period: str = ""
) -> datetime | None:
    """When the user's next digest is sent (in their zone), at the earliest; None without one.

    ``now`` itself when this period's digest is due and not sent yet (the next run,
    within a quarter of an hour, sends it). Whether it is sent depends on there being
    something new by then.
    """
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        return None
    local = now.astimezone(tz)
    due = digest_due_period(frequency=frequency, hour=hour, weekday=weekday, tz=tz, now=now)
    if due is not None and due != last_period:
        return local
    for ahead in range(8):
        day = local.date() + timedelta(days=ahead)
        if frequency == Frequency.WEEKLY and day.weekday() != weekday:
            continue
        at = local_hour_at(day, hour, tz)
        if at > now and f"{frequency}:{day.isoformat()}" != last_period:
            return at
    return None


@dataclass
class DigestPreview:
    """The settings page's preview: when the next digest goes out, and what it would say now."""

    frequency: str
    # In the user's time zone; None for immediate and off.
    next_at: datetime | None
    # What the digest would contain if it went out now; None for immediate and off.
    content: Content | None
    due_now: bool = False


def digest_preview(*, user, preference: NotificationPreference, now: datetime) -> DigestPreview:
    """What the user's next digest would contain now, and when it will be sent (a read).

    A digest goes out only with something new in it: with nothing new, the period
    due now passes and the next one is the one after.
    """
    frequency = preference.frequency
    if frequency not in (Frequency.DAILY, Frequency.WEEKLY):
        return DigestPreview(frequency=frequency, next_at=None, content=None)
    content = preview_content(user, kind=frequency, email_floor=preference.email_floor, now=now)
    schedule = {
        "frequency": frequency,
        "hour": preference.hour,
        "weekday": preference.weekday,
        "tz": user.tzinfo,
        "now": now,
    }
    last_period = preference.last_period
    if not content.item_count:
        last_period = digest_due_period(**schedule) or last_period
    next_at = next_digest_at(**schedule, last_period=last_period)
    return DigestPreview(
        frequency=frequency,
        next_at=next_at,
        content=content,
        due_now=next_at is not None and next_at <= now,
    )


def due_digests(*, now: datetime) -> list[tuple[int, str]]:
    """(user id, period) for every digest due now: one query, then arithmetic."""
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
        period = digest_due_period(
            frequency=frequency or defaults.frequency,
            hour=defaults.hour if hour is None else hour,
            weekday=defaults.weekday if weekday is None else weekday,
            tz=zones[zone],
            now=now,
        )
        if period is not None and period != last_period:
            due.append((user_id, period))
    return due


def digests_claim(pairs, *, now: datetime) -> list[int]:
    """Claim the digests of (user id, period) pairs; return the deliveries this claim made.

    The one digest claim, for one user or a chunk of them, in a dozen queries: the
    preference rows are created if missing and locked in user order (two chunks
    claiming at once cannot deadlock); a pair whose period does not match the
    user's frequency any more, or was claimed already, is skipped; every delivery
    is inserted under its user's lock, so the periods already taken are known
    before the insert rather than learnt from it; and only users with something
    new (an uncovered notification above the floor set while e-mail was off) get
    one.
    """
    wanted = {int(user_id): str(period) for user_id, period in pairs}
    if not wanted:
        return []
    user_ids = sorted(wanted)
    with transaction.atomic():
        NotificationPreference.objects.bulk_create(
            [NotificationPreference(user_id=user_id) for user_id in user_ids],
            ignore_conflicts=True,
        )
        locked = (
            NotificationPreference.objects.select_for_update()
            .filter(user_id__in=user_ids)
            .order_by("user_id")
        )
        # The preference may have changed since the scan; the period key says which it was.
        due = {
            p.user_id: p
            for p in locked
            if wanted[p.user_id].startswith(f"{p.frequency}:")
            and p.last_period != wanted[p.user_id]
        }
        by_period = defaultdict(list)
        for user_id in due:
            by_period[wanted[user_id]].append(user_id)
        for period, ids in by_period.items():
            NotificationPreference.objects.filter(user_id__in=ids).update(last_period=period)
        if not due:
            return []
        # A user who went daily → weekly → daily within one period has had its e-mail.
        taken = set(
            DigestDelivery.objects.filter(user_id__in=due, period__in=by_period).values_list(
                "user_id", "period"
            )
        )
        # Who has anything new: an uncovered id above the floor (set while e-mail was off).
        lasts = (
            Notification.objects.filter(user_id__in=due, delivery__isnull=True)
            .order_by()
            .values("user_id")
            .annotate(last=Max("pk"))
            .values_list("user_id", "last")
        )
        deliveries = DigestDelivery.objects.bulk_create(
            DigestDelivery(
                user_id=user_id,
                kind=DeliveryKind(due[user_id].frequency),
                period=wanted[user_id],
                last_notification_id=last,
                created_at=now,
                updated_at=now,
            )
            for user_id, last in lasts
            if last > due[user_id].email_floor and (user_id, wanted[user_id]) not in taken
        )
        if not deliveries:
            return []
        # Point everything still uncovered at its user's delivery, in one UPDATE. A
        # late-committed notification that only became visible since the read above
        # is taken along: it is uncovered, and the delivery's count and watermark are
        # read back from what it covers. (The CASE is written out: Django takes 30 ms
        # to build it from When() objects, one per user; its values are parameters.)
        by_floor = defaultdict(list)
        for d in deliveries:
            by_floor[due[d.user_id].email_floor].append(d.user_id)
        Notification.objects.filter(
            reduce(or_, (Q(user_id__in=ids, pk__gt=floor) for floor, ids in by_floor.items())),
            delivery__isnull=True,
        ).update(
            delivery_id=RawSQL(  # noqa: S611
                "CASE user_id " + "WHEN %s THEN %s " * len(deliveries) + "END",
                [value for d in deliveries for value in (d.user_id, d.pk)],
                output_field=BigIntegerField(),
            )
        )
        covered = (
            Notification.objects.filter(delivery_id=OuterRef("pk")).order_by().values("delivery_id")
        )
        DigestDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(
            item_count=Coalesce(Subquery(covered.annotate(n=Count("pk")).values("n")), 0),
            last_notification_id=Coalesce(
                Subquery(covered.annotate(last=Max("pk")).values("last")),
                F("last_notification_id"),
            ),
        )
    return [delivery.pk for delivery in deliveries]


@dataclass
class ChunkResult:
    sent: int = 0
    failed: list[int] = field(default_factory=list)


@planned_per_query()
def digest_chunk_claim(pairs, *, now: datetime) -> list[int]:
    """Claim the digests of one chunk of (user id, period) pairs; return those to send.

    One recipient's failure is logged and never stops the others. Deliveries of
    the chunk left pending by an interrupted earlier run, or "sending" under a
    lease that ran out, are returned too.
    """
    pairs = [(int(user_id), str(period)) for user_id, period in pairs]
    try:
        digests_claim(pairs, now=now)
    except Exception:
        # Whatever stopped the chunk's claim, each user's own claim decides alone.
        logger.exception("Claiming a chunk of %s digests failed; claiming one by one", len(pairs))
        for user_id, period in pairs:
            try:
                digests_claim([(user_id, period)], now=now)
            except Exception:
                logger.exception("Claiming the %s digest of user %s failed", period, user_id)
    wanted = set(pairs)
    return [
        pk
        for pk, user_id, period in DigestDelivery.objects.filter(
            takeable(timezone.now()),
            user_id__in={u for u, _ in pairs},
            period__in={p for _, p in pairs},
        ).values_list("pk", "user_id", "period")
        if (user_id, period) in wanted
    ]


@planned_per_query()
def digest_chunk_send(pairs, *, now: datetime, lines: Lines | None = None) -> ChunkResult:
    """Claim and send the digests of one chunk of (user id, period) pairs."""
    sent = deliveries_send(digest_chunk_claim(pairs, now=now), now=now, lines=lines)
    return ChunkResult(sent=len(sent.sent), failed=list(sent.failed))


def chunks(pairs: list, size: int = DIGEST_CHUNK):
    for start in range(0, len(pairs), size):
        yield pairs[start : start + size]


@planned_per_query()
def send_due_digests(
    *,
    now: datetime | None = None,
    send_chunk: Callable[[list[tuple[int, str]], datetime], int] | None = None,
) -> int:
    """The digest run: every digest due now, DIGEST_CHUNK recipients at a time.

    Each chunk goes to ``send_chunk``, which claims and sends it and returns how
    many e-mails that makes. Celery beat's task hands each chunk to a worker (the
    ``send_digest_chunk`` task: a chunk's failures retry alone) and counts the
    digests handed over. By default (``manage.py send_digests``, the tests) the
    chunks are claimed and sent here, one after the other, sharing the lines they
    describe (an initiative's followers come in any chunk); what fails stays
    pending for the retry (``delivery.send_stale``).
    """
    now = now or timezone.now()
    if send_chunk is None:
        lines = Lines()

        def send_chunk(pairs, now):
            return digest_chunk_send(pairs, now=now, lines=lines).sent

    return sum(send_chunk(pairs, now) for pairs in chunks(due_digests(now=now)))
