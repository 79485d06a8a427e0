"""wbapp/notifications/inbox.py: the hand-written inbox query gives what the ORM gives.

For the inbox's owner, another member, a former member and an outsider; with
activities without an actor or an initiative, of another team, read and unread,
with comment and reply excerpts, a page cut short and an older page: the same
notifications in the same order, each with the same fields and the same line.
"""

import pytest

from reviews.models import Comment
from reviews.services.comments import reply_create
from tests.documents.factories import InitiativeFactory
from tests.factories import MembershipFactory, TeamFactory
from tests.notifications.inbox_factories import notification_for
from tests.reviews.factories import comment, revision_for
from wbapp.activity.models import Activity, Reason
from wbapp.notifications import inbox
from wbapp.notifications.lines import Excerpts, _short, describe, excerpts_for

pytestmark = pytest.mark.django_db

ACTIVITY = ("pk", "team_id", "actor_id", "initiative_id", "verb", "payload", "created_at")


def as_the_orm_reads_it(user, limit, before=None) -> list[tuple]:
    rows = list(inbox.inbox_rows(user, before=before)[:limit])
    excerpts = excerpts_for([n.activity for n in rows])
    return [shown(n, describe(n.activity, excerpts)) for n in rows]


def shown(notification, line) -> tuple:
    """What the page reads of a notification, its activity and the line made of them."""
    activity = notification.activity
    return (
        notification.pk,
        notification.reason,
        notification.read_at,
        notification.count,
        notification.topic,
        *(getattr(activity, name) for name in ACTIVITY),
        activity.team.name,
        activity.team.slug,
        activity.actor.name if activity.actor else None,
        activity.initiative.title if activity.initiative else None,
        activity.get_verb_display(),
        line,
    )


@pytest.fixture
def inboxes(cast):
    revision = revision_for(cast)
    initiative = revision.document.initiative
    thread = comment(cast.reviewer, revision, body="Who pays the courier?")
    notification_for(
        cast.viewer,
        initiative=initiative,
        actor=cast.reviewer,
        verb="comment_added",
        payload={"comment_id": thread.pk, "document_id": 1, "number": 1, "kind": "question"},
        reason=Reason.MENTION,
    )
    notification_for(cast.viewer, initiative=initiative, read=True)
    # Several replies folded into one (coalescing.py).
    folded = notification_for(cast.viewer, initiative=initiative, actor=cast.editor)
    folded.count, folded.topic = 3, f"thread:{thread.pk}"
    folded.save(update_fields=["count", "topic"])
    for user in (cast.viewer, cast.editor):
        notification_for(user, initiative=initiative, actor=cast.owner)
    # No actor (a timer), and no initiative (a team's own news).
    timer = notification_for(
        cast.viewer,
        initiative=initiative,
        verb="session_discussion",
        payload={"session_title": "Read", "by_timer": True},
    )
    Activity.objects.filter(pk=timer.activity_id).update(actor=None)
    # A verb the lines have no words of their own for: its label.
    notification_for(cast.viewer, initiative=initiative, verb="member_invited", payload={})
    joined = notification_for(cast.viewer, initiative=initiative, verb="member_joined")
    Activity.objects.filter(pk=joined.activity_id).update(initiative=None)
    # Another team of the viewer's, and one they have left.
    elsewhere = MembershipFactory(user=cast.viewer).team
    notification_for(cast.viewer, initiative=InitiativeFactory(team=elsewhere, title="There"))
    left = TeamFactory()
    MembershipFactory(team=left, user=cast.viewer)
    notification_for(cast.viewer, initiative=InitiativeFactory(team=left, title="Left"))
    left.memberships.filter(user=cast.viewer).delete()
    notification_for(cast.outsider)
    return [cast.viewer, cast.editor, cast.reviewer, cast.outsider]


@pytest.mark.parametrize("limit", [50, 3])
def test_the_written_query_gives_what_the_orm_gives(inboxes, limit):
    for user in inboxes:
        written = inbox.inbox(user, limit=limit)
        assert [shown(n, n.line) for n in written] == as_the_orm_reads_it(user, limit), user
        if written:
            before = written[-1].pk + 1
            older = inbox.inbox(user, limit=limit, before=before)
            assert [shown(n, n.line) for n in older] == as_the_orm_reads_it(user, limit, before)


def test_the_data_tells_the_rules_apart(inboxes, cast):
    shown = inbox.inbox(cast.viewer)
    lines = [n.line for n in shown]
    assert len(lines) == 8  # not the team they left
    assert {n.count for n in shown} == {1, 3}
    assert "invited a member" in {line.text for line in lines}
    assert "Left" not in {line.initiative for line in lines}
    assert {"There", ""} < {line.initiative for line in lines}
    assert "" in {line.actor for line in lines}  # the timer
    assert "Who pays the courier?" in {line.excerpt for line in lines}


def test_the_written_excerpt_queries_give_what_the_orm_gives(cast, django_assert_num_queries):
    revision = revision_for(cast)
    threads = [comment(cast.reviewer, revision, body=f"Thread {n} " + "long " * 60) for n in (1, 2)]
    replied = reply_create(user=cast.editor, comment=threads[0], body="An answer")
    payloads = [
        {"comment_id": threads[0].pk, "reply_id": replied.pk},
        {"comment_id": threads[1].pk},
        {"comment_id": True},  # JSON's true is an int to Python: the ORM reads it as 1
        {"comment_id": 2**70, "reply_id": -1},  # no such ids, one past a 64-bit column
        {"comment_id": "7"},  # not an id: not asked for
    ]
    activities = [Activity(payload=payload) for payload in payloads]

    with django_assert_num_queries(2):
        written = excerpts_for(activities)

    # What the ORM reads for the same ids (as excerpts_for read them before).
    ids = {threads[0].pk, threads[1].pk, True, 2**70}
    rows = Comment.objects.filter(pk__in=ids).values_list("pk", "body", "session_id")
    comments = {pk: (_short(body), session_id) for pk, body, session_id in rows}
    assert len(comments) == 2
    assert written == Excerpts(comments=comments, replies={replied.pk: "An answer"})
    with django_assert_num_queries(0):
        assert excerpts_for([Activity(payload={"comment_id": 2**70})]) == Excerpts({}, {})
