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
2. Send: a locked UPDATE moves the delivery from pending to sending (exactly
   one caller takes it), the e-mail goes out, the row becomes sent. An SMTP
   failure puts it back to pending and is retried with backoff; a worker that
   dies mid-send leaves it "sending" (with the few taken along with it, see
   SEND_GROUP) and it is never sent twice.

Digests are due when the user's local delivery hour (and weekday, for weekly)
has come and the period it starts has not been claimed yet. They go in chunks
of recipients: a chunk is claimed in one transaction, read in a fixed number of
queries (contents.py) and sent over one mail connection, so the run's query
count grows with its recipients (a few queries per chunk, and per group of
SEND_GROUP e-mails taken), never with the number of events. A run in this
process claims the next chunk in a thread of its own while it sends the
current one (``claimed_ahead``).
"""

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import reduce
from operator import or_
from smtplib import SMTPException

from django.core import mail
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import BigIntegerField, Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from wbapp.accounts.models import User
from wbapp.activity.models import (
    DeliveryKind,
    DeliveryState,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
)
from wbapp.db import planned_per_query

from . import emails
from .contents import Lines, delivery_contents
from .services import locked_preference

logger = logging.getLogger(__name__)

# Recipients per digest task, claimed, read and sent together.
DIGEST_CHUNK = 200
# E-mails taken (pending → sending) at a time: what a worker dying mid-send leaves
# "sending" at most, and never sends.
SEND_GROUP = 25
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


def digests_claim(pairs, *, now: datetime) -> list[int]:
    """Claim the digests of many (user id, period) pairs at once; return the new deliveries.

    ``digest_claim``'s steps, in a dozen queries for the whole chunk: the preference
    rows are locked in user order (two chunks claiming at once cannot deadlock),
    and every digest delivery is inserted under its user's lock, so the periods
    already taken are known before the insert rather than learnt from it.
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


# --- Sending ----------------------------------------------------------------------------------


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    failed: dict[int, Exception] = field(default_factory=dict)


def _take(delivery_ids, now: datetime, *, sent=(), skipped=()) -> set[int]:
    """Move the deliveries still pending to sending; return those this call took.

    The rows are locked while they change state, and rows another sender holds
    are skipped: each delivery is taken by exactly one caller. The outcome of the
    group before (``sent``, ``skipped``) is written in the same transaction.
    """
    with transaction.atomic():
        if sent:
            DigestDelivery.objects.filter(pk__in=sent).update(
                state=DeliveryState.SENT, sent_at=timezone.now(), updated_at=now, last_error=""
            )
        if skipped:
            DigestDelivery.objects.filter(pk__in=skipped).update(
                state=DeliveryState.SKIPPED, updated_at=now
            )
        taken = list(
            DigestDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=delivery_ids, state=DeliveryState.PENDING)
            .filter(attempts__lt=MAX_ATTEMPTS)
            .values_list("pk", flat=True)
        )
        if taken:
            DigestDelivery.objects.filter(pk__in=taken).update(
                state=DeliveryState.SENDING, attempts=F("attempts") + 1, updated_at=now
            )
    return set(taken)


