"""Immediate notifications: after the commit, a burst batched into one e-mail."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from tests.notifications.notify_helpers import async_comment, iteration
from wbapp.activity.models import (
    DeliveryKind,
    DeliveryState,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
)
from wbapp.notifications import inbox, preferences
from wbapp.notifications.fanout import IMMEDIATE_WINDOW, fan_out_pending
from wbapp.notifications.immediate import immediate_send, send_overdue_immediate


def immediate(user):
    return NotificationPreference.objects.create(user=user, frequency=Frequency.IMMEDIATE)


def test_a_burst_of_comments_is_one_email(cast, django_capture_on_commit_callbacks):
    revision = iteration(cast)
    immediate(cast.editor)
    for n in range(3):
        async_comment(cast.reviewer, revision, body=f"Burst comment {n}")

    # The fan-out after the commit schedules one send for the end of the window;
    # eagerly (as here and without Redis) it runs at once.
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()

    [message] = mail.outbox
    assert message.to == [cast.editor.email]
    assert message.subject == f"[{revision.document.initiative.title}] 3 new updates"
    for n in range(3):
        assert f"Burst comment {n}" in message.body
    sent = DigestDelivery.objects.get()
    assert (sent.kind, sent.state, sent.item_count) == (DeliveryKind.IMMEDIATE, "sent", 3)
    assert NotificationPreference.objects.get(user=cast.editor).pending_since is None


def test_the_send_waits_for_the_window(cast, django_capture_on_commit_callbacks, monkeypatch):
    from wbapp.notifications.tasks import send_immediate

    scheduled = []
    monkeypatch.setattr(
        send_immediate, "apply_async", lambda args, countdown: scheduled.append((args, countdown))
    )
    revision = iteration(cast)
    immediate(cast.editor)
    async_comment(cast.reviewer, revision)

    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()

    assert scheduled == [((cast.editor.pk,), IMMEDIATE_WINDOW.total_seconds())]
    assert timedelta(minutes=2) == IMMEDIATE_WINDOW


def test_a_single_event_is_named_in_the_subject(cast):
    revision = iteration(cast)
    immediate(cast.editor)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    immediate_send(user_id=cast.editor.pk)

    [message] = mail.outbox
    title = revision.document.initiative.title
    assert message.subject == f"[{title}] Reviewer added a question on iteration 1 of Narrative"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_what_was_read_in_the_app_meanwhile_is_not_emailed(cast):
    revision = iteration(cast)
    immediate(cast.editor)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    inbox.mark_read(user=cast.editor, all=True)

    assert immediate_send(user_id=cast.editor.pk) == 0

    assert mail.outbox == []
    assert DigestDelivery.objects.get().state == DeliveryState.SKIPPED
    # Covered all the same: a later digest does not bring it up again.
    assert not Notification.objects.filter(delivery__isnull=True).exists()


def test_a_second_send_for_the_same_window_sends_nothing(cast):
    revision = iteration(cast)
    immediate(cast.editor)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    assert immediate_send(user_id=cast.editor.pk) == 1
    assert immediate_send(user_id=cast.editor.pk) == 0
    assert len(mail.outbox) == 1


def test_a_user_who_switched_to_a_digest_meanwhile_gets_no_immediate_email(cast):
    revision = iteration(cast)
    immediate(cast.editor)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    preferences.preferences_update(user=cast.editor, frequency="daily", hour=8, weekday=0)

    assert immediate_send(user_id=cast.editor.pk) == 0

    assert mail.outbox == []
    assert Notification.objects.filter(user=cast.editor, delivery__isnull=True).count() == 1


def test_a_window_whose_task_was_lost_is_sent_by_the_sweep(cast):
    revision = iteration(cast)
    immediate(cast.editor)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    NotificationPreference.objects.filter(user=cast.editor).update(
        pending_since=timezone.now() - timedelta(minutes=30)
    )

    assert send_overdue_immediate() == 1
    assert len(mail.outbox) == 1
