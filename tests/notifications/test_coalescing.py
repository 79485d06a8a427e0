"""One notification per thread, reveal, session or iteration while unread (coalescing.py),
nothing from before a recipient joined, and no e-mail from inside a live session."""

from django.core import mail

from reviews.models import ParticipantRole
from reviews.services.decisions import session_close
from reviews.services.phases import session_start_discussion
from tests.factories import MembershipFactory
from tests.notifications.notify_helpers import async_comment, iteration, reply
from tests.reviews.carrying import comment_on, prfaq_with, save, write
from tests.reviews.factories import comment, mention, reading_session
from wbapp.activity.models import Frequency, Notification, NotificationPreference, Reason
from wbapp.notifications import follows, inbox
from wbapp.notifications.fanout import fan_out_pending
from wbapp.notifications.immediate import immediate_send


def rows_of(user):
    return list(Notification.objects.filter(user=user).select_related("activity").order_by("pk"))


def test_replies_in_one_thread_fold_into_one_unread_notification_with_a_count(cast):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision, body="Who pays the courier?")
    fan_out_pending()
    reply(cast.owner, thread, body="We do.")
    fan_out_pending()
    reply(cast.owner, thread, body="For now.")
    fan_out_pending()

    [row] = rows_of(cast.editor)
    assert (row.activity.verb, row.count, row.topic) == ("reply_added", 3, f"thread:{thread.pk}")
    [shown] = inbox.inbox(cast.editor)
    assert shown.line.excerpt == "For now."


def test_the_inbox_says_how_many_messages_a_folded_notification_stands_for(cast, client_for):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision)
    for body in ("One", "Two"):
        reply(cast.owner, thread, body=body)
    fan_out_pending()

    page = client_for(cast.editor).get("/notifications/").content.decode()

    assert page.count('class="inbox-item') == 1
    assert '<p class="inbox-count">3 new messages in this thread</p>' in page


def test_a_read_notification_stays_read_and_the_next_reply_starts_a_new_one(cast):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision)
    fan_out_pending()
    inbox.mark_read(user=cast.editor, all=True)

    reply(cast.owner, thread)
    fan_out_pending()

    first, second = rows_of(cast.editor)
    assert (first.activity.verb, first.is_unread) == ("comment_added", False)
    assert (second.activity.verb, second.count, second.is_unread) == ("reply_added", 1, True)


def test_what_an_email_told_is_not_folded_into_the_next_email(cast):
    revision = iteration(cast)
    NotificationPreference.objects.create(user=cast.editor, frequency=Frequency.IMMEDIATE)
    thread = async_comment(cast.reviewer, revision, body="First question")
    fan_out_pending()
    immediate_send(user_id=cast.editor.pk)
    reply(cast.owner, thread, body="An answer")
    fan_out_pending()
    immediate_send(user_id=cast.editor.pk)

    assert [n.count for n in rows_of(cast.editor)] == [1, 1]
    first, second = mail.outbox
    assert "First question" in first.body
    assert "An answer" in second.body and "First question" not in second.body


def test_the_strongest_reason_wins_and_a_mention_stands_alone(cast):
    revision = iteration(cast)
    author = MembershipFactory(team=cast.team, role="reviewer").user
    thread = async_comment(author, revision)
    reply(cast.owner, thread, body="A general answer")
    reply(cast.reviewer, thread, body=f"{mention(author)} see this")
    fan_out_pending()

    rows = rows_of(author)
    assert [(n.activity.verb, n.reason, n.count) for n in rows] == [
        ("reply_added", Reason.THREAD, 2),
        ("mentioned", Reason.MENTION, 1),
    ]


