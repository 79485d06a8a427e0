"""What a batch of e-mails says: each activity fetched and described once per run."""

from datetime import UTC, datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory
from tests.notifications.notify_helpers import async_comment, iteration
from wbapp.activity.models import Activity, DigestDelivery
from wbapp.notifications import digests, follows
from wbapp.notifications.contents import Lines, delivery_contents
from wbapp.notifications.fanout import fan_out_pending

MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def claimed(cast, readers: int) -> list[DigestDelivery]:
    """The claimed digests of the editor and ``readers`` followers of one busy initiative."""
    revision = iteration(cast)
    for _ in range(readers):
        user = MembershipFactory(team=cast.team, role="viewer").user
        follows.initiative_follow(user=user, initiative=revision.document.initiative)
    for n in range(3):
        async_comment(cast.reviewer, revision, body=f"Comment {n}")
    fan_out_pending()
    ids = digests.digests_claim(digests.due_digests(now=MONDAY_MORNING), now=MONDAY_MORNING)
    return list(
        DigestDelivery.objects.filter(pk__in=ids)
        .select_related("user__notification_preference")
        .order_by("pk")
    )


def activity_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if q["sql"].startswith('SELECT "activity_activity"')]


def test_a_later_chunk_reuses_the_lines_an_earlier_one_described(cast):
    first, *others = claimed(cast, readers=3)
    lines = Lines()
    delivery_contents([first], now=MONDAY_MORNING, lines=lines)

    with CaptureQueriesContext(connection) as queries:
        contents = delivery_contents(others, now=MONDAY_MORNING, lines=lines)

    assert activity_reads(queries.captured_queries) == []
    assert all(len(c.groups[0].items) == 3 for c in contents.values())
    assert "Comment 2" in contents[others[0].pk].groups[0].items[-1].line.excerpt


def test_recipients_of_one_batch_share_each_line(cast):
    deliveries = claimed(cast, readers=3)

    contents = delivery_contents(deliveries, now=MONDAY_MORNING)

    lines = {id(item.line) for c in contents.values() for g in c.groups for item in g.items}
    assert len(deliveries) == 4
    assert len(lines) == 3  # one per comment, for four e-mails


def test_a_run_forgets_its_oldest_lines_past_its_bound(cast, monkeypatch):
    from wbapp.notifications import contents as module

    monkeypatch.setattr(module, "MAX_LINES", 4)
    revision = iteration(cast)
    comments = [async_comment(cast.reviewer, revision, body=f"Comment {n}") for n in range(6)]
    first, second = (
        set(
            Activity.objects.filter(payload__comment_id__in=[c.pk for c in batch]).values_list(
                "pk", flat=True
            )
        )
        for batch in (comments[:3], comments[3:])
    )
    lines = Lines()
    lines.describe(first)

    lines.describe(second)

    # The first described of the earlier three went; what the batch needs is all there.
    [forgotten] = first - lines.lines.keys()
    assert second <= lines.lines.keys()
    assert len(lines.lines) == 5
    lines.describe({forgotten})
    assert forgotten in lines.lines
