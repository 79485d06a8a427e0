"""Daily and weekly digests: due at the local hour, grouped, exactly once, nothing in between."""

import logging
import smtplib
import zoneinfo
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from reviews.services.action_items import action_item_create
from reviews.services.decisions import andon_pull, andon_reset
from tests.factories import MembershipFactory
from tests.notifications.notify_helpers import async_comment, iteration, reply
from tests.reviews.factories import scheduled_session
from wbapp.activity.models import (
    Activity,
    DeliveryState,
    DigestDelivery,
    Frequency,
    Notification,
    NotificationPreference,
)
from wbapp.notifications import delivery, digests, follows, preferences
from wbapp.notifications.fanout import fan_out_pending
from wbapp.notifications.tasks import send_delivery, send_due_digests, send_immediate

# Monday 23 November 2026, 09:30 UTC: past the default 08:00 delivery hour in UTC.
MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
NEXT_MORNING = MONDAY_MORNING + timedelta(days=1)


def daily(user, hour=8, **kwargs):
    return NotificationPreference.objects.update_or_create(
        user=user, defaults={"frequency": Frequency.DAILY, "hour": hour, **kwargs}
    )[0]


def mails_to(user) -> list:
    return [m for m in mail.outbox if m.to == [user.email]]


def events_of(message) -> str:
    """The text part after "Waiting on you": what happened, by initiative."""
    return message.body[message.body.index("\n== ") :]


def html_of(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


# --- When a digest is due ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 11, 23, 7, 59, tzinfo=UTC), "daily:2026-11-22"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "daily:2026-11-23"),
        (datetime(2026, 11, 23, 23, 0, tzinfo=UTC), "daily:2026-11-23"),
    ],
)
def test_the_daily_period_starts_at_the_local_hour(now, expected):
    period = digests.digest_period(
        frequency="daily", hour=8, weekday=0, tz=zoneinfo.ZoneInfo("UTC"), now=now
    )
    assert period == expected


def test_the_local_hour_is_the_users_time_zone():
    # 07:30 UTC is 08:30 in Berlin (winter) and 02:30 in New York.
    now = datetime(2026, 11, 23, 7, 30, tzinfo=UTC)
    berlin = digests.digest_period(
        frequency="daily", hour=8, weekday=0, tz=zoneinfo.ZoneInfo("Europe/Berlin"), now=now
    )
    new_york = digests.digest_period(
        frequency="daily", hour=8, weekday=0, tz=zoneinfo.ZoneInfo("America/New_York"), now=now
    )
    assert berlin == "daily:2026-11-23"
    assert new_york == "daily:2026-11-22"


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Wednesday 25th, 10:00: the week began on Monday 23rd at 08:00.
        (datetime(2026, 11, 25, 10, 0, tzinfo=UTC), "weekly:2026-11-23"),
        # Monday 23rd, 07:00: this Monday's digest is not due yet; last week's period runs.
        (datetime(2026, 11, 23, 7, 0, tzinfo=UTC), "weekly:2026-11-16"),
        (datetime(2026, 11, 23, 8, 0, tzinfo=UTC), "weekly:2026-11-23"),
    ],
)
def test_the_weekly_period_starts_at_the_weekday_and_hour(now, expected):
    period = digests.digest_period(
        frequency="weekly", hour=8, weekday=0, tz=zoneinfo.ZoneInfo("UTC"), now=now
    )
    assert period == expected


def test_immediate_and_off_have_no_digest_period():
    for frequency in ("immediate", "off"):
        period = digests.digest_period(
            frequency=frequency, hour=8, weekday=0, tz=UTC, now=MONDAY_MORNING
        )
        assert period is None


def test_only_users_with_something_new_and_a_digest_setting_are_due(cast):
    revision = iteration(cast)
    NotificationPreference.objects.create(user=cast.reviewer, frequency=Frequency.OFF)
    services_follow(cast.reviewer, revision)
    async_comment(cast.owner, revision)
    fan_out_pending()

    due = digests.due_digests(now=MONDAY_MORNING)

    # The editor owns the initiative (default: daily); the reviewer turned e-mail off.
    assert due == [(cast.editor.pk, "daily:2026-11-23")]


