"""Sending claimed e-mails exactly once: the delivery rows' pending → sending → sent.

Every notification e-mail (an immediate batch, a daily or weekly digest) is first
claimed as a ``DigestDelivery`` row (immediate.py, digests.py), then sent here. A
locked UPDATE moves the delivery from pending to sending and gives this sender a
lease on it (an owner, an expiry): exactly one caller takes it. The e-mail goes out
and, as soon as the mail server has accepted it, that one row becomes sent. An SMTP
failure puts it back to pending and is retried with backoff.

A worker killed mid-send leaves its taken rows "sending" under a lease that runs
out; the sweep (tasks.sweep_notifications, every minute) takes an expired lease
back and sends the e-mail again, under the same Message-ID (emails.py). A live
lease is never taken: a slow sender renews its own before it runs out.

What remains is a window, not a loss: a sender killed after the server accepted
an e-mail and before its "sent" row committed (one UPDATE, a millisecond or so)
sends that e-mail twice, both copies with one Message-ID, which mail clients
show once. README ("Digest e-mails under kill -9") gives the measured figures.
What the e-mails say is read for a whole batch at once (contents.py).
"""

import logging
import os
import socket
import time
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from smtplib import SMTPException
from uuid import uuid4

from django.conf import settings
from django.core import mail
from django.db import InterfaceError, OperationalError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.utils import timezone

from wbapp.activity.models import DeliveryState, DigestDelivery

from . import emails
from .contents import Lines, delivery_contents

logger = logging.getLogger(__name__)

# E-mails taken (pending → sending) at a time, under one lease.
SEND_GROUP = 25
# A delivery still pending this long after its last attempt lost its retry task.
PENDING_RETRY_AFTER = timedelta(minutes=15)
# Attempts after which a delivery is left alone (and logged).
MAX_ATTEMPTS = 10
# Stale deliveries read and sent together, over one mail connection.
STALE_BATCH = 200
# Tries at writing "sent" after the database connection broke (a killed backend).
RECORD_TRIES = 4

SMTP_ERRORS = (SMTPException, OSError)
# What a killed or restarted database looks like to a sender: worth a retry.
DATABASE_ERRORS = (OperationalError, InterfaceError)


def lease_length() -> timedelta:
    """How long a taken delivery stays the sender's (``NOTIFICATION_LEASE_SECONDS``)."""
    return timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)


def lease_owner() -> str:
    """This sender: the host, the process and one call of ``deliveries_send``."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid4().hex[:12]}"


def takeable(clock: datetime) -> Q:
    """Deliveries a sender may take: pending, or sending under a lease that ran out.

    A "sending" row without a lease was left by a sender from before leases: its
    worker is long gone.
    """
    return Q(state=DeliveryState.PENDING) | Q(
        Q(lease_expires_at__lt=clock) | Q(lease_expires_at__isnull=True),
        state=DeliveryState.SENDING,
    )


@dataclass
class SendResult:
    sent: list[int] = field(default_factory=list)
    failed: dict[int, Exception] = field(default_factory=dict)


@dataclass
class Lease:
    owner: str
    expires_at: datetime | None = None

    def renewal_due(self) -> bool:
        # Renewed once half of it has gone: never close to expiring while sending.
        return self.expires_at is not None and (
            timezone.now() >= self.expires_at - lease_length() / 2
        )


def _take(delivery_ids, now: datetime, lease: Lease, *, skipped=()) -> set[int]:
    """Move the deliveries still takeable to sending under ``lease``; return those taken.

    The rows are locked while they change state, and rows another sender holds
    are skipped: each delivery is taken by exactly one caller. The group before's
    skipped deliveries are written in the same transaction.
    """
    with transaction.atomic():
        if skipped:
            DigestDelivery.objects.filter(pk__in=skipped).update(
                state=DeliveryState.SKIPPED, updated_at=now, lease_owner="", lease_expires_at=None
            )
        if not delivery_ids:
            return set()
        clock = timezone.now()
        taken = list(
            DigestDelivery.objects.select_for_update(skip_locked=True)
            .filter(takeable(clock), pk__in=delivery_ids, attempts__lt=MAX_ATTEMPTS)
            .values_list("pk", flat=True)
        )
        if taken:
            lease.expires_at = clock + lease_length()
            DigestDelivery.objects.filter(pk__in=taken).update(
                state=DeliveryState.SENDING,
                attempts=F("attempts") + 1,
                updated_at=now,
                lease_owner=lease.owner,
                lease_expires_at=lease.expires_at,
            )
    return set(taken)


def _renew(group, lease: Lease) -> list:
    """Extend the lease on the group's deliveries not sent yet; return those still held."""
    clock = timezone.now()
    held = DigestDelivery.objects.filter(
        pk__in=[d.pk for d in group], state=DeliveryState.SENDING, lease_owner=lease.owner
    )
    lease.expires_at = clock + lease_length()
    if held.update(lease_expires_at=lease.expires_at) == len(group):
        return group
    # Fewer than taken: a lease ran out (the process stood still) and was taken back.
    still = set(held.values_list("pk", flat=True))
    logger.warning("Lost the lease on %s notification e-mails", len(group) - len(still))
    return [d for d in group if d.pk in still]


