from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from reviews.models import (
    ActionItem,
    Comment,
    CommentKind,
    CommentStatus,
    Reaction,
    ReviewSession,
    SessionPhase,
)
from reviews.services.action_items import action_item_create, action_item_set_done
from reviews.services.comments import (
    comment_create,
    comment_delete,
    comment_edit,
    comment_reopen,
    comment_resolve,
    comment_toggle_plus_one,
    reply_create,
)
from reviews.services.common import IllegalTransition
from reviews.services.decisions import session_close
from reviews.services.phases import session_start_discussion
from tests.reviews.factories import (
    comment,
    discussion_session,
    reading_session,
    revision_for,
    scheduled_session,
    team_reviewer,
)
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def closed_session(cast, **kwargs):
    session = discussion_session(cast, **kwargs)
    return session_close(user=cast.editor, session=session, outcome="iterate")


# --- Asynchronous comments ----------------------------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer"])
def test_reviewers_and_up_comment_on_any_iteration(cast, role):
    revision = revision_for(cast)

    made = comment(cast.member(role), revision, quote="Returns are free.", kind="concern")

    assert made.session is None
    assert made.initiative == revision.document.initiative
    assert made.kind == CommentKind.CONCERN
    assert made.status == CommentStatus.OPEN


@pytest.mark.parametrize("role", ["viewer", "outsider"])
def test_viewers_and_outsiders_cannot_comment(cast, role):
    revision = revision_for(cast)

    with pytest.raises(PermissionDenied):
        comment(cast.member(role), revision)

    assert not Comment.objects.exists()


def test_an_asynchronous_comment_is_recorded_as_activity_at_once(cast):
    revision = revision_for(cast)

    made = comment(cast.reviewer, revision)

    activity = Activity.objects.get(verb=Verb.COMMENT_ADDED)
    assert activity.actor == cast.reviewer
    assert activity.payload["comment_id"] == made.pk
    assert activity.payload["number"] == revision.number
    assert "session_id" not in activity.payload


def test_the_anchor_is_stored_as_the_text_says_it(cast):
    revision = revision_for(cast)

    made = comment(
        cast.reviewer, revision, section_key="summary", quote="A courier", start=0, end=9
    )

    assert made.quote == "A courier"
    assert made.start == 52
    assert made.end == 61
    assert made.prefix.endswith("Returns are free.\n")
    assert made.suffix.startswith(" collects")
    assert made.document_order == 1_000_052


def test_a_comment_on_words_that_are_not_there_is_refused(cast):
    revision = revision_for(cast)

    with pytest.raises(ValidationError) as error:
        comment(cast.reviewer, revision, section_key="headline", quote="free of charge")

    assert "quote" in error.value.message_dict


def test_the_body_is_rendered_and_sanitized_once(cast):
    revision = revision_for(cast)

    made = comment(
        cast.reviewer,
        revision,
        body="**Why** <img src=x onerror=alert(1)> [link](javascript:alert(1))",
    )

    assert made.body_html.startswith("<p><strong>Why</strong>")
    assert "<img" not in made.body_html
    assert 'href="javascript' not in made.body_html


@pytest.mark.parametrize("body", ["", "   \n "])
def test_an_empty_comment_is_refused(cast, body):
    with pytest.raises(ValidationError) as error:
        comment(cast.reviewer, revision_for(cast), body=body)

    assert "body" in error.value.message_dict


def test_an_unknown_kind_is_refused(cast):
    with pytest.raises(ValidationError) as error:
        comment(cast.reviewer, revision_for(cast), kind="rant")

    assert "kind" in error.value.message_dict


# --- Comments in a session ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["reviewer", "bar_raiser"])
def test_reviewers_and_bar_raisers_comment_during_the_reading(cast, role):
    session = reading_session(cast, participants=[(cast.viewer, role)])

    # A team viewer invited as a reviewer comments in that session.
    made = comment(cast.viewer, session)

    assert made.session == session


def test_the_facilitator_comments_during_the_reading(cast):
    session = reading_session(cast)

    assert comment(cast.editor, session).author == cast.editor


def test_observers_do_not_comment(cast):
    session = reading_session(cast, participants=[(cast.reviewer, "observer")])

    with pytest.raises(PermissionDenied):
        comment(cast.reviewer, session)


