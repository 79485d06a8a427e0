"""From activities to inboxes: who hears of what, once, and never of their own actions."""

from datetime import timedelta

import pytest
from django.utils import timezone

from reviews.models import ParticipantRole
from reviews.services.action_items import action_item_create
from reviews.services.phases import session_start_discussion
from tests.factories import MembershipFactory, UserFactory
from tests.notifications.notify_helpers import async_comment, iteration, notified, reply
from tests.reviews.factories import comment, reading_session, scheduled_session
from wbapp.accounts import services as accounts
from wbapp.activity.models import (
    Activity,
    Frequency,
    Notification,
    NotificationPreference,
    Reason,
)
from wbapp.activity.recording import activity_record
from wbapp.notifications import follows
from wbapp.notifications.fanout import fan_out_pending


def test_a_comment_reaches_the_initiative_owner_but_not_its_author(cast):
    revision = iteration(cast)

    async_comment(cast.reviewer, revision)

    assert notified("comment_added") == {cast.editor.pk: Reason.OWNER}


def test_explicit_followers_hear_of_comments(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    follows.initiative_follow(user=cast.viewer, initiative=initiative)

    async_comment(cast.reviewer, revision)

    assert notified("comment_added")[cast.viewer.pk] == Reason.FOLLOWER


def test_commenting_makes_you_follow_by_default(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    async_comment(cast.owner, revision, body="Second thought")
    fan_out_pending()

    by_owner = Notification.objects.filter(activity__actor=cast.owner)
    assert dict(by_owner.values_list("user_id", "reason")) == {
        cast.editor.pk: Reason.OWNER,
        cast.reviewer.pk: Reason.COMMENTER,
    }


def test_nobody_outside_the_team_hears_anything(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    # A former member who still follows: removed from the team since.
    former = MembershipFactory(team=cast.team, role="reviewer").user
    follows.initiative_follow(user=former, initiative=initiative)
    accounts.membership_remove(membership=former.memberships.get(), by=cast.owner)

    async_comment(cast.reviewer, revision)

    recipients = notified("comment_added")
    assert former.pk not in recipients
    assert cast.outsider.pk not in recipients


def test_a_muted_initiative_is_silent_except_what_is_addressed_to_you(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    thread = async_comment(cast.reviewer, revision)
    fan_out_pending()
    follows.initiative_mute(user=cast.reviewer, initiative=initiative)

    async_comment(cast.owner, revision, body="Another one")
    reply(cast.editor, thread)

    assert cast.reviewer.pk not in notified("comment_added")
    assert notified("reply_added")[cast.reviewer.pk] == Reason.THREAD


def test_a_reply_reaches_the_thread_author_and_earlier_repliers(cast):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision)
    reply(cast.owner, thread, body="First reply")
    fan_out_pending()
    Notification.objects.all().delete()

    reply(cast.editor, thread, body="Second reply")

    recipients = notified("reply_added")
    assert recipients[cast.reviewer.pk] == Reason.THREAD
    assert recipients[cast.owner.pk] == Reason.THREAD
    assert cast.editor.pk not in recipients


def test_invitees_hear_of_the_session_and_follow_the_initiative_from_then_on(cast):
    extra = MembershipFactory(team=cast.team, role="viewer").user
    session = scheduled_session(
        cast,
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (extra, ParticipantRole.OBSERVER),
        ],
    )
    assert notified("session_scheduled") == {
        cast.reviewer.pk: Reason.INVITED,
        extra.pk: Reason.INVITED,
    }

    async_comment(cast.owner, session.revision)

    assert notified("comment_added")[extra.pk] == Reason.REVIEWER


def test_comments_during_the_silent_read_reach_nobody_until_the_reveal(cast):
    session = reading_session(cast)
    fan_out_pending()

    comment(cast.reviewer, session, body="Private until the reveal")

    assert notified("comment_added") == {}
    assert not Notification.objects.filter(activity__verb="comment_added").exists()

    session_start_discussion(user=cast.editor, session=session)

    # The reveal bulk-inserts its activities without activity_record; the outbox still sees them.
    assert notified("comment_added") == {cast.editor.pk: Reason.OWNER}


def test_an_action_item_reaches_its_owner_personally_even_when_muted(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative
    follows.initiative_mute(user=cast.reviewer, initiative=initiative)

    action_item_create(
        user=cast.editor, initiative=initiative, title="Size the fraud risk", owner=cast.reviewer
    )

    assert notified("action_item_assigned") == {cast.reviewer.pk: Reason.ASSIGNED}


def test_a_role_change_reaches_the_member(cast):
    membership = cast.viewer.memberships.get(team=cast.team)

    accounts.membership_change_role(membership=membership, by=cast.owner, role="reviewer")

    assert notified("role_changed") == {cast.viewer.pk: Reason.ROLE}


def test_mentions_named_in_the_payload_are_personal_and_only_personal(cast):
    revision = iteration(cast)
    initiative = revision.document.initiative

    activity_record(
        team=cast.team,
        actor=cast.reviewer,
        verb="mentioned",
        initiative=initiative,
        mentioned_ids=[cast.viewer.pk, cast.outsider.pk, cast.reviewer.pk],
    )

    # Not the followers (the comment told them), not the outsider, not the actor.
    assert notified("mentioned") == {cast.viewer.pk: Reason.MENTION}


def test_fanning_out_twice_writes_each_notification_once(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    Activity.objects.update(fanned_out=False)

    fan_out_pending()

    assert Notification.objects.count() == 1


def test_the_fan_out_runs_after_the_commit_of_the_change(cast, django_capture_on_commit_callbacks):
    revision = iteration(cast)

    with django_capture_on_commit_callbacks(execute=True):
        async_comment(cast.reviewer, revision)

    assert Notification.objects.filter(user=cast.editor).count() == 1
    assert not Activity.objects.filter(fanned_out=False).exists()


def test_an_event_rolled_back_notifies_nobody(cast):
    revision = iteration(cast)

    with pytest.raises(RuntimeError), django_transaction_atomic():
        async_comment(cast.reviewer, revision)
        raise RuntimeError("the request failed after the comment")

    assert fan_out_pending() == 0
    assert not Notification.objects.exists()


def django_transaction_atomic():
    from django.db import transaction

    return transaction.atomic()


@pytest.mark.parametrize("events", [1, 40])
def test_the_fan_out_takes_the_same_queries_for_one_event_or_many(
    cast, events, django_assert_num_queries
):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision)
    fan_out_pending()
    for n in range(events):
        reply(cast.owner, thread, body=f"Reply {n}")

    # savepoint; pending activities FOR UPDATE; explicit followers; owners; commenters;
    # session participants; facilitators; mutes; thread repliers; team members;
    # the unread rows of the same threads FOR UPDATE; delete them (folded); insert
    # notifications; flag the activities; immediate-mail users; release savepoint;
    # then the next (empty) batch.
    with django_assert_num_queries(16):
        fan_out_pending()

    # One notification per thread: the comment and every reply folded into it.
    rows = Notification.objects.filter(activity__verb="reply_added").order_by("user_id")
    assert [(n.user_id, n.count) for n in rows] == sorted(
        [(cast.editor.pk, events + 1), (cast.reviewer.pk, events)]
    )


@pytest.fixture
def scheduled(monkeypatch) -> list:
    """The immediate sends the fan-out schedules after its commits (not run here)."""
    from wbapp.notifications import fanout

    sends = []
    monkeypatch.setattr(fanout, "_schedule_immediate", sends.append)
    return sends


def test_a_burst_opens_one_immediate_window_per_user(
    cast, django_capture_on_commit_callbacks, scheduled
):
    revision = iteration(cast)
    NotificationPreference.objects.create(user=cast.editor, frequency=Frequency.IMMEDIATE)
    async_comment(cast.reviewer, revision, body="One")
    async_comment(cast.reviewer, revision, body="Two")

    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()
    pending_since = NotificationPreference.objects.get(user=cast.editor).pending_since
    async_comment(cast.owner, revision, body="Three")
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()

    assert pending_since is not None
    # The window is open: the third comment waits for the send already scheduled.
    assert scheduled == [[cast.editor.pk]]
    assert NotificationPreference.objects.get(user=cast.editor).pending_since == pending_since


def test_a_window_open_too_long_is_opened_again(
    cast, django_capture_on_commit_callbacks, scheduled
):
    revision = iteration(cast)
    NotificationPreference.objects.create(
        user=cast.editor,
        frequency=Frequency.IMMEDIATE,
        pending_since=timezone.now() - timedelta(hours=1),
    )
    async_comment(cast.reviewer, revision)

    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()

    assert scheduled == [[cast.editor.pk]]


def test_the_actor_is_never_notified_even_when_named(cast):
    other = UserFactory()
    MembershipFactory(team=cast.team, user=other, role="reviewer")
    revision = iteration(cast)

    action_item_create(
        user=cast.editor, initiative=revision.document.initiative, title="Mine", owner=cast.editor
    )

    assert cast.editor.pk not in notified("action_item_assigned")


def test_whoever_pulled_the_cord_hears_of_its_reset_even_when_muted(cast):
    initiative = iteration(cast).document.initiative
    follows.initiative_mute(user=cast.reviewer, initiative=initiative)

    activity_record(
        team=cast.team,
        actor=cast.editor,
        verb="andon_reset",
        initiative=initiative,
        reason="Legal has not seen the refund promise",
        resolution="Legal signed off",
        pulled_by_id=cast.reviewer.pk,
    )

    assert notified("andon_reset")[cast.reviewer.pk] == Reason.CORD


@pytest.mark.django_db(transaction=True)
def test_a_failing_fan_out_never_fails_the_change_it_follows(cast, monkeypatch, caplog):
    from wbapp.notifications import fanout

    def broken(**kwargs):
        raise RuntimeError("fan-out bug")

    monkeypatch.setattr(fanout, "fan_out_pending", broken)
    revision = iteration(cast)

    thread = async_comment(cast.reviewer, revision)

    assert thread.pk is not None
    assert "fan-out bug" in caplog.text
    # Still waiting in the outbox for the sweep.
    assert Activity.objects.filter(verb="comment_added", fanned_out=False).exists()
