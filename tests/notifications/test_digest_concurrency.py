"""Digests run concurrently on PostgreSQL: threads with their own connections, one e-mail each.

Each thread waits at a barrier, so the runs really overlap: they scan, claim and
send at the same moment. The unique (user, period) row, the preference row lock
and the pending → sending UPDATE must let exactly one of them send each e-mail.
"""

import threading
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connection

from wbapp.activity.models import DeliveryState, DigestDelivery, Notification
from wbapp.notifications import delivery, digests

MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
THREADS = 6

pytestmark = pytest.mark.django_db(transaction=True)


def run_at_once(target, count: int = THREADS) -> list:
    """Run ``target()`` in ``count`` threads released together; return results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(target())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a digest run hung"
    assert errors == []
    return results


def test_concurrent_digest_runs_send_exactly_one_email_per_user(readers):
    sent = run_at_once(lambda: digests.send_due_digests(now=MONDAY_MORNING))

    assert sum(sent) == len(readers)
    for user in readers:
        assert [m.to for m in mail.outbox].count([user.email]) == 1
    assert DigestDelivery.objects.filter(state=DeliveryState.SENT).count() == len(readers)
    assert not Notification.objects.filter(delivery__isnull=True).exists()


def test_concurrent_claims_of_one_period_make_one_delivery(readers):
    user = readers[0]

    claims = run_at_once(
        lambda: digests.digests_claim([(user.pk, "daily:2026-11-23")], now=MONDAY_MORNING)
    )

    assert len([claim for claim in claims if claim]) == 1
    assert DigestDelivery.objects.filter(user=user).count() == 1
    assert Notification.objects.filter(user=user, delivery__isnull=True).count() == 0


def test_concurrent_sends_of_one_delivery_send_one_email(readers):
    user = readers[0]
    [claimed] = digests.digests_claim([(user.pk, "daily:2026-11-23")], now=MONDAY_MORNING)

    results = run_at_once(lambda: delivery.delivery_send(claimed))

    assert results.count(True) == 1
    assert len(mail.outbox) == 1
