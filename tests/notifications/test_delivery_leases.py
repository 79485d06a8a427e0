"""Notification e-mails under kill -9: "sending" is a lease, "sent" is written per message."""

from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from django.core import mail
from django.db import OperationalError, connection
from django.utils import timezone

from wbapp.activity.models import DeliveryState, DigestDelivery
from wbapp.notifications import delivery, digests
from wbapp.notifications.tasks import (
    send_deliveries,
    send_delivery,
    send_digest_chunk,
    send_immediate,
    sweep_notifications,
)

MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


class WorkerKilled(BaseException):
    """As if the process were killed: nothing catches it."""


def claimed(now=MONDAY_MORNING) -> list[int]:
    return sorted(
        pk for pairs in digests.chunks(digests.due_digests(now=now)) for pk in
        digests.digest_chunk_claim(pairs, now=now)
    )  # fmt: skip


def expire_leases() -> None:
    DigestDelivery.objects.filter(state=DeliveryState.SENDING).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_stale_lease_is_taken_back_and_sent_again_with_the_same_message_id(readers, monkeypatch):
    first, *_ = claimed()
    record_sent = delivery._record_sent

    def killed_after_the_first_is_accepted(row, now, lease):
        if row.pk == first:
            raise WorkerKilled
        return record_sent(row, now, lease)

    monkeypatch.setattr(delivery, "_record_sent", killed_after_the_first_is_accepted)
    with pytest.raises(WorkerKilled):
        delivery.deliveries_send([first])
    monkeypatch.setattr(delivery, "_record_sent", record_sent)
    [accepted] = mail.outbox
    left = DigestDelivery.objects.get(pk=first)
    assert (left.state, left.lease_owner != "", left.lease_expires_at > timezone.now()) == (
        DeliveryState.SENDING,
        True,
        True,
    )

    # While the lease runs, nobody takes it; once it has run out, the sweep does.
    assert delivery.send_stale(now=MONDAY_MORNING) == 0
    expire_leases()
    assert delivery.send_stale(now=MONDAY_MORNING) == 1

    # Killed between acceptance and "sent": the one duplicate the design allows, and
    # it is the same message to the recipient's mail client.
    again = mail.outbox[1]
    assert again.to == accepted.to
    assert again.extra_headers["Message-ID"] == accepted.extra_headers["Message-ID"]
    assert again.message()["Message-ID"] == accepted.message()["Message-ID"]
    sent = DigestDelivery.objects.get(pk=first)
    assert (sent.state, sent.lease_owner, sent.lease_expires_at, sent.attempts) == (
        DeliveryState.SENT,
        "",
        None,
        2,
    )


def test_a_worker_killed_before_sending_loses_nothing_and_sends_nothing_twice(readers, monkeypatch):
    ids = claimed()
    real_send = mail.EmailMultiAlternatives.send

    def killed_on_the_third(message, *args, **kwargs):
        if len(mail.outbox) == 2:
            raise WorkerKilled
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", killed_on_the_third)
    with pytest.raises(WorkerKilled):
        delivery.deliveries_send(ids)
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
    expire_leases()

    assert delivery.send_stale(now=MONDAY_MORNING) == len(readers) - 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(user.email for user in readers)


def test_sent_is_recorded_per_message_right_after_the_server_accepts_it(readers, monkeypatch):
    ids = claimed()
    real_send = mail.EmailMultiAlternatives.send
    sent_before_each = []

    def watched(message, *args, **kwargs):
        sent_before_each.append(DigestDelivery.objects.filter(state=DeliveryState.SENT).count())
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", watched)

    assert len(delivery.deliveries_send(ids).sent) == len(readers)

    assert sent_before_each == list(range(len(readers)))


def test_a_second_worker_cannot_take_a_live_lease(readers):
    ids = claimed()
    holder = delivery.Lease(owner="worker-a:1:abc")
    assert delivery._take(ids, MONDAY_MORNING, holder) == set(ids)

    other = delivery.deliveries_send(ids)

    assert (other.sent, mail.outbox) == ([], [])
    assert delivery.stale_deliveries(now=MONDAY_MORNING) == []
    assert set(DigestDelivery.objects.values_list("state", "lease_owner").distinct()) == {
        (DeliveryState.SENDING, holder.owner)
    }


