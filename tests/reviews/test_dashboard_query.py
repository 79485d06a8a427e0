"""reviews/dashboard_query.py: the hand-written "My reviews" queries list what the ORM lists.

Row by row and in order, for every list, every member of the cast, a former
member and an outsider, on data made to tell the rules apart: a silent read
still going on (its comments private to their authors), threads carried forward,
mentions only, resolved and addressed threads, replies at the same instant, a
person known only by their e-mail, sessions over or of a team left, cords on
initiatives followed in each way, muted, reset or of another team. A short limit
checks that each list is cut after its rules, not before.
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from reviews.dashboard import orm_lists
from reviews.dashboard_query import lists_for
from reviews.models import AndonPull, Comment, CommentStatus, Mention, ParticipantRole, Reply
from reviews.services.action_items import action_item_create, action_item_set_done
from reviews.services.comments import comment_resolve, reply_create
from reviews.services.decisions import andon_pull, andon_reset, session_close
from tests.documents.factories import InitiativeFactory
from tests.factories import MembershipFactory
from tests.reviews.factories import (
    CommentFactory,
    comment,
    discussion_session,
    mention,
    reading_session,
    revision_for,
    scheduled_session,
    team_reviewer,
)
from wbapp.activity.models import InitiativeMute
from wbapp.notifications import follows

pytestmark = pytest.mark.django_db

LISTS = ("sessions", "to_verify", "waiting", "action_items", "cords")


@pytest.fixture
def everyone(cast):
    other = team_reviewer(cast, user__display_name="")  # named by their e-mail
    leaver = team_reviewer(cast, user__display_name="Leaver")
    revision = revision_for(cast)
    initiative = revision.document.initiative

    # Threads answered by someone else, by their author, mentions, resolved, addressed.
    for n in range(4):
        thread = comment(cast.reviewer, revision, body=f"Reviewer thread {n}")
        reply_create(user=cast.editor, comment=thread, body=f"Editor answer {n}")
    answered = comment(cast.editor, revision, body="Answered by its author")
    reply_create(user=cast.reviewer, comment=answered, body="Why?")
    reply_create(user=cast.editor, comment=answered, body="Because")
    comment(cast.editor, revision, body=f"{mention(cast.viewer)} what do you think?")
    resolved = comment(cast.reviewer, revision, body="Resolved")
    reply_create(user=cast.editor, comment=resolved, body="Done?")
    comment_resolve(user=cast.reviewer, comment=resolved)
    for n in range(3):
        mine = comment(cast.reviewer, revision, body=f"Addressed {n}", section_key="headline")
        reply_create(user=other, comment=mine, body="Rewritten")
        Comment.objects.filter(pk=mine.pk).update(
            status=CommentStatus.ADDRESSED, addressed_at=timezone.now() - timedelta(hours=n)
        )
    # Two replies at the same instant: the later id is the last word.
    tie = comment(cast.owner, revision, body=f"{mention(cast.reviewer)} a tie")
    first = reply_create(user=other, comment=tie, body="First")
    second = reply_create(user=cast.editor, comment=tie, body="Second")
    Reply.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=first.created_at)
    # A carried thread: the mention on the first copy counts on the newest one only.
    old = comment(cast.editor, revision, body=f"{mention(other)} carried")
    reply_create(user=cast.reviewer, comment=old, body="On the old copy")
    CommentFactory(
        revision=revision,
        author=cast.editor,
        origin=old,
        carried_from=old,
        initiative=initiative,
        body="The newest copy",
    )
    # A chain of three copies, the viewer mentioned in the middle one only: the newest
    # copy is theirs to answer (found through the middle copy's origin).
    first = comment(cast.editor, revision, body="First copy")
    middle = CommentFactory(
        revision=revision, author=cast.editor, origin=first, carried_from=first,
        initiative=initiative, body="Middle copy",
    )  # fmt: skip
    Mention.objects.create(comment=middle, user=cast.viewer, by=cast.editor)
    CommentFactory(
        revision=revision, author=cast.editor, origin=first, carried_from=middle,
        initiative=initiative, body="Newest copy", quote="the newest",
    )  # fmt: skip
    # A silent read still going on: its comments stay private, mentions and all.
    live = reading_session(
        cast,
        title="Live read",
        participants=[(cast.reviewer, ParticipantRole.REVIEWER), (other, ParticipantRole.REVIEWER)],
    )
    secret = comment(other, live, body=f"{mention(cast.reviewer)} private for now")
    Comment.objects.filter(pk=secret.pk).update(status=CommentStatus.ADDRESSED)
    comment(cast.reviewer, live, body=f"{mention(other)} mine, private too")
    # A revealed one: listed, with its session's address.
    talk = discussion_session(
        cast,
        title="Talk",
        participants=[
            (cast.reviewer, ParticipantRole.BAR_RAISER),
            (cast.viewer, ParticipantRole.OBSERVER),
            (other, ParticipantRole.REVIEWER),
        ],
    )
    spoken = comment(other, talk, body=f"{mention(cast.reviewer)} said aloud")
    reply_create(user=cast.editor, comment=spoken, body="Agreed")
    # Sessions: upcoming, live, over; one with the leaver, who is about to leave.
    scheduled_session(
        cast,
        title="Upcoming",
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (leaver, ParticipantRole.REVIEWER),
        ],
    )
    closed = discussion_session(cast, title="Closed")
    session_close(user=cast.editor, session=closed, outcome="iterate")
    # Action items: overdue, undated, dated, done, someone else's.
    for title, due_on in [("Overdue", date(2020, 1, 2)), ("Undated", None), ("Later", None)]:
        action_item_create(
            user=cast.editor, initiative=initiative, title=title, owner=cast.reviewer, due_on=due_on
        )
    action_item_create(
        user=cast.editor,
        initiative=initiative,
        title="Soon",
        owner=cast.reviewer,
        due_on=timezone.localdate() + timedelta(days=3),
    )
    done = action_item_create(
        user=cast.editor, initiative=initiative, title="Done", owner=cast.reviewer
    )
    action_item_set_done(user=cast.editor, item=done)
    action_item_create(user=cast.editor, initiative=initiative, title="The leaver's", owner=leaver)
    thread = comment(leaver, revision, body="The leaver's thread")
    reply_create(user=cast.editor, comment=thread, body="Gone?")
    # Cords: followed, owned, commented on, a participant's, muted, reset, elsewhere.
    andon_pull(user=cast.owner, initiative=initiative, reason="Commented on")
    followed = InitiativeFactory(team=cast.team, owner=cast.owner, title="Followed")
    follows.initiative_follow(user=cast.viewer, initiative=followed)
    follows.initiative_follow(user=leaver, initiative=followed)
    andon_pull(user=cast.editor, initiative=followed, reason="Followed")
    muted = InitiativeFactory(team=cast.team, owner=cast.viewer, title="Muted")
    InitiativeMute.objects.create(user=cast.viewer, initiative=muted)
    andon_pull(user=cast.owner, initiative=muted, reason="Muted")
    andon_pull(user=other, initiative=talk.initiative, reason="In the talk")
    reset = InitiativeFactory(team=cast.team, owner=cast.viewer, title="Reset")
    andon_pull(user=cast.owner, initiative=reset, reason="Reset")
    andon_reset(user=cast.owner, initiative=reset, resolution="Fixed")
    cast.team.memberships.filter(user=leaver).delete()
    # Elsewhere: the outsider's own team, which nobody here sees; and a stale follow.
    theirs = InitiativeFactory(owner=cast.outsider, title="Outsider's")
    MembershipFactory(team=theirs.team, user=other)
    AndonPull.objects.create(initiative=theirs, pulled_by=other, reason="Elsewhere")
    followed.followers.add(cast.outsider)
    theirs.followers.add(other)
    return [cast.owner, cast.editor, cast.reviewer, cast.viewer, cast.outsider, other, leaver]


@pytest.mark.parametrize("limit", [25, 2])
def test_the_written_queries_list_what_the_orm_lists(everyone, limit):
    for user in everyone:
        written, built = lists_for(user.pk, limit=limit), orm_lists(user, limit=limit)
        for name in LISTS:
            assert written[name] == built[name], (user.name, name)


def test_the_data_tells_the_rules_apart(everyone):
    owner, editor, reviewer, viewer, outsider, other, leaver = everyone
    lists = lists_for(reviewer.pk, limit=25)
    # Every list holds rows, and nothing private or of a team left shows.
    assert all(lists[name] for name in LISTS)
    shown = repr(lists)
    assert "private" not in shown and "Live read" in shown
    assert [row.part for row in lists["sessions"]][:2] == ["you review", "you are the bar raiser"]
    assert {row.label for row in lists["waiting"]} >= {"Your question", "Question by Owner"}
    assert [item.title for item in lists["action_items"]][:2] == ["Overdue", "Soon"]
    assert lists["action_items"][0].is_overdue and not lists["action_items"][1].is_overdue
    # ...nor the other team's, nor a leaver's, nor an outsider's anything.
    assert not any(lists_for(leaver.pk, limit=25).values())
    assert not any(lists_for(outsider.pk, limit=25).values())
    assert "the newest" in {row.quote for row in lists_for(viewer.pk, limit=25)["waiting"]}
    # A session or a thread on a stopped initiative says who pulled the cord and why.
    stops = {row.title: row.stop for row in lists["sessions"]}
    assert (stops["Talk"].reason, stops["Talk"].pulled_by) == (
        "In the talk",
        other.email.split("@")[0],
    )
    assert stops["Upcoming"] is None
    assert {row.stop.reason for row in lists["waiting"] if row.stop} >= {"Commented on"}
    cords = lists_for(viewer.pk, limit=25)["cords"]
    assert [row.reason for row in cords] == ["In the talk", "Followed"]
    assert cords[0].pulled_by == other.email.split("@")[0]
    assert "Elsewhere" in repr(lists_for(other.pk, limit=25)["cords"])
