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


@shared_task(
    name="wbapp.notifications.tasks.send_immediate",
    autoretry_for=delivery.SMTP_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def send_immediate(user_id: int) -> int:
    """Close the user's two-minute window and e-mail what it collected."""
    return immediate.immediate_send(user_id=user_id)


@shared_task(
    name="wbapp.notifications.tasks.send_delivery",
    autoretry_for=delivery.SMTP_ERRORS,
    retry_backoff=30,
    retry_backoff_max=30 * 60,
    max_retries=8,
)
def send_delivery(delivery_id: int) -> bool:
    """Send one claimed e-mail (a digest whose first attempt failed)."""
    return delivery.delivery_send(delivery_id)


def _retry_later(delivery_ids) -> None:
    for pk in delivery_ids:
        try:
            send_delivery.apply_async((pk,), countdown=60)
        except Exception:
            # Without a broker (or eagerly, after its own retries) it stays pending:
            # the sweep tries again.
            logger.exception("Could not schedule a retry of delivery %s", pk)


@shared_task(name="wbapp.notifications.tasks.send_digest_chunk")
def send_digest_chunk(pairs: list, now: str) -> int:
    """Claim and send the digests of up to DIGEST_CHUNK recipients; failures retry alone."""
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


@shared_task(name="wbapp.notifications.tasks.sweep_notifications")
def sweep_notifications() -> None:
    """Catch up on whatever a lost task left behind: fan-out, batch windows, retries."""
    now = timezone.now()
    fanout.fan_out_pending()
    for user_id in immediate.overdue_immediate_users(now=now):
        send_immediate.delay(user_id)
    for pk in delivery.stale_pending_deliveries(now=now):
        send_delivery.delay(pk)