def services_follow(user, revision):
    follows.initiative_follow(user=user, initiative=revision.document.initiative)


# --- What it says ---------------------------------------------------------------------------


def test_the_digest_groups_by_initiative_and_links_to_the_exact_comment(cast, settings):
    settings.SITE_URL = "https://workback.example"
    revision = iteration(cast)
    initiative = revision.document.initiative
    question = async_comment(cast.reviewer, revision, body="Who pays the *courier*?")
    fan_out_pending()

    assert digests.send_due_digests(now=MONDAY_MORNING) == 1

    [message] = mails_to(cast.editor)
    text, html = message.body, html_of(message)
    thread_url = (
        f"https://workback.example/i/{initiative.pk}/d/{revision.document_id}"
        f"/iterations/1/#comment-{question.pk}"
    )
    assert initiative.title in message.subject
    assert thread_url in text
    assert f'href="{thread_url}"' in html
    assert "Who pays the *courier*?" in text
    assert "Reviewer" in text and "added a question on iteration 1" in text


def test_waiting_on_you_comes_first(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    mine = async_comment(cast.editor, revision, body="Should the headline say free?")
    reply(cast.reviewer, mine, body="Only if it stays free")
    action_item_create(
        user=cast.reviewer,
        initiative=initiative,
        title="Size the fraud risk",
        owner=cast.editor,
        due_on=MONDAY_MORNING.date() - timedelta(days=1),
    )
    scheduled_session(cast, revision=revision, title="Second read")
    fan_out_pending()

    digests.send_due_digests(now=MONDAY_MORNING)

    [message] = mails_to(cast.editor)
    text = message.body
    waiting = text.index("WAITING ON YOU")
    assert waiting < text.index(f"== {initiative.title} ==")
    assert "Should the headline say free?" in text[waiting:]
    assert "Reviewer replied" in text[waiting:]
    assert "Second read" in text[waiting:]
    assert "Size the fraud risk" in text[waiting:]
    assert "Overdue since" in text
    html = html_of(message)
    assert "Waiting on you" in html
    for heading in ("Threads awaiting your reply", "Review sessions", "Your action items"):
        assert f"<h3>{heading}</h3>" in html
    assert '<span class="overdue">Overdue since' in html


def test_a_pulled_andon_cord_waits_on_you_with_who_pulled_it_and_why(cast, settings):
    settings.SITE_URL = "https://workback.example"
    revision = iteration(cast)
    initiative = revision.document.initiative
    andon_pull(
        user=cast.reviewer, initiative=initiative, reason="Legal has not seen the refund promise"
    )
    fan_out_pending()

    assert digests.send_due_digests(now=MONDAY_MORNING) == 1

    [message] = mails_to(cast.editor)
    text = message.body
    waiting = text.index("WAITING ON YOU")
    assert waiting < text.index(f"== {initiative.title} ==")
    cord = text[waiting:]
    assert f"{initiative.title}: “Legal has not seen the refund promise”" in cord
    assert "Andon cord pulled by Reviewer," in cord
    assert f"https://workback.example/i/{initiative.pk}/" in cord
    assert "things waiting on you" in message.subject
    html = html_of(message)
    assert "<h3>Andon cords pulled</h3>" in html
    assert "“Legal has not seen the refund promise”" in html
    assert "Andon cord pulled by Reviewer," in html


def test_a_cord_reset_before_the_digest_no_longer_waits(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal first")
    andon_reset(user=cast.editor, initiative=initiative, resolution="Legal agreed")
    fan_out_pending()

    digests.send_due_digests(now=MONDAY_MORNING)

    [message] = mails_to(cast.editor)
    assert "WAITING ON YOU" not in message.body
    assert "Andon cords pulled" not in html_of(message)


def test_a_digest_is_readable_in_dark_mode_and_offers_one_click_unsubscribe(cast, settings):
    settings.SITE_URL = "https://workback.example"
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    digests.send_due_digests(now=MONDAY_MORNING)

    [message] = mails_to(cast.editor)
    html = html_of(message)
    unsubscribe = message.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://workback.example/unsubscribe/")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The link is visible in both parts, not only in the header.
    assert unsubscribe.strip("<>") in message.body
    assert f'href="{unsubscribe.strip("<>")}"' in html
    assert '<meta name="color-scheme" content="light dark">' in html
    assert "prefers-color-scheme: dark" in html
    assert "<img" not in html


def test_a_busy_initiative_shows_what_is_addressed_to_you_then_the_newest(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    cast.team.memberships.update(joined_at=MONDAY_MORNING - timedelta(days=30))
    # Fifteen events, recorded newest first so that ids and times disagree; three
    # of them are addressed to the editor.
    for n in reversed(range(15)):
        activity = Activity.objects.create(
            team=cast.team,
            initiative=initiative,
            actor=cast.reviewer,
            verb="iteration_saved",
            payload={"document_id": revision.document_id, "number": 1, "note": f"Event {n:02}"},
            created_at=MONDAY_MORNING - timedelta(hours=2, minutes=-n),
            fanned_out=True,
        )
        Notification.objects.create(
            user=cast.editor, activity=activity, reason="mention" if n in (1, 3, 5) else "owner"
        )

    digests.send_due_digests(now=MONDAY_MORNING)

    [message] = mails_to(cast.editor)
    shown = [n for n in range(15) if f"Event {n:02}" in message.body]
    # The three addressed to the editor, then the newest five, in time order.
    assert shown == [1, 3, 5, 10, 11, 12, 13, 14]
    body = message.body
    assert [body.index(f"Event {n:02}") for n in shown] == sorted(
        body.index(f"Event {n:02}") for n in shown
    )
    assert body.count("[You were mentioned]") == 3
    assert f"And 7 more on {initiative.title}" in body
    assert "15 updates" in message.subject


def test_a_digest_never_shows_a_team_the_user_has_left(cast):
    revision = iteration(cast)
    other = MembershipFactory(role="owner")
    MembershipFactory(team=other.team, user=cast.reviewer, role="reviewer")
    services_follow(cast.reviewer, revision)
    async_comment(cast.owner, revision, body="Secret plans")
    fan_out_pending()
    cast.reviewer.memberships.filter(team=cast.team).delete()

    assert digests.send_due_digests(now=MONDAY_MORNING) == 1  # the editor's only

    assert mails_to(cast.reviewer) == []
    assert DigestDelivery.objects.get(user=cast.reviewer).state == DeliveryState.SKIPPED


# --- Exactly once ---------------------------------------------------------------------------


def test_no_digest_when_there_is_nothing_new(cast):
    iteration(cast)

    assert digests.send_due_digests(now=MONDAY_MORNING) == 0
    assert mail.outbox == []
    assert not DigestDelivery.objects.exists()


def test_the_beat_task_hands_the_same_chunks_to_the_chunk_task(cast):
    revision = iteration(cast)
    follows.initiative_follow(user=cast.viewer, initiative=revision.document.initiative)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    # Tasks run in-process here: each chunk the run hands over is sent at once.
    handed_over = send_due_digests.apply(kwargs={"now": MONDAY_MORNING.isoformat()}).get()

    assert handed_over == 2
    assert len(mails_to(cast.editor)) == len(mails_to(cast.viewer)) == 1
    assert send_due_digests.apply(kwargs={"now": MONDAY_MORNING.isoformat()}).get() == 0


def test_running_the_digest_twice_sends_one_email(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    first = digests.send_due_digests(now=MONDAY_MORNING)
    second = digests.send_due_digests(now=MONDAY_MORNING + timedelta(minutes=15))

    assert (first, second) == (1, 0)
    assert len(mails_to(cast.editor)) == 1
    sent = DigestDelivery.objects.get()
    assert (sent.period, sent.state, sent.item_count) == (
        "daily:2026-11-23",
        DeliveryState.SENT,
        1,
    )


def test_the_next_digest_covers_exactly_what_came_after(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Before the first digest")
    fan_out_pending()
    digests.send_due_digests(now=MONDAY_MORNING)
    # Events after Monday's digest, before Tuesday's, including later the same day.
    async_comment(cast.reviewer, revision, body="After the first digest")
    fan_out_pending()

    assert digests.send_due_digests(now=MONDAY_MORNING + timedelta(hours=3)) == 0
    assert digests.send_due_digests(now=NEXT_MORNING) == 1

    monday, tuesday = (events_of(m) for m in mails_to(cast.editor))
    assert "Before the first digest" in monday
    assert "After the first digest" not in monday
    assert "After the first digest" in tuesday
    assert "Before the first digest" not in tuesday
    assert not Notification.objects.filter(delivery__isnull=True).exists()


def test_a_notification_committed_late_with_a_lower_id_is_not_lost(cast):
    """The id race: a transaction that got its id first but committed after the claim."""
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Early id, late commit")
    async_comment(cast.reviewer, revision, body="Later id")
    fan_out_pending()
    early, later = Notification.objects.order_by("pk")
    # As if "early" had taken its id first but committed only after Monday's claim.
    early_pk = early.pk
    early.delete()
    digests.send_due_digests(now=MONDAY_MORNING)
    Notification.objects.create(
        pk=early_pk, user=early.user, activity=early.activity, reason=early.reason
    )
    assert early_pk < DigestDelivery.objects.get().last_notification_id

    digests.send_due_digests(now=NEXT_MORNING)

    monday, tuesday = mails_to(cast.editor)
    assert "Later id" in events_of(monday)
    assert "Early id, late commit" not in events_of(monday)
    assert "Early id, late commit" in events_of(tuesday)


def test_an_smtp_failure_is_logged_retried_and_never_stops_the_others(cast, monkeypatch, caplog):
    revision = iteration(cast)
    services_follow(cast.viewer, revision)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    real_send = mail.EmailMultiAlternatives.send

    def flaky_send(message, *args, **kwargs):
        if message.to == [cast.editor.email]:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", flaky_send)
    with caplog.at_level(logging.WARNING, logger="wbapp.notifications.delivery"):
        sent = digests.send_due_digests(now=MONDAY_MORNING)

    assert sent == 1
    assert len(mails_to(cast.viewer)) == 1
    failed = DigestDelivery.objects.get(user=cast.editor)
    assert failed.state == DeliveryState.PENDING
    assert "SMTPServerDisconnected" in failed.last_error
    assert "failed on attempt 1" in caplog.text

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
    assert delivery.delivery_send(failed.pk) is True
    assert delivery.delivery_send(failed.pk) is False
    assert len(mails_to(cast.editor)) == 1


def test_a_chunk_of_digests_goes_out_over_one_mail_connection(cast, monkeypatch):
    revision = iteration(cast)
    for _ in range(3):
        services_follow(MembershipFactory(team=cast.team, role="viewer").user, revision)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    opened = []
    get_connection = mail.get_connection

    def counted(*args, **kwargs):
        opened.append(get_connection(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(mail, "get_connection", counted)

    assert digests.send_due_digests(now=MONDAY_MORNING) == 4

    assert len(opened) == 1
    assert len(mail.outbox) == 4


def test_a_period_already_emailed_is_not_claimed_again_when_its_bookkeeping_is_lost(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Before the digest")
    fan_out_pending()
    assert digests.send_due_digests(now=MONDAY_MORNING) == 1
    async_comment(cast.reviewer, revision, body="Later the same day")
    fan_out_pending()
    # As after an admin's edit or a restore: the period looks unclaimed.
    NotificationPreference.objects.filter(user=cast.editor).update(last_period="")

    assert digests.send_due_digests(now=MONDAY_MORNING + timedelta(hours=1)) == 0
    assert digests.send_due_digests(now=NEXT_MORNING) == 1

    monday, tuesday = mails_to(cast.editor)
    assert "Later the same day" in events_of(tuesday)
    assert "Before the digest" not in events_of(tuesday)


def test_a_chunk_whose_claim_fails_is_claimed_user_by_user(cast, monkeypatch, caplog):
    revision = iteration(cast)
    services_follow(cast.viewer, revision)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    claim = digests.digests_claim

    def broken_for_a_chunk(pairs, *, now):
        if len(pairs) > 1:
            raise RuntimeError("the chunk's claim broke")
        return claim(pairs, now=now)

    monkeypatch.setattr(digests, "digests_claim", broken_for_a_chunk)
    with caplog.at_level(logging.ERROR, logger="wbapp.notifications.digests"):
        assert digests.send_due_digests(now=MONDAY_MORNING) == 2

    assert "claiming one by one" in caplog.text
    assert len(mails_to(cast.editor)) == len(mails_to(cast.viewer)) == 1


def test_a_mail_server_gone_mid_chunk_leaves_the_rest_pending_for_the_retry(cast, monkeypatch):
    revision = iteration(cast)
    services_follow(cast.viewer, revision)
    services_follow(cast.owner, revision)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    backend = type(mail.get_connection())
    opened, tried = [], []

    def open_once(connection):
        if opened:
            raise ConnectionRefusedError("Connection refused")
        opened.append(connection)

    def disconnect(connection, messages):
        tried.extend(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(backend, "open", open_once, raising=False)
    monkeypatch.setattr(backend, "send_messages", disconnect)

    assert digests.send_due_digests(now=MONDAY_MORNING) == 0

    # One e-mail tried; the server refused the next conversation, so the others
    # were not tried one by one. All three wait for the retry.
    assert len(tried) == 1
    assert set(DigestDelivery.objects.values_list("state", flat=True)) == {DeliveryState.PENDING}
    assert DigestDelivery.objects.count() == 3
    assert mail.outbox == []


class WorkerDied(BaseException):
    """As if the process were killed: nothing catches it."""


def test_a_worker_dying_mid_batch_leaves_one_group_sending_and_the_rest_pending(cast, monkeypatch):
    monkeypatch.setattr(delivery, "SEND_GROUP", 2)
    revision = iteration(cast)
    for _ in range(4):
        services_follow(MembershipFactory(team=cast.team, role="viewer").user, revision)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    real_send = mail.EmailMultiAlternatives.send

    def dies_on_the_fourth(message, *args, **kwargs):
        if len(mail.outbox) == 3:
            raise WorkerDied
        return real_send(message, *args, **kwargs)

    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", dies_on_the_fourth)
    with pytest.raises(WorkerDied):
        digests.send_due_digests(now=MONDAY_MORNING)

    states = list(DigestDelivery.objects.order_by("pk").values_list("state", flat=True))
    # Two groups taken: each e-mail recorded sent as it went out; the one being sent
    # when the worker died stays "sending" under the dead worker's lease.
    assert states == ["sent", "sent", "sent", "sending", "pending"]
    monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
    # The next run has nothing due; the pending one goes out with the stale ones, and
    # the "sending" one once its lease has run out.
    assert digests.send_due_digests(now=MONDAY_MORNING + timedelta(minutes=30)) == 0
    assert delivery.send_stale(now=MONDAY_MORNING + timedelta(minutes=30)) == 1
    DigestDelivery.objects.filter(state=DeliveryState.SENDING).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert delivery.send_stale(now=MONDAY_MORNING + timedelta(minutes=30)) == 1
    assert len(mail.outbox) == 5
    assert set(DigestDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SENT}


def test_the_retry_task_backs_off_on_smtp_errors():
    for task in (send_delivery, send_immediate):
        assert smtplib.SMTPException in task.autoretry_for
        assert OSError in task.autoretry_for
        assert task.retry_backoff


def test_switching_from_weekly_to_daily_keeps_what_was_not_emailed_yet(cast):
    revision = iteration(cast)
    preferences.preferences_update(
        user=cast.editor, frequency="weekly", hour=8, weekday=4, now=MONDAY_MORNING
    )
    async_comment(cast.reviewer, revision, body="Waiting for Friday")
    fan_out_pending()
    assert digests.send_due_digests(now=MONDAY_MORNING) == 0

    preferences.preferences_update(
        user=cast.editor, frequency="daily", hour=8, weekday=0, now=MONDAY_MORNING
    )
    # Today's 08:00 passed before the change: the first daily digest is tomorrow's.
    assert digests.send_due_digests(now=MONDAY_MORNING + timedelta(hours=1)) == 0

    assert digests.send_due_digests(now=NEXT_MORNING) == 1
    assert "Waiting for Friday" in mails_to(cast.editor)[0].body


def test_turning_email_back_on_does_not_send_the_backlog(cast):
    revision = iteration(cast)
    NotificationPreference.objects.create(user=cast.editor, frequency=Frequency.OFF)
    async_comment(cast.reviewer, revision, body="While e-mail was off")
    fan_out_pending()
    preferences.preferences_update(
        user=cast.editor,
        frequency="daily",
        hour=8,
        weekday=0,
        now=MONDAY_MORNING - timedelta(days=1),
    )
    async_comment(cast.reviewer, revision, body="After turning it on")
    fan_out_pending()

    digests.send_due_digests(now=MONDAY_MORNING)

    [message] = mails_to(cast.editor)
    assert "After turning it on" in events_of(message)
    assert "While e-mail was off" not in events_of(message)


# --- Scale --------------------------------------------------------------------------------


@pytest.mark.parametrize("events", [2, 60])
def test_the_digest_run_costs_the_same_queries_for_one_event_or_many(
    cast, events, django_assert_num_queries
):
    revision = iteration(cast)
    # Half as many threads, each a comment and a reply: one notification each.
    for n in range(events // 2):
        thread = async_comment(cast.reviewer, revision, body=f"Thread {n}")
        reply(cast.reviewer, thread, body=f"Reply {n}")
    fan_out_pending()
    rows = Notification.objects.filter(user=cast.editor)
    assert (rows.count(), sum(rows.values_list("count", flat=True))) == (events // 2, events)

    # Scan for due users (1). Claim the chunk (10): savepoint; create the missing
    # preferences; lock them; save the period; periods already e-mailed; newest
    # uncovered ids; insert the deliveries; cover the notifications and count them
    # into the deliveries; release. Pending deliveries of the chunk (1). Read them
    # (1). Take the first group (4): savepoint; lock; mark sending; release. What they
    # say (9): the recipients' teams; the notifications; the activities shown;
    # comment and reply excerpts; "waiting on you" (sessions, threads to verify,
    # threads waiting, action items, active Andon cords). Mark it sent (1): one
    # UPDATE as soon as the mail server has accepted it.
    with django_assert_num_queries(28):
        digests.send_due_digests(now=MONDAY_MORNING)

    assert len(mails_to(cast.editor)) == 1


@pytest.mark.parametrize("readers", [0, 6])
def test_the_digest_run_costs_the_same_chunk_queries_and_one_sent_per_recipient(
    cast, readers, django_assert_num_queries
):
    revision = iteration(cast)
    for _ in range(readers):
        services_follow(MembershipFactory(team=cast.team, role="viewer").user, revision)
    for n in range(5):
        async_comment(cast.reviewer, revision, body=f"Comment {n}")
    fan_out_pending()

    # The queries above (no replies: no reply excerpts), once for the whole chunk,
    # and one "sent" per e-mail; a group of more than SEND_GROUP recipients would add
    # one take.
    with django_assert_num_queries(26 + 1 + readers):
        assert digests.send_due_digests(now=MONDAY_MORNING) == 1 + readers


def test_a_claim_is_atomic_with_its_period(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    with pytest.raises(RuntimeError), transaction.atomic():
        digests.digests_claim([(cast.editor.pk, "daily:2026-11-23")], now=MONDAY_MORNING)
        raise RuntimeError("the worker died before the commit")

    # Nothing was claimed: the next run sends it.
    assert digests.send_due_digests(now=MONDAY_MORNING) == 1
