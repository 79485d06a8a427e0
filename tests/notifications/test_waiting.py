"""'Waiting on you' in digests: the "My reviews" page's lists, read for many users at once.

Both read reviews.waiting: the page for one user, a digest batch for many. These
tests hold a batch to what each of its users gets alone, in the e-mail's words.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from reviews.dashboard import (
    cords_on_followed,
    my_action_items,
    my_sessions,
    threads_to_verify,
    threads_waiting,
)
from reviews.models import Comment, CommentStatus, ParticipantRole
from reviews.services.action_items import action_item_create, action_item_set_done
from reviews.services.comments import comment_resolve, reply_create
from reviews.services.decisions import andon_pull, andon_reset, session_close
from tests.documents.factories import InitiativeFactory
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
from wbapp.notifications.contents import WAITING_LIMIT, waiting_sections

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def page_lists(user) -> tuple[list, list, list]:
    """What the "My reviews" page lists for ``user``, cut to the e-mail's length."""
    verify = threads_to_verify(user)[:WAITING_LIMIT]
    waiting = threads_waiting(user)[: WAITING_LIMIT - len(verify)]
    threads = [(c.thread_url, "Marked addressed: verify and resolve") for c in verify]
    for c in waiting:
        if c.last_reply_by is not None:
            detail = f"{c.last_reply_by_label} replied"
        else:
            detail = f"{c.get_kind_display()} from {c.author.name}, not answered yet"
        threads.append((c.thread_url, detail))
    sessions = [s.pk for s in my_sessions(user)[:WAITING_LIMIT]]
    items = [i.title for i in my_action_items(user, limit=WAITING_LIMIT)]
    return threads, sessions, items


def digest_lists(waiting) -> tuple[list, list, list]:
    return (
        [(t.path, t.detail) for t in waiting.threads],
        [int(s.path.strip("/").split("/")[-1]) for s in waiting.sessions],
        [i.title for i in waiting.action_items],
    )


@pytest.fixture
def busy(cast):
    """Something of every kind waiting on someone, and as much that waits on nobody."""
    other = team_reviewer(cast, user__display_name="Other")
    leaver = team_reviewer(cast, user__display_name="Leaver")
    revision = revision_for(cast)
    initiative = revision.document.initiative

    # Threads: answered by someone else, answered by the author, mentions, resolved.
    for n in range(WAITING_LIMIT + 2):
        thread = comment(cast.reviewer, revision, body=f"Reviewer thread {n}")
        reply_create(user=cast.editor, comment=thread, body=f"Editor answer {n}")
    answered = comment(cast.editor, revision, body="Answered by its author")
    reply_create(user=cast.reviewer, comment=answered, body="Why?")
    reply_create(user=cast.editor, comment=answered, body="Because")
    comment(cast.editor, revision, body=f"{mention(cast.viewer)} what do you think?")
    resolved = comment(cast.reviewer, revision, body="Resolved")
    reply_create(user=cast.editor, comment=resolved, body="Done?")
    comment_resolve(user=cast.reviewer, comment=resolved)
    # Addressed comments of the reviewer's: to verify, never also waiting.
    for n in range(2):
        mine = comment(cast.reviewer, revision, body=f"Addressed {n}", section_key="headline")
        Comment.objects.filter(pk=mine.pk).update(
            status=CommentStatus.ADDRESSED, addressed_at=timezone.now() - timedelta(hours=n)
        )
    # A carried thread: the mention on the first copy counts on the newest one.
    old = comment(cast.editor, revision, body=f"{mention(other)} carried")
    CommentFactory(
        revision=revision,
        author=cast.editor,
        origin=old,
        carried_from=old,
        initiative=initiative,
        body="The newest copy",
    )
    # A silent read still going on: its comments stay private.
    live = reading_session(
        cast,
        title="Live read",
        participants=[(cast.reviewer, ParticipantRole.REVIEWER), (other, ParticipantRole.REVIEWER)],
    )
    comment(other, live, body=f"{mention(cast.reviewer)} private for now")
    # Sessions: upcoming, live, over; one of a team the leaver is about to leave.
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
    # Action items: overdue, undated, done, someone else's.
    action_item_create(
        user=cast.editor,
        initiative=initiative,
        title="Overdue",
        owner=cast.reviewer,
        due_on=date(2026, 11, 20),
    )
    action_item_create(
        user=cast.editor, initiative=initiative, title="Undated", owner=cast.reviewer
    )
    done = action_item_create(
        user=cast.editor, initiative=initiative, title="Done", owner=cast.reviewer
    )
    action_item_set_done(user=cast.editor, item=done)
    action_item_create(user=cast.editor, initiative=initiative, title="The leaver's", owner=leaver)
    thread = comment(leaver, revision, body="The leaver's thread")
    reply_create(user=cast.editor, comment=thread, body="Gone?")
    cast.team.memberships.filter(user=leaver).delete()
    # Elsewhere: the outsider's own team, which nobody here sees.
    InitiativeFactory(owner=cast.outsider)
    return [cast.owner, cast.editor, cast.reviewer, cast.viewer, cast.outsider, other, leaver]


def test_a_batch_lists_what_the_my_reviews_page_lists_for_each_user(busy):
    found = waiting_sections(busy, now=NOW)

    for user in busy:
        assert digest_lists(found[user.pk]) == page_lists(user), user.name
    reviewer = digest_lists(found[busy[2].pk])
    # The lists really hold rows: the reviewer's threads fill the e-mail's ten.
    assert len(reviewer[0]) == WAITING_LIMIT
    assert [detail for _, detail in reviewer[0][:2]] == ["Marked addressed: verify and resolve"] * 2
    assert reviewer[2] == ["Overdue", "Undated"]
    assert not found[busy[4].pk] and not found[busy[6].pk]  # the outsider, the leaver