def _record_sent(delivery: DigestDelivery, now: datetime, lease: Lease) -> bool:
    """Write "sent" for one accepted e-mail, at once; retried over a new database connection.

    False if the lease was lost meanwhile (another sender may send it too).
    """
    rows = DigestDelivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.SENDING, lease_owner=lease.owner
    )
    for attempt in range(RECORD_TRIES):
        try:
            return bool(
                rows.update(
                    state=DeliveryState.SENT,
                    sent_at=timezone.now(),
                    updated_at=now,
                    last_error="",
                    lease_owner="",
                    lease_expires_at=None,
                )
            )
        except DATABASE_ERRORS:
            # Inside a transaction a new connection would not help; the caller retries.
            if attempt == RECORD_TRIES - 1 or db_connection.in_atomic_block:
                raise
            logger.warning("Recording e-mail %s as sent: reconnecting", delivery.pk)
            db_connection.close()
            # A killed backend is replaced at once; a restarting server takes longer.
            time.sleep(0.05 * (4**attempt - 1))
    return False


def _failed(delivery: DigestDelivery, exc: Exception, lease: Lease) -> None:
    """Put a delivery whose e-mail did not go out back to pending, for the retry."""
    DigestDelivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.SENDING, lease_owner=lease.owner
    ).update(
        state=DeliveryState.PENDING,
        last_error=repr(exc)[:2000],
        updated_at=timezone.now(),
        lease_owner="",
        lease_expires_at=None,
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


def _send_group(group, contents, connection, now, lease, result) -> tuple[list, Exception]:
    """Send a taken group, each "sent" written as it is accepted: (skipped ids, server error)."""
    skipped, lost = [], set()
    for index, delivery in enumerate(group):
        content = contents.get(delivery.pk)
        if content is None or not delivery.user.is_active or not delivery.user.email:
            skipped.append(delivery.pk)
            continue
        if lease.renewal_due():
            rest = group[index:]
            lost |= {d.pk for d in rest} - {d.pk for d in _renew(rest, lease)}
        if delivery.pk in lost:
            continue
        try:
            emails.message_for(content, connection).send()
        except Exception as exc:
            _failed(delivery, exc, lease)
            result.failed[delivery.pk] = exc
            if isinstance(exc, SMTP_ERRORS) and not _reconnect(connection):
                for rest in group[index + 1 :]:
                    _failed(rest, exc, lease)
                    result.failed[rest.pk] = exc
                return skipped, exc
            continue
        if _record_sent(delivery, now, lease):
            result.sent.append(delivery.pk)
        else:
            logger.warning("E-mail %s was sent after its lease ran out", delivery.pk)
    return skipped, None


def deliveries_send(
    delivery_ids, *, now: datetime | None = None, lines: Lines | None = None
) -> SendResult:
    """Send claimed e-mails over one mail connection, read together, taken by groups.

    Call outside a transaction: the pending → sending step must be committed
    before the SMTP conversation starts. What the e-mails say is read for the
    whole batch at once; they are then taken SEND_GROUP at a time under one lease,
    and each is recorded sent as soon as the server accepts it. One e-mail's
    failure puts it back to pending (logged, for the retry) and never stops the
    others; a mail server that cannot be reached leaves the rest of the batch for
    the retry. A database error propagates (the task retries); what it leaves
    "sending" is taken back when its lease runs out.
    """
    now = now or timezone.now()
    result = SendResult()
    lease = Lease(owner=lease_owner())
    deliveries = list(
        DigestDelivery.objects.filter(
            takeable(timezone.now()), pk__in=list(delivery_ids), attempts__lt=MAX_ATTEMPTS
        )
        .select_related("user__notification_preference")
        .order_by("pk")
    )
    contents = connection = None
    skipped = []
    try:
        for start in range(0, len(deliveries), SEND_GROUP):
            group = deliveries[start : start + SEND_GROUP]
            taken = _take([d.pk for d in group], now, lease, skipped=skipped)
            skipped = []
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
                        _failed(delivery, exc, lease)
                    later = group + deliveries[start + SEND_GROUP :]
                    result.failed.update(dict.fromkeys((d.pk for d in later), exc))
                    if isinstance(exc, DATABASE_ERRORS):
                        raise
                    break
            skipped, gone = _send_group(group, contents, connection, now, lease, result)
            if gone is not None:
                later = deliveries[start + SEND_GROUP :]
                result.failed.update(dict.fromkeys((d.pk for d in later), gone))
                break
    finally:
        if connection is not None:
            with suppress(*SMTP_ERRORS):
                connection.close()
        if skipped:
            _take([], now, lease, skipped=skipped)
    return result


def delivery_send(delivery_id: int, *, now: datetime | None = None) -> bool:
    """Send one claimed e-mail; True if this call sent it.

    SMTP errors put the delivery back to pending and propagate, for the caller's retry.
    """
    result = deliveries_send([delivery_id], now=now)
    if delivery_id in result.failed:
        raise result.failed[delivery_id]
    return delivery_id in result.sent


def stale_deliveries(*, now: datetime) -> list[int]:
    """Deliveries to send again: left pending by a lost retry, or "sending" by a dead sender.

    A pending one waits PENDING_RETRY_AFTER since its last attempt (its retry task
    may still come); a "sending" one is stale as soon as its lease has run out.
    """
    clock = timezone.now()
    return list(
        DigestDelivery.objects.filter(
            Q(state=DeliveryState.PENDING, updated_at__lt=now - PENDING_RETRY_AFTER)
            | Q(takeable(clock), state=DeliveryState.SENDING),
            attempts__lt=MAX_ATTEMPTS,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )


def send_stale(*, now: datetime | None = None) -> int:
    """Send the deliveries a lost retry or a dead sender left, in this process; return how many.

    What ``manage.py send_digests`` does where the sweep hands them to
    ``send_deliveries`` tasks. Failures stay pending for the next run.
    """
    now = now or timezone.now()
    stale = stale_deliveries(now=now)
    return sum(
        len(deliveries_send(stale[start : start + STALE_BATCH], now=now).sent)
        for start in range(0, len(stale), STALE_BATCH)
    )
