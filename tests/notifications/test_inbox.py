"""The inbox: unread counts, the newest notifications with their lines, marking read."""

import pytest

from tests.notifications.notify_helpers import async_comment, iteration, reply
from wbapp.activity.models import Notification
from wbapp.notifications import follows, inbox
from wbapp.notifications.fanout import fan_out_pending


def test_the_unread_count_counts_only_the_users_unread_notifications(cast):
    revision = iteration(cast)
    for n in range(3):
        async_comment(cast.reviewer, revision, body=f"Comment {n}")
    fan_out_pending()
    first = Notification.objects.filter(user=cast.editor).order_by("pk").first()

    inbox.mark_read(user=cast.editor, ids=[first.pk])

    assert inbox.unread_count(cast.editor) == 2
    assert inbox.unread_count(cast.reviewer) == 0


def test_the_kept_unread_count_is_counted_again_after_a_fan_out(cast, django_assert_num_queries):
    revision = iteration(cast)
    assert inbox.unread_count(cast.editor) == 0
    with django_assert_num_queries(0):
        assert inbox.unread_count(cast.editor) == 0

    async_comment(cast.reviewer, revision, body="After the first count")
    fan_out_pending()

    assert inbox.unread_count(cast.editor) == 1


def test_the_unread_count_forgets_a_team_the_user_left(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Before leaving")
    fan_out_pending()
    assert inbox.unread_count(cast.editor) == 1

    cast.team.memberships.filter(user=cast.editor).delete()

    assert inbox.unread_count(cast.editor) == 0


def test_the_inbox_is_newest_first_with_lines_linking_to_the_thread(cast):
    revision = iteration(cast)
    thread = async_comment(cast.reviewer, revision, body="Who pays the courier?")
    fan_out_pending()
    # Read: the reply starts a notification of its own rather than folding into it.
    inbox.mark_read(user=cast.editor, all=True)
    reply(cast.owner, thread, body="We do, for now.")
    fan_out_pending()

    newest, oldest = inbox.inbox(cast.editor)

    assert newest.line.text == "replied to a comment on iteration 1 of Narrative"
    assert newest.line.excerpt == "We do, for now."
    assert oldest.line.excerpt == "Who pays the courier?"
    assert oldest.line.path.endswith(f"/iterations/1/#comment-{thread.pk}")
    assert oldest.line.actor == "Reviewer"


def test_the_inbox_takes_the_same_queries_for_a_page_of_any_length(cast, django_assert_num_queries):
    revision = iteration(cast)
    # Thirty threads, each with a reply: thirty notifications.
    for n in range(30):
        thread = async_comment(cast.reviewer, revision, body=f"Comment {n}")
        reply(cast.owner, thread, body=f"Reply {n}")
    fan_out_pending()

    # notifications with actor, initiative and team; comment excerpts; reply excerpts
    with django_assert_num_queries(3):
        page = inbox.inbox(cast.editor, limit=20)

    assert len(page) == 20
    older = inbox.inbox(cast.editor, limit=20, before=page[-1].pk)
    assert len(older) == 10


def test_the_inbox_hides_teams_the_user_has_left(cast):
    revision = iteration(cast)
    follows.initiative_follow(user=cast.viewer, initiative=revision.document.initiative)
    async_comment(cast.reviewer, revision)
    fan_out_pending()

    cast.viewer.memberships.filter(team=cast.team).delete()

    assert inbox.inbox(cast.viewer) == []


def test_mark_read_never_touches_someone_elses_notifications(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision)
    fan_out_pending()
    editors = Notification.objects.get(user=cast.editor)

    assert inbox.mark_read(user=cast.reviewer, ids=[editors.pk]) == 0
    assert inbox.unread_count(cast.editor) == 1


def test_mark_all_read_up_to_keeps_what_arrived_after_the_page(cast):
    revision = iteration(cast)
    async_comment(cast.reviewer, revision, body="Seen on the page")
    fan_out_pending()
    shown = Notification.objects.get(user=cast.editor).pk
    async_comment(cast.reviewer, revision, body="Arrived later")
    fan_out_pending()

    assert inbox.mark_read(user=cast.editor, all=True, up_to=shown) == 1
    assert inbox.unread_count(cast.editor) == 1


def test_mark_read_needs_ids_or_all(cast):
    with pytest.raises(TypeError):
        inbox.mark_read(user=cast.editor)
