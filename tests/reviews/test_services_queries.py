"""The reading functions the views build on cost the same for 5 comments and for 500."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from reviews.models import Comment, Reaction
from reviews.services.phases import session_start_discussion
from tests.reviews.factories import CommentFactory, ReplyFactory, reading_session, team_reviewer

pytestmark = pytest.mark.django_db


def threads(user, session) -> list:
    comments = list(
        Comment.objects.visible_in_session(session, user).for_display(user).in_document_order()
    )
    # What a page touches on each thread.
    for thread in comments:
        _ = (thread.author.name, thread.reply_count, thread.plus_one_count, thread.plussed_by_me)
        _ = [reply.author.name for reply in thread.replies.all()]
        _ = thread.resolved_by
    return comments


def make_threads(cast, session, n):
    authors = [team_reviewer(cast) for _ in range(3)]
    for i in range(n):
        thread = CommentFactory(
            revision=session.revision, session=session, author=authors[i % 3], section_key="summary"
        )
        ReplyFactory(comment=thread, author=authors[(i + 1) % 3])
        Reaction.objects.create(comment=thread, user=cast.editor)


@pytest.mark.parametrize("n", [5, 500])
def test_a_discussion_reads_its_threads_in_two_queries(cast, n):
    session = reading_session(cast)
    make_threads(cast, session, n)
    session_start_discussion(user=cast.editor, session=session)

    with CaptureQueriesContext(connection) as queries:
        shown = threads(cast.viewer, session)

    # 1. the comments with authors, resolvers, reply and +1 counts and my +1
    # 2. their replies with authors
    assert len(queries) == 2, [q["sql"] for q in queries]
    assert len(shown) == n
    assert {t.reply_count for t in shown} == {1}
    assert {t.plus_one_count for t in shown} == {1}
    assert {t.plussed_by_me for t in shown} == {False}
    assert all(t.plussed_by_me for t in threads(cast.editor, session))
