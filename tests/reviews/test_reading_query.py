"""reviews/reading_query.py: the written query gives the reader what the ORM's gives.

The same comments, in the same order, field by field: the reader's own only (never
another reader's before the reveal), of the sections asked for, and the ORM's
answer wherever the rule is not known to be "their own".
"""

import pytest
from django.db import connection

from reviews.lookups import get_session_for_user
from reviews.models import Comment
from reviews.reading_query import readers_comments
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db


def fields(comments) -> list[dict]:
    return [
        {f.attname: getattr(c, f.attname) for f in Comment._meta.concrete_fields} for c in comments
    ]


def orm(session, user, rows=None) -> list[Comment]:
    comments = Comment.objects.visible_in_session(session, user).in_document_order()
    return list(comments if rows is None else comments.filter(section_key__in=rows))


@pytest.fixture
def session(cast):
    session = reading_session(cast)
    for user in (cast.reviewer, cast.editor):
        comment(user, session, body=f"Why, {user.name}?", section_key="summary")
        comment(user, session, body="And this?", section_key="q-int1", quote="")
        comment(user, session, body="<b>Bold</b>", kind="blocker")
    return session


@pytest.mark.parametrize("rows", [None, ["summary"], ["q-int1", "nothing"], []])
def test_the_reader_gets_their_own_comments_as_the_orm_gives_them(cast, session, rows):
    for user in (cast.reviewer, cast.editor, cast.viewer):
        # As the page: the session's lookup reads the user's membership first.
        loaded = get_session_for_user(user, session.pk)
        written = readers_comments(loaded, user, rows)
        assert fields(written) == fields(orm(loaded, user, rows))
        assert all(c.author_id == user.pk for c in written)
    mine = readers_comments(get_session_for_user(cast.reviewer, session.pk), cast.reviewer)
    assert len(mine) == 3


def test_the_written_query_runs_where_the_rule_is_known(cast, session, django_assert_num_queries):
    loaded = get_session_for_user(cast.reviewer, session.pk)
    with django_assert_num_queries(1) as captured:
        readers_comments(loaded, cast.reviewer)
    if connection.vendor == "postgresql":
        # The written query names its columns bare; the ORM's qualifies them.
        assert captured.captured_queries[0]["sql"].startswith('SELECT "id", ')


def test_after_the_reveal_and_unread_membership_the_orm_answers(cast):
    session = discussion_session(cast)
    comment(cast.reviewer, session)
    comment(cast.editor, session)
    loaded = get_session_for_user(cast.editor, session.pk)
    assert fields(readers_comments(loaded, cast.editor)) == fields(orm(loaded, cast.editor))
    assert len(readers_comments(loaded, cast.editor)) == 2
    # A session not loaded through the lookup: the ORM's rule, joins and all.
    plain = type(session).objects.get(pk=session.pk)
    assert len(readers_comments(plain, cast.editor)) == 2
