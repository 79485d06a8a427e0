"""Sending claimed e-mails exactly once: the delivery rows' pending → sending → sent.

Every notification e-mail (an immediate batch, a daily or weekly digest) is first
claimed as a ``DigestDelivery`` row (immediate.py, digests.py), then sent here: a
locked UPDATE moves the delivery from pending to sending (exactly one caller takes
it), the e-mail goes out, the row becomes sent. An SMTP failure puts it back to
pending and is retried with backoff; a worker that dies mid-send leaves it
"sending" (with the few taken along with it, see SEND_GROUP) and it is never sent
twice. What the e-mails say is read for a whole batch at once (contents.py).
"""

import logging
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from smtplib import SMTPException

from django.core import mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from wbapp.activity.models import DeliveryState, DigestDelivery

from . import emails
from .contents import Lines, delivery_contents

logger = logging.getLogger(__name__)

# E-mails taken (pending → sending) at a time: what a worker dying mid-send leaves
# "sending" at most, and never sends.
SEND_GROUP = 25
# A delivery still pending this long after its last attempt lost its retry task.
PENDING_RETRY_AFTER = timedelta(minutes=15)
# Attempts after which a delivery is left alone (and logged).
MAX_ATTEMPTS = 10
# Stale deliveries read and sent together, over one mail connection.
STALE_BATCH = 200

SMTP_ERRORS = (SMTPException, OSError)


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


def send_stale_pending(*, now: datetime | None = None) -> int:
    """Send the deliveries a lost retry left pending, in this process; return how many went out.

    What ``manage.py send_digests`` does where the sweep would hand each to a
    ``send_delivery`` task. Failures stay pending for the next run.
    """
    now = now or timezone.now()
    stale = stale_pending_deliveries(now=now)
    return sum(
        len(deliveries_send(stale[start : start + STALE_BATCH], now=now).sent)
        for start in range(0, len(stale), STALE_BATCH)
    )
