"""Thread statuses: addressed by the document's side, resolved by the commenter, reopened."""

import pytest
from django.core.exceptions import PermissionDenied

from reviews.models import Anchoring, Comment, CommentKind, CommentStatus
from reviews.services.comments import comment_mark_addressed, comment_reopen, comment_resolve
from reviews.services.common import IllegalTransition
from reviews.services.decisions import initiative_can_be_approved
from tests.reviews.carrying import comment_on, copy_of, prfaq_with, save, write
from tests.reviews.factories import discussion_session, reading_session, team_reviewer
from wbapp.activity.models import Activity, Verb

SUMMARY = "Customers return items from home. Returns are free of charge."


@pytest.fixture
def document(cast):
    return prfaq_with(cast, summary=SUMMARY)


@pytest.fixture
def thread(cast, document):
    return comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")


# --- Marking addressed ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_mark_a_thread_addressed(cast, thread, role):
    comment_mark_addressed(user=cast.member(role), comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.ADDRESSED
    assert thread.addressed_by == cast.member(role)
    assert thread.addressed_at is not None


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_others_cannot_mark_a_thread_addressed(cast, thread, role):
    with pytest.raises(PermissionDenied):
        comment_mark_addressed(user=cast.member(role), comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.OPEN


def test_the_optional_reply_says_how(cast, thread):
    comment_mark_addressed(
        user=cast.editor, comment=thread, reply="Free returns are now in the *headline*."
    )

    reply = thread.replies.get()
    assert (reply.author, reply.body) == (cast.editor, "Free returns are now in the *headline*.")
    assert "<em>headline</em>" in reply.body_html


def test_the_commenter_is_told_personally(cast, thread):
    comment_mark_addressed(user=cast.editor, comment=thread, reply="Done")

    activity = Activity.objects.get(verb=Verb.COMMENT_ADDRESSED)
    assert activity.actor == cast.editor
    assert activity.payload["comment_id"] == thread.pk
    assert activity.payload["comment_author_id"] == cast.reviewer.pk
    assert activity.payload["reply_id"] == thread.replies.get().pk


def test_a_resolved_thread_cannot_be_marked_addressed(cast, thread):
    comment_resolve(user=cast.reviewer, comment=thread)

    with pytest.raises(IllegalTransition) as error:
        comment_mark_addressed(user=cast.editor, comment=thread)

    assert error.value.code == "status"
    assert not Activity.objects.filter(verb=Verb.COMMENT_ADDRESSED).exists()


def test_marking_twice_is_refused_and_changes_nothing(cast, thread):
    comment_mark_addressed(user=cast.editor, comment=thread)

    with pytest.raises(IllegalTransition):
        comment_mark_addressed(user=cast.owner, comment=thread, reply="Me too")

    thread.refresh_from_db()
    assert thread.addressed_by == cast.editor
    assert not thread.replies.exists()


def test_an_outdated_thread_can_be_marked_addressed(cast, document, thread):
    write(cast, document, summary="Customers return items from home.")
    save(cast, document)
    copy = copy_of(thread)
    assert copy.status == CommentStatus.OUTDATED

    comment_mark_addressed(user=cast.editor, comment=copy, reply="Removed on purpose.")

    copy.refresh_from_db()
    assert (copy.status, copy.anchoring) == (CommentStatus.ADDRESSED, Anchoring.LOST)


def test_private_reading_comments_cannot_be_marked_addressed(cast, document):
    revision = save(cast, document)
    session = reading_session(cast, revision=revision)
    private = comment_on(cast.editor, revision, "summary", "Returns are free", session=session)

    with pytest.raises(IllegalTransition):
        comment_mark_addressed(user=cast.editor, comment=private)


def test_in_a_discussion_a_thread_can_be_marked_addressed(cast, document):
    revision = save(cast, document)
    session = discussion_session(cast, revision=revision)
    thread = comment_on(cast.reviewer, revision, "summary", "Returns are free", session=session)

    comment_mark_addressed(user=cast.editor, comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.ADDRESSED


# --- Verifying: resolve or reopen --------------------------------------------------------------


def test_the_commenter_resolves_an_addressed_thread(cast, thread):
    comment_mark_addressed(user=cast.editor, comment=thread)

    comment_resolve(user=cast.reviewer, comment=thread)

    thread.refresh_from_db()
    assert (thread.status, thread.resolved_by) == (CommentStatus.RESOLVED, cast.reviewer)


def test_another_reviewer_cannot_resolve_it(cast, thread):
    comment_mark_addressed(user=cast.editor, comment=thread)

    with pytest.raises(PermissionDenied):
        comment_resolve(user=team_reviewer(cast), comment=thread)


def test_reopening_an_addressed_thread_withdraws_addressed(cast, thread):
    comment_mark_addressed(user=cast.editor, comment=thread)

    comment_reopen(user=cast.reviewer, comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.OPEN
    assert (thread.addressed_by, thread.addressed_at) == (None, None)


def test_an_outdated_thread_can_be_resolved_and_reopens_as_outdated(cast, document, thread):
    write(cast, document, summary="Customers return items from home.")
    save(cast, document)
    copy = copy_of(thread)

    comment_resolve(user=cast.reviewer, comment=copy)
    copy.refresh_from_db()
    assert copy.status == CommentStatus.RESOLVED

    comment_reopen(user=cast.reviewer, comment=copy)
    copy.refresh_from_db()
    assert copy.status == CommentStatus.OUTDATED


def test_reopening_an_open_thread_changes_nothing(cast, thread):
    comment_reopen(user=cast.reviewer, comment=thread)

    thread.refresh_from_db()
    assert thread.status == CommentStatus.OPEN


# --- Blockers and approval ----------------------------------------------------------------------


def test_an_addressed_blocker_still_refuses_approval(cast, document):
    revision = save(cast, document)
    blocker = comment_on(
        cast.reviewer, revision, "summary", "Returns are free", kind=CommentKind.BLOCKER
    )
    comment_mark_addressed(user=cast.editor, comment=blocker)

    allowed, reason = initiative_can_be_approved(document.initiative)

    assert not allowed
    assert "1 blocker" in reason


def test_a_carried_blocker_counts_once_and_a_resolution_on_the_copy_frees_approval(cast, document):
    revision = save(cast, document)
    blocker = comment_on(
        cast.reviewer, revision, "summary", "Returns are free", kind=CommentKind.BLOCKER
    )
    save(cast, document)
    save(cast, document)
    assert Comment.objects.filter(kind=CommentKind.BLOCKER).count() == 3

    allowed, reason = initiative_can_be_approved(document.initiative)
    assert (allowed, reason.split(" ")[0]) == (False, "1")

    newest = copy_of(copy_of(blocker))
    comment_resolve(user=cast.reviewer, comment=newest)

    assert initiative_can_be_approved(document.initiative) == (True, "")