def _failed(delivery: DigestDelivery, exc: Exception) -> None:
    """Put a delivery whose e-mail did not go out back to pending, for the retry."""
    DigestDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.SENDING).update(
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


def _reconnect(connection) -> bool:
    """A new SMTP conversation after a failed one; False if the server cannot be reached."""
    with suppress(*SMTP_ERRORS):
        connection.close()
    try:
        connection.open()
    except SMTP_ERRORS:
        return False
    return True


def _send_group(group, contents, connection, result: SendResult) -> tuple[list, list, Exception]:
    """Send a taken group: (sent ids, skipped ids, the error if the mail server is gone)."""
    sent, skipped = [], []
    for index, delivery in enumerate(group):
        content = contents.get(delivery.pk)
        if content is None or not delivery.user.is_active or not delivery.user.email:
            skipped.append(delivery.pk)
            continue
        try:
            emails.message_for(content, connection).send()
        except Exception as exc:
            _failed(delivery, exc)
            result.failed[delivery.pk] = exc
            if isinstance(exc, SMTP_ERRORS) and not _reconnect(connection):
                for rest in group[index + 1 :]:
                    _failed(rest, exc)
                    result.failed[rest.pk] = exc
                return sent, skipped, exc
        else:
            sent.append(delivery.pk)
    return sent, skipped, None


def deliveries_send(
    delivery_ids, *, now: datetime | None = None, lines: Lines | None = None
) -> SendResult:
    """Send claimed e-mails over one mail connection, read together, taken by groups.

    Call outside a transaction: the pending → sending step must be committed
    before the SMTP conversation starts. What the e-mails say is read for the
    whole batch at once; they are then taken SEND_GROUP at a time, so that a
    worker that dies mid-batch leaves at most one group "sending" (sent or not,
    never sent twice) and the rest pending. One e-mail's failure puts it back to
    pending (logged, for the retry) and never stops the others; a mail server
    that cannot be reached leaves the rest of the batch for the retry.
    """
    now = now or timezone.now()
    result = SendResult()
    deliveries = list(
        DigestDelivery.objects.filter(
            pk__in=list(delivery_ids), state=DeliveryState.PENDING, attempts__lt=MAX_ATTEMPTS
        )
        .select_related("user__notification_preference")
        .order_by("pk")
    )
    contents = connection = None
    sent, skipped = [], []
    try:
        for start in range(0, len(deliveries), SEND_GROUP):
            group = deliveries[start : start + SEND_GROUP]
            taken = _take([d.pk for d in group], now, sent=sent, skipped=skipped)
            result.sent += sent
            sent, skipped = [], []
            group = [delivery for delivery in group if delivery.pk in taken]
            for delivery in group:
                delivery.attempts += 1
            if group and connection is None:
                try:
                    contents = delivery_contents(deliveries, now=now, lines=lines)
                    connection = mail.get_connection()
                    connection.open()
                except Exception as exc:
                    connection = None
                    for delivery in group:
                        _failed(delivery, exc)
                    later = group + deliveries[start + SEND_GROUP :]
                    result.failed.update(dict.fromkeys((d.pk for d in later), exc))
                    break
            sent, skipped, gone = _send_group(group, contents, connection, result)
            if gone is not None:
                later = deliveries[start + SEND_GROUP :]
                result.failed.update(dict.fromkeys((d.pk for d in later), gone))
                break
    finally:
        if connection is not None:
            with suppress(*SMTP_ERRORS):
                connection.close()
        if sent or skipped:
            _take([], now, sent=sent, skipped=skipped)
            result.sent += sent
    return result


def delivery_send(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Send one claimed e-mail; True if this call sent it.

    SMTP errors put the delivery back to pending and propagate, for the caller's retry.
    """
    result = deliveries_send([delivery_id], now=now)
    if delivery_id in result.failed:
        raise result.failed[delivery_id]
    return delivery_id in result.sent


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


@dataclass
class ChunkResult:
    sent: int = 0
    failed: list[int] = field(default_factory=list)


@planned_per_query()
def digest_chunk_claim(pairs, *, now: datetime) -> list[int]:
    """Claim the digests of one chunk of (user id, period) pairs; return those to send.

    One recipient's failure is logged and never stops the others. Deliveries of
    the chunk left pending by an interrupted earlier run are returned too.
    """
    pairs = [(int(user_id), str(period)) for user_id, period in pairs]
    try:
        digests_claim(pairs, now=now)
    except Exception:
        # Whatever stopped the chunk's claim, each user's own claim decides alone.
        logger.exception("Claiming a chunk of %s digests failed; claiming one by one", len(pairs))
        for user_id, period in pairs:
            try:
                digest_claim(user_id=user_id, period=period, now=now)
            except Exception:
                logger.exception("Claiming the %s digest of user %s failed", period, user_id)
    wanted = set(pairs)
    return [
        pk
        for pk, user_id, period in DigestDelivery.objects.filter(
            state=DeliveryState.PENDING,
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


def claimed_ahead(pair_chunks, *, now: datetime):
    """The deliveries to send of each chunk, claimed; the next chunk's claim runs meanwhile.

    A chunk's claim is mostly PostgreSQL's work (one UPDATE points some 16,000
    notifications at their e-mails), its sending mostly Python's (reading and
    rendering). A thread with its own connection claims one chunk ahead, so the
    two overlap. Inside a transaction the claims must be made in it, and SQLite
    writes one transaction at a time: there they are made here, in turn.
    """
    if connection.in_atomic_block or connection.vendor != "postgresql":
        for pairs in pair_chunks:
            yield digest_chunk_claim(pairs, now=now)
        return
    claimer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="digest-claims")
    ahead = None
    try:
        for pairs in pair_chunks:
            claim = claimer.submit(digest_chunk_claim, pairs, now=now)
            if ahead is not None:
                yield ahead.result()
            ahead = claim
        if ahead is not None:
            yield ahead.result()
    finally:
        # Stopped early: a claim not begun is not made (one begun is sent by a later
        # run). The thread's connection closes with it.
        if ahead is not None:
            ahead.cancel()
        claimer.submit(connections.close_all)
        claimer.shutdown(wait=True)


@planned_per_query()
def send_due_digests(*, now: datetime | None = None) -> int:
    """Send every digest due now, in this process; return how many e-mails went out.

    What ``manage.py send_digests`` runs, and what tests call. (Celery beat runs
    ``tasks.send_due_digests``, which spreads the same chunks over the workers.)
    """
    now = now or timezone.now()
    sent = 0
    # The lines the chunks share: an initiative's followers come in any chunk.
    lines = Lines()
    for pending in claimed_ahead(chunks(due_digests(now=now)), now=now):
        sent += len(deliveries_send(pending, now=now, lines=lines).sent)
    for chunk in chunks(stale_pending_deliveries(now=now)):
        # Failures stay pending for the next run.
        sent += len(deliveries_send(chunk, now=now, lines=lines).sent)
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