def test_team_members_who_are_not_invited_do_not_comment_in_the_session(cast):
    session = reading_session(cast)

    with pytest.raises(PermissionDenied):
        comment(cast.owner, session)
    with pytest.raises(PermissionDenied):
        comment(cast.outsider, session)


def test_a_comment_during_the_reading_records_no_activity_yet(cast):
    session = reading_session(cast)

    comment(cast.reviewer, session)

    assert not Activity.objects.filter(verb=Verb.COMMENT_ADDED).exists()


def test_a_comment_during_the_discussion_is_recorded_at_once(cast):
    session = discussion_session(cast)

    made = comment(cast.reviewer, session)

    activity = Activity.objects.get(verb=Verb.COMMENT_ADDED)
    assert activity.payload["comment_id"] == made.pk
    assert activity.payload["session_id"] == session.pk


def test_a_comment_after_the_time_is_up_ends_the_reading_first(cast):
    session = reading_session(cast)
    ReviewSession.objects.filter(pk=session.pk).update(reading_ends_at=session.reading_started_at)

    made = comment(cast.reviewer, session)

    session.refresh_from_db()
    assert session.phase == SessionPhase.DISCUSSION
    assert made.session == session
    assert Activity.objects.filter(verb=Verb.COMMENT_ADDED).count() == 1
    assert Activity.objects.filter(verb=Verb.SESSION_DISCUSSION, actor=None).count() == 1


def test_no_comments_before_the_reading_or_after_the_close(cast):
    with pytest.raises(IllegalTransition) as before:
        comment(cast.reviewer, scheduled_session(cast))
    with pytest.raises(IllegalTransition) as after:
        comment(cast.reviewer, closed_session(cast))

    assert before.value.messages == [
        "Comments in this session are closed: the session has not started yet."
    ]
    assert after.value.messages == ["Comments in this session are closed: the session is closed."]


def test_a_session_comment_must_be_on_the_sessions_iteration(cast):
    session = reading_session(cast)

    with pytest.raises(ValidationError):
        comment_create(
            user=cast.reviewer,
            revision=revision_for(cast),
            session=session,
            kind="question",
            body="Hm",
            section_key="summary",
        )


# --- Edit and take back ---------------------------------------------------------------------------


def test_the_author_edits_a_comment_and_it_is_rendered_again(cast):
    made = comment(cast.reviewer, revision_for(cast))

    comment_edit(user=cast.reviewer, comment=made, body="*Really*?", kind="blocker")

    made.refresh_from_db()
    assert made.body_html == "<p><em>Really</em>?</p>"
    assert made.kind == CommentKind.BLOCKER
    assert made.edited_at is not None


def test_nobody_else_edits_a_comment(cast):
    made = comment(cast.reviewer, revision_for(cast))

    with pytest.raises(PermissionDenied):
        comment_edit(user=cast.owner, comment=made, body="Changed")


def test_comments_of_a_closed_session_are_not_edited(cast):
    session = discussion_session(cast)
    made = comment(cast.reviewer, session)
    session_close(user=cast.editor, session=session, outcome="iterate")

    with pytest.raises(IllegalTransition):
        comment_edit(user=cast.reviewer, comment=made, body="Changed")


def test_a_private_comment_can_be_taken_back_during_the_reading(cast):
    session = reading_session(cast)
    made = comment(cast.reviewer, session)

    comment_delete(user=cast.reviewer, comment=made)

    assert not Comment.objects.exists()


def test_a_revealed_comment_cannot_be_taken_back(cast):
    session = reading_session(cast)
    made = comment(cast.reviewer, session)
    session_start_discussion(user=cast.editor, session=session)

    with pytest.raises(IllegalTransition):
        comment_delete(user=cast.reviewer, comment=made)
    with pytest.raises(IllegalTransition):
        comment_delete(user=cast.reviewer, comment=comment(cast.reviewer, session.revision))


def test_only_the_author_takes_a_comment_back(cast):
    session = reading_session(cast)
    made = comment(cast.reviewer, session)

    with pytest.raises(PermissionDenied):
        comment_delete(user=cast.editor, comment=made)


# --- Replies --------------------------------------------------------------------------------------