def test_an_iteration_and_the_threads_it_carried_are_one_notification(cast):
    document = prfaq_with(cast, summary="Returns are free. A courier collects the parcel.")
    first = save(cast, document)
    comment_on(cast.reviewer, first, "summary", "Returns are free")
    comment_on(cast.reviewer, first, "summary", "A courier")
    follows.initiative_follow(user=cast.viewer, initiative=document.initiative)
    fan_out_pending()
    for user in (cast.reviewer, cast.viewer):
        inbox.mark_read(user=user, all=True)
    write(cast, document, summary="Returns are free. A courier collects it.")

    save(cast, document, note="Second")
    fan_out_pending()

    for user in (cast.reviewer, cast.viewer):
        [row] = inbox.inbox(user, limit=1)
        assert row.count == 2  # the iteration, and the carrying of its threads
        assert row.line.text == "saved iteration 2 of PR/FAQ, carrying 2 open comments forward"
        assert Notification.objects.filter(user=user, read_at__isnull=True).count() == 1


def test_the_comments_of_a_silent_read_are_revealed_as_one_notification(cast):
    second = MembershipFactory(team=cast.team, role="reviewer").user
    session = reading_session(
        cast,
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (second, ParticipantRole.REVIEWER),
        ],
    )
    for n in range(3):
        comment(cast.reviewer, session, body=f"Reading comment {n}")
    comment(second, session, body="Mine")
    fan_out_pending()
    inbox.mark_read(user=second, all=True)

    session_start_discussion(user=cast.editor, session=session)
    fan_out_pending()

    revealed = [n for n in inbox.inbox(second) if n.topic.startswith("reveal:")]
    assert [(n.count, n.reason) for n in revealed] == [(3, Reason.REVIEWER)]


def test_nothing_from_before_a_member_joined_reaches_them(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    # Recorded while the fan-out was down; the newcomer joins and follows before it runs.
    async_comment(cast.reviewer, revision, body="Backlog")
    newcomer = MembershipFactory(team=cast.team, role="reviewer").user
    follows.initiative_follow(user=newcomer, initiative=initiative)
    async_comment(cast.reviewer, revision, body="News")
    fan_out_pending()

    assert [n.line.excerpt for n in inbox.inbox(newcomer)] == ["News"]
    assert len(inbox.inbox(cast.editor)) == 2


def test_an_email_leaves_out_what_happened_before_the_user_rejoined(cast):
    revision = iteration(cast)
    NotificationPreference.objects.create(user=cast.viewer, frequency=Frequency.IMMEDIATE)
    follows.initiative_follow(user=cast.viewer, initiative=revision.document.initiative)
    async_comment(cast.reviewer, revision, body="While a member before")
    fan_out_pending()
    cast.team.memberships.filter(user=cast.viewer).delete()
    MembershipFactory(team=cast.team, user=cast.viewer, role="viewer")
    follows.initiative_follow(user=cast.viewer, initiative=revision.document.initiative)
    async_comment(cast.reviewer, revision, body="Since rejoining")
    fan_out_pending()

    assert immediate_send(user_id=cast.viewer.pk) == 1

    [message] = mail.outbox
    assert "Since rejoining" in message.body
    assert "While a member before" not in message.body


def test_a_live_session_emails_its_participants_only_once_it_closes(
    cast, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=cast.reviewer, frequency=Frequency.IMMEDIATE)
    session = reading_session(cast)
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()
    mail.outbox.clear()
    thread = comment(cast.editor, session, body="Facilitator's question")
    with django_capture_on_commit_callbacks(execute=True):
        session_start_discussion(user=cast.editor, session=session)
    with django_capture_on_commit_callbacks(execute=True):
        reply(cast.owner, thread, body="In the room")

    # In the room: the inbox has it, the mailbox does not.
    assert mail.outbox == []
    assert Notification.objects.filter(user=cast.reviewer, read_at__isnull=True).exists()

    with django_capture_on_commit_callbacks(execute=True):
        session_close(user=cast.editor, session=session, outcome="iterate")

    [message] = mail.outbox
    assert message.to == [cast.reviewer.email]
    assert "In the room" in message.body
    assert "closed" in message.body
