"""Background work of notifications: thin tasks that take ids and call the pipeline.

Periodic entries (CELERY_BEAT_SCHEDULE): ``send-due-digests`` every 15 minutes,
``sweep-notifications`` every minute. Both are idempotent: claims are unique
rows and conditional UPDATEs, so a task run twice or concurrently sends nothing twice.
"""

import logging

from celery import shared_task
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import delivery, digests, fanout, immediate

logger = logging.getLogger(__name__)


@shared_task(name="wbapp.notifications.tasks.fan_out_activities")
def fan_out_activities() -> int:
    """Write the notifications of every activity recorded since the last fan-out."""
    return fanout.fan_out_pending()


# Every task that sends e-mail: retried with backoff when the mail server or the
# database is away (a killed connection, a restart), acknowledged only once done and
# redelivered when its worker process dies. What a dead sender left "sending" is
# taken back by the sweep when its lease runs out (delivery.py).
SENDING = {
    "autoretry_for": (*delivery.SMTP_ERRORS, *delivery.DATABASE_ERRORS),
    "retry_backoff": 30,
    "retry_backoff_max": 30 * 60,
    "retry_jitter": True,
    "max_retries": 8,
    "acks_late": True,
    "reject_on_worker_lost": True,
}


@shared_task(name="wbapp.notifications.tasks.send_immediate", **SENDING)
def send_immediate(user_id: int) -> int:
    """Close the user's two-minute window and e-mail what it collected."""
    return immediate.immediate_send(user_id=user_id)


@shared_task(name="wbapp.notifications.tasks.send_delivery", **SENDING)
def send_delivery(delivery_id: int) -> bool:
    """Send one claimed e-mail (a digest whose first attempt failed)."""
    return delivery.delivery_send(delivery_id)


@shared_task(name="wbapp.notifications.tasks.send_deliveries", **SENDING)
def send_deliveries(delivery_ids: list[int]) -> int:
    """Send claimed e-mails left behind (the sweep's), over one mail connection."""
    result = delivery.deliveries_send(delivery_ids)
    _retry_later(result.failed)
    return len(result.sent)


def _retry_later(delivery_ids) -> None:
    for pk in delivery_ids:
        try:
            send_delivery.apply_async((pk,), countdown=60)
        except Exception:
            # Without a broker (or eagerly, after its own retries) it stays pending:
            # the sweep tries again.
            logger.exception("Could not schedule a retry of delivery %s", pk)


@shared_task(name="wbapp.notifications.tasks.send_digest_chunk", **SENDING)
def send_digest_chunk(pairs: list, now: str) -> int:
    """Claim and send the digests of up to DIGEST_CHUNK recipients; failures retry alone.

    A database error retries the whole chunk: its claim is idempotent, and what
    the broken attempt had taken is taken back once its lease runs out.
    """
    result = digests.digest_chunk_send(pairs, now=parse_datetime(now))
    _retry_later(result.failed)
    return result.sent


@shared_task(name="wbapp.notifications.tasks.send_due_digests", bind=True)
def send_due_digests(self, now: str | None = None) -> int:
    """The digest run, its chunks handed to the workers; returns how many digests were due.

    ``now``: the run's time (ISO 8601) for a run asked for a given moment (the digest
    bench); beat leaves it out.
    """
    # The chunks follow the queue this run came from (the default one under beat).
    queue = (self.request.delivery_info or {}).get("routing_key")

    def hand_over(pairs, at) -> int:
        send_digest_chunk.apply_async(
            ([list(pair) for pair in pairs], at.isoformat()), **({"queue": queue} if queue else {})
        )
        return len(pairs)

    at = parse_datetime(now) if now else timezone.now()
    return digests.send_due_digests(now=at, send_chunk=hand_over)


@shared_task(name="wbapp.notifications.tasks.sweep_notifications", bind=True)
def sweep_notifications(self) -> None:
    """Catch up on whatever a lost task left behind: fan-out, batch windows, retries.

    Also takes back the e-mails of senders that died mid-send (their lease ran
    out) and sends them again, with the same Message-ID.
    """
    now = timezone.now()
    fanout.fan_out_pending()
    for user_id in immediate.overdue_immediate_users(now=now):
        send_immediate.delay(user_id)
    # The stale e-mails follow the queue the sweep came from, like the digest chunks.
    queue = (self.request.delivery_info or {}).get("routing_key")
    stale = delivery.stale_deliveries(now=now)
    for start in range(0, len(stale), delivery.STALE_BATCH):
        send_deliveries.apply_async(
            (stale[start : start + delivery.STALE_BATCH],), **({"queue": queue} if queue else {})
        )