def test_replies_in_the_discussion(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)
    session_start_discussion(user=cast.editor, session=session)

    reply = reply_create(user=cast.owner, comment=thread, body="We **know**.")

    assert reply.body_html == "<p>We <strong>know</strong>.</p>"
    assert list(thread.replies.all()) == [reply]
    activity = Activity.objects.get(verb=Verb.REPLY_ADDED)
    assert activity.payload["comment_id"] == thread.pk
    assert activity.payload["comment_author_id"] == cast.reviewer.pk


def test_no_replies_during_the_reading_not_even_by_the_author(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)

    with pytest.raises(IllegalTransition) as error:
        reply_create(user=cast.reviewer, comment=thread, body="Also…")

    assert error.value.messages == ["Replies are possible once the discussion starts."]


def test_nobody_replies_to_a_comment_they_cannot_see(cast):
    session = reading_session(cast, participants=[(cast.reviewer, "reviewer")])
    thread = comment(cast.reviewer, session)

    # The facilitator may not even learn that the comment exists.
    with pytest.raises(PermissionDenied):
        reply_create(user=cast.editor, comment=thread, body="?")


def test_a_viewer_replies_only_when_invited_to_comment_in_the_session(cast):
    invited = reading_session(cast, participants=[(cast.viewer, "reviewer")])
    thread = comment(cast.viewer, invited)
    session_start_discussion(user=cast.editor, session=invited)
    asynchronous = comment(cast.reviewer, invited.revision)

    reply_create(user=cast.viewer, comment=thread, body="Yes")
    with pytest.raises(PermissionDenied):
        reply_create(user=cast.viewer, comment=asynchronous, body="No")