def test_a_slow_sender_renews_its_lease_on_what_it_has_not_sent_yet(readers, monkeypatch):
    *_, last = ids = claimed()
    # As if every e-mail took half the lease.
    monkeypatch.setattr(delivery.Lease, "renewal_due", lambda lease: True)
    real_send = mail.EmailMultiAlternatives.send
    expiries = []

    def watched(message, *args, **kwargs):
        expiries.append(DigestDelivery.objects.get(pk=last).lease_expires_at)
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", watched)

    assert len(delivery.deliveries_send(ids).sent) == len(readers)

    assert len(expiries) == len(readers)
    assert all(earlier < later for earlier, later in zip(expiries, expiries[1:], strict=False))


def test_a_sender_whose_lease_ran_out_and_was_taken_does_not_send_it(readers, monkeypatch):
    first, *_ = claimed()
    real_send = mail.EmailMultiAlternatives.send

    def stood_still_until_another_took_it(message, *args, **kwargs):
        # This sender paused (a stopped VM) past its lease; another took the e-mail.
        DigestDelivery.objects.filter(pk=first).update(
            lease_owner="worker-b:2:def", lease_expires_at=timezone.now() + timedelta(minutes=5)
        )
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", stood_still_until_another_took_it)

    # Sent once by this one (the server accepted it), but not recorded as this one's.
    assert delivery.deliveries_send([first]).sent == []
    assert DigestDelivery.objects.get(pk=first).lease_owner == "worker-b:2:def"


def test_the_sweep_takes_back_expired_leases_and_sends_them(readers):
    ids = claimed()
    delivery._take(ids, MONDAY_MORNING, delivery.Lease(owner="dead-worker:1:abc"))
    expire_leases()

    sweep_notifications.apply()

    assert len(mail.outbox) == len(readers)
    assert set(DigestDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_the_sending_tasks_retry_on_database_and_smtp_errors_and_ack_late():
    for task in (send_digest_chunk, send_delivery, send_deliveries, send_immediate):
        assert OperationalError in task.autoretry_for, task.name
        assert OSError in task.autoretry_for, task.name
        assert task.retry_backoff and task.max_retries, task.name
        assert task.acks_late and task.reject_on_worker_lost, task.name


def test_a_database_error_makes_the_chunk_task_retry(readers, monkeypatch):
    pairs = digests.due_digests(now=MONDAY_MORNING)
    chunk_send = digests.digest_chunk_send
    calls = []

    def killed_connection_once(pairs, *, now):
        calls.append(now)
        if len(calls) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return chunk_send(pairs, now=now)

    monkeypatch.setattr(digests, "digest_chunk_send", killed_connection_once)

    # Eagerly, a retry runs at once (its countdown is the worker's business).
    result = send_digest_chunk.apply(
        args=[[list(p) for p in pairs], MONDAY_MORNING.isoformat()], throw=False
    )

    assert result.successful(), result.traceback
    assert len(calls) == 2
    assert len(mail.outbox) == len(readers)


def test_sent_is_still_recorded_when_the_database_connection_is_killed_after_the_send(
    transactional_db, readers, monkeypatch
):
    first, *_ = claimed()
    params = connection.get_connection_params()
    backend = connection.cursor().connection.info.backend_pid
    real_send = mail.EmailMultiAlternatives.send

    def then_the_connection_is_killed(message, *args, **kwargs):
        sent = real_send(message, *args, **kwargs)
        with psycopg.connect(
            **{k: params[k] for k in ("host", "port", "user", "password", "dbname") if k in params}
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", [backend])
        return sent

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", then_the_connection_is_killed)

    assert delivery.deliveries_send([first]).sent == [first]

    assert DigestDelivery.objects.get(pk=first).state == DeliveryState.SENT
    assert len(mail.outbox) == 1