def test_overdue_is_decided_in_each_users_time_zone(cast):
    # 10:30 UTC on the 23rd is already 00:30 on the 24th at UTC+14.
    cast.reviewer.time_zone = "Pacific/Kiritimati"
    cast.reviewer.save(update_fields=["time_zone"])
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    for owner in (cast.reviewer, cast.viewer):
        action_item_create(
            user=cast.editor,
            initiative=initiative,
            title="Due on the 23rd",
            owner=owner,
            due_on=date(2026, 11, 23),
        )

    found = waiting_sections([cast.reviewer, cast.viewer], now=NOW + timedelta(hours=1))

    [kiritimati] = found[cast.reviewer.pk].action_items
    [utc] = found[cast.viewer.pk].action_items
    assert kiritimati.overdue and kiritimati.detail == "Overdue since Mon 23 Nov"
    assert not utc.overdue and utc.detail == "Due Mon 23 Nov"


def test_the_batch_costs_the_same_queries_for_two_users_or_many(busy, django_assert_num_queries):
    # Sessions (joined to the batch's invitations); threads to verify; threads
    # waiting on one of the batch, and who of it is in each; action items; the
    # active cords in their teams (none here).
    with django_assert_num_queries(6):
        waiting_sections(busy[1:3], now=NOW)
    with django_assert_num_queries(6):
        waiting_sections(busy, now=NOW)


def test_one_user_costs_one_query_less(busy, django_assert_num_queries):
    # Every thread returned is the user's: nobody to tell apart ("My reviews").
    with django_assert_num_queries(5):
        waiting_sections(busy[2:3], now=NOW)


# --- Andon cords ------------------------------------------------------------------------------


@pytest.fixture
def cords(cast):
    """Cords pulled on initiatives followed in every way, muted, reset, and elsewhere."""
    other = team_reviewer(cast, user__display_name="Other")

    def pulled(title, reason="Legal has not seen the refund promise", **kwargs):
        initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title=title, **kwargs)
        andon_pull(user=cast.reviewer, initiative=initiative, reason=reason)
        return initiative

    explicit = pulled("Followed explicitly")
    follows.initiative_follow(user=cast.viewer, initiative=explicit)
    revision = revision_for(cast)
    commented = revision.document.initiative
    comment(other, revision, body="A comment makes a follower")
    andon_pull(user=cast.owner, initiative=commented, reason="Pricing is unclear")
    invited = revision_for(cast)
    scheduled_session(cast, revision=invited, participants=[(other, ParticipantRole.REVIEWER)])
    andon_pull(user=cast.reviewer, initiative=invited.document.initiative, reason="Who is it for?")
    muted = pulled("Muted")
    follows.initiative_follow(user=cast.viewer, initiative=muted)
    InitiativeMute.objects.create(user=cast.viewer, initiative=muted)
    reset = pulled("Reset")
    andon_reset(user=cast.editor, initiative=reset, resolution="Legal agreed")
    elsewhere = InitiativeFactory(
        team=cast.outsider.memberships.get().team, owner=cast.outsider, title="Elsewhere"
    )
    andon_pull(user=cast.outsider, initiative=elsewhere, reason="Not yours to see")
    return [cast.owner, cast.editor, cast.reviewer, cast.viewer, cast.outsider, other]


def test_a_batch_lists_the_cords_the_my_reviews_page_lists_for_each_user(cords):
    found = waiting_sections(cords, now=NOW)

    for user in cords:
        page = [(p.initiative.title, p.reason, p.pulled_by.name) for p in cords_on_followed(user)]
        digest = [
            (item.initiative, item.title, item.detail.split(" by ")[1].split(",")[0])
            for item in found[user.pk].cords
        ]
        assert digest == page, user.name
    # The lists really hold rows: the editor owns five, one of them reset.
    assert len(found[cords[1].pk].cords) == 4
    assert len(found[cords[5].pk].cords) == 2  # a commenter, an invitee
    assert [c.initiative for c in found[cords[3].pk].cords] == ["Followed explicitly"]
    # The outsider hears of the cord in their own team (they own it), and nobody else does.
    assert [c.initiative for c in found[cords[4].pk].cords] == ["Elsewhere"]


def test_a_cord_says_who_pulled_it_and_when_in_the_users_zone(cast):
    cast.viewer.time_zone = "Asia/Kolkata"
    cast.viewer.save(update_fields=["time_zone"])
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")
    follows.initiative_follow(user=cast.viewer, initiative=initiative)
    pull = andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal first")
    pull.pulled_at = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    pull.save(update_fields=["pulled_at"])

    [item] = waiting_sections([cast.viewer], now=NOW)[cast.viewer.pk].cords

    assert item.title == "Legal first"
    assert item.detail == "Andon cord pulled by Reviewer, Mon 23 Nov, 14:30"
    assert item.initiative == "Self-serve returns"
    assert item.path == f"/i/{initiative.pk}/"


def test_cords_cost_one_query_more_when_there_are_any_for_two_users_or_many(
    cords, django_assert_num_queries
):
    # Sessions; threads to verify; threads waiting (none: no query for who is in
    # them); action items; the active cords in the users' teams; who follows them.
    with django_assert_num_queries(6):
        waiting_sections(cords[1:3], now=NOW)
    with django_assert_num_queries(6):
        waiting_sections(cords, now=NOW)