def test_threads_of_a_closed_session_are_read_only(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    session_close(user=cast.editor, session=session, outcome="iterate")

    with pytest.raises(IllegalTransition) as error:
        reply_create(user=cast.owner, comment=thread, body="Late")
    with pytest.raises(IllegalTransition):
        comment_toggle_plus_one(user=cast.owner, comment=thread)
    with pytest.raises(IllegalTransition):
        comment_resolve(user=cast.owner, comment=thread)

    assert "read-only" in error.value.messages[0]


def test_asynchronous_threads_take_replies_any_time(cast):
    thread = comment(cast.reviewer, revision_for(cast))

    reply_create(user=cast.editor, comment=thread, body="Noted")

    assert thread.replies.count() == 1


# --- Resolve and reopen ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["reviewer", "editor", "owner"])
def test_the_author_and_editors_resolve(cast, who):
    thread = comment(cast.reviewer, revision_for(cast))

    comment_resolve(user=cast.member(who), comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.RESOLVED
    assert thread.resolved_by == cast.member(who)
    assert thread.resolved_at is not None


def test_the_facilitator_resolves_threads_of_their_session(cast):
    session = reading_session(cast, facilitator=cast.reviewer, participants=[])
    other = team_reviewer(cast)
    thread = comment(cast.reviewer, session)
    session_start_discussion(user=cast.reviewer, session=session)
    async_thread = comment(other, session.revision)

    comment_resolve(user=cast.reviewer, comment=thread)
    with pytest.raises(PermissionDenied):
        comment_resolve(user=cast.reviewer, comment=async_thread)


def test_another_reviewer_does_not_resolve_my_comment(cast):
    thread = comment(cast.reviewer, revision_for(cast))

    with pytest.raises(PermissionDenied):
        comment_resolve(user=team_reviewer(cast), comment=thread)


def test_reopening_clears_the_resolution(cast):
    thread = comment(cast.reviewer, revision_for(cast))
    comment_resolve(user=cast.reviewer, comment=thread)

    comment_reopen(user=cast.editor, comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.OPEN
    assert thread.resolved_by is None
    assert thread.resolved_at is None


def test_resolving_a_resolved_thread_keeps_who_resolved_it(cast):
    thread = comment(cast.reviewer, revision_for(cast))
    comment_resolve(user=cast.reviewer, comment=thread)

    comment_resolve(user=cast.editor, comment=thread)

    assert thread.resolved_by == cast.reviewer


def test_no_resolving_during_the_reading(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)

    with pytest.raises(IllegalTransition):
        comment_resolve(user=cast.reviewer, comment=thread)


# --- +1 -------------------------------------------------------------------------------------------


def test_plus_one_toggles(cast):
    thread = comment(cast.reviewer, revision_for(cast))

    assert comment_toggle_plus_one(user=cast.editor, comment=thread) is True
    assert comment_toggle_plus_one(user=cast.owner, comment=thread) is True
    assert Reaction.objects.filter(comment=thread).count() == 2
    assert comment_toggle_plus_one(user=cast.editor, comment=thread) is False
    assert list(Reaction.objects.filter(comment=thread).values_list("user", flat=True)) == [
        cast.owner.pk
    ]


def test_viewers_do_not_plus_one(cast):
    thread = comment(cast.reviewer, revision_for(cast))

    with pytest.raises(PermissionDenied):
        comment_toggle_plus_one(user=cast.viewer, comment=thread)


def test_no_plus_one_on_a_private_comment(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)

    with pytest.raises(IllegalTransition):
        comment_toggle_plus_one(user=cast.reviewer, comment=thread)


# --- Action items ---------------------------------------------------------------------------------


def test_a_thread_becomes_an_action_item_with_an_owner_and_a_due_date(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)
    session_start_discussion(user=cast.editor, session=session)

    item = action_item_create(
        user=cast.editor,
        initiative=session.initiative,
        comment=thread,
        title="  Size the fraud risk ",
        owner=cast.reviewer,
        due_on=date(2030, 1, 31),
    )

    item.refresh_from_db()
    assert item.title == "Size the fraud risk"
    assert item.session == session
    assert item.comment == thread
    assert item.owner == cast.reviewer
    assert item.due_on == date(2030, 1, 31)
    assert item.created_by == cast.editor
    activity = Activity.objects.get(verb=Verb.ACTION_ITEM_ASSIGNED)
    assert activity.payload["owner_id"] == cast.reviewer.pk
    assert activity.payload["due_on"] == "2030-01-31"


def test_the_owner_of_an_action_item_must_be_a_member(cast):
    session = discussion_session(cast)

    with pytest.raises(ValidationError) as error:
        action_item_create(
            user=cast.editor,
            initiative=session.initiative,
            session=session,
            title="Ask legal",
            owner=cast.outsider,
        )

    assert "owner" in error.value.message_dict


def test_action_items_need_a_title(cast):
    session = discussion_session(cast)

    with pytest.raises(ValidationError):
        action_item_create(
            user=cast.editor,
            initiative=session.initiative,
            session=session,
            title=" ",
            owner=cast.editor,
        )


def test_no_action_items_during_the_reading_or_after_the_close(cast):
    reading = reading_session(cast)
    closed = closed_session(cast)

    for session in (reading, closed):
        with pytest.raises(IllegalTransition):
            action_item_create(
                user=cast.editor,
                initiative=session.initiative,
                session=session,
                title="Too early or too late",
                owner=cast.editor,
            )
    assert not ActionItem.objects.exists()


def test_a_viewer_does_not_create_action_items(cast):
    revision = revision_for(cast)

    with pytest.raises(PermissionDenied):
        action_item_create(
            user=cast.viewer,
            initiative=revision.document.initiative,
            title="Do it",
            owner=cast.viewer,
        )


def test_the_owner_ticks_off_an_action_item_and_can_undo_it(cast):
    session = discussion_session(cast)
    item = action_item_create(
        user=cast.editor,
        initiative=session.initiative,
        session=session,
        title="Do",
        owner=cast.reviewer,
    )

    action_item_set_done(user=cast.reviewer, item=item)
    assert item.done_at is not None
    action_item_set_done(user=cast.reviewer, item=item, done=False)
    assert item.done_at is None


def test_others_do_not_tick_off_an_action_item(cast):
    session = discussion_session(cast)
    item = action_item_create(
        user=cast.editor,
        initiative=session.initiative,
        session=session,
        title="Do",
        owner=cast.editor,
    )

    with pytest.raises(PermissionDenied):
        action_item_set_done(user=cast.reviewer, item=item)
    with pytest.raises(PermissionDenied):
        action_item_set_done(user=cast.outsider, item=item)
    action_item_set_done(user=cast.owner, item=item)
    assert item.done_at is not None
