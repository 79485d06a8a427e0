"""A digest run claims the next chunk in a thread of its own while it sends the current one.

Outside a transaction (``manage.py send_digests``) the claims run on the thread's
own connection; inside one (a caller's, a test's) they must see its rows, so they
run in turn on the caller's.
"""

import threading
from datetime import UTC, datetime

import pytest
from django.core import mail
from django.db import connections

from wbapp.activity.models import DeliveryState, DigestDelivery, Notification
from wbapp.notifications import digests

MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


@pytest.fixture
def claims(monkeypatch):
    """Chunks of two recipients; each claim's thread and database connection, in order."""
    made = []
    claim = digests.digest_chunk_claim

    def recorded(pairs, *, now):
        made.append((threading.current_thread(), connections["default"], [u for u, _ in pairs]))
        return claim(pairs, now=now)

    def chunks_of_two(pairs):
        return (pairs[start : start + 2] for start in range(0, len(pairs), 2))

    monkeypatch.setattr(digests, "digest_chunk_claim", recorded)
    monkeypatch.setattr(digests, "chunks", chunks_of_two)
    return made


@pytest.mark.django_db(transaction=True)
def test_a_run_claims_in_a_thread_of_its_own_and_sends_each_digest_once(readers, claims):
    assert digests.send_due_digests(now=MONDAY_MORNING) == len(readers)

    assert len(claims) == 3
    assert {thread for thread, _, _ in claims} != {threading.current_thread()}
    assert all(thread.name.startswith("digest-claims") for thread, _, _ in claims)
    for user in readers:
        assert [m.to for m in mail.outbox].count([user.email]) == 1
    assert DigestDelivery.objects.filter(state=DeliveryState.SENT).count() == len(readers)
    assert not Notification.objects.filter(delivery__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_claiming_thread_closes_its_connection(readers, claims):
    digests.send_due_digests(now=MONDAY_MORNING)

    [claimer] = {wrapper for _, wrapper, _ in claims}
    assert claimer is not connections["default"]
    assert claimer.connection is None


@pytest.mark.django_db(transaction=True)
def test_a_run_stopped_early_claims_at_most_one_chunk_ahead(readers, claims):
    due = digests.due_digests(now=MONDAY_MORNING)
    run = digests.claimed_ahead(digests.chunks(due), now=MONDAY_MORNING)

    first = next(run)
    run.close()

    # The first chunk's deliveries, and the second's claim if it had begun; never the third.
    assert len(first) == 2
    assert len(claims) in (1, 2)
    claimed_users = {user for _, _, users in claims for user in users}
    assert set(DigestDelivery.objects.values_list("user_id", flat=True)) == claimed_users
    [(last_user, _)] = due[4:]
    assert last_user not in claimed_users
    assert mail.outbox == []


@pytest.mark.django_db
def test_inside_a_transaction_the_claims_run_in_it(readers, claims):
    assert digests.send_due_digests(now=MONDAY_MORNING) == len(readers)

    assert {thread for thread, _, _ in claims} == {threading.current_thread()}
    assert {wrapper for _, wrapper, _ in claims} == {connections["default"]}


@pytest.mark.django_db(transaction=True)
def test_sqlite_claims_in_turn_as_it_writes_one_transaction_at_a_time(readers, claims, monkeypatch):
    monkeypatch.setattr(connections["default"], "vendor", "sqlite")

    assert digests.send_due_digests(now=MONDAY_MORNING) == len(readers)

    assert {thread for thread, _, _ in claims} == {threading.current_thread()}
