"""The session's hot paths cost the same number of queries for 5 comments and for 500.

Each test counts the queries of one request with 5 comments and with 500 (with
replies, +1s and action items where the page shows them) and asserts the counts
are equal; the comment above each lists the queries, so a new one is a decision.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from documents.rendering import render_markdown
from reviews.anchoring import anchor_targets, document_order_key
from reviews.models import ActionItem, Comment, ParticipantRole, Reaction, Reply
from reviews.services.phases import session_focus_next, session_start_discussion
from reviews.views.comments import iteration_comment_context
from tests.reviews.factories import reading_session, revision_for, team_reviewer
from wbapp.accounts.models import User

pytestmark = pytest.mark.django_db

SECTION_KEYS = ["headline", "summary", "s-risks", "q-ext1", "q-int1"]


def add_comments(revision, authors, n, *, session=None, threads=False):
    """``n`` comments spread over the sections; with ``threads``, a reply, a +1 and an item each."""
    index = {t.key: t.index for t in anchor_targets(revision)}
    comments = Comment.objects.bulk_create(
        Comment(
            revision=revision,
            initiative=revision.document.initiative,
            session=session,
            author=authors[i % len(authors)],
            kind=["question", "suggestion", "concern", "blocker"][i % 4],
            body=f"Comment {i}",
            body_html=render_markdown(f"Comment {i}"),
            section_key=SECTION_KEYS[i % len(SECTION_KEYS)],
            document_order=document_order_key(index[SECTION_KEYS[i % len(SECTION_KEYS)]], i),
        )
        for i in range(n)
    )
    if threads:
        Reply.objects.bulk_create(
            Reply(comment=c, author=authors[0], body="Yes", body_html="<p>Yes</p>")
            for c in comments
        )
        Reaction.objects.bulk_create(Reaction(comment=c, user=authors[-1]) for c in comments)
        ActionItem.objects.bulk_create(
            ActionItem(
                initiative=revision.document.initiative,
                session=session,
                comment=c,
                title=f"Item {i}",
                owner=authors[0],
                created_by=authors[0],
            )
            for i, c in enumerate(comments)
        )
    return comments


def count(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code in (200, 204)
    return len(queries)


def readers(cast):
    other = team_reviewer(cast)
    session = reading_session(
        cast,
        participants=[(cast.reviewer, ParticipantRole.REVIEWER), (other, ParticipantRole.REVIEWER)],
    )
    return session, other


def test_reading_view_costs_the_same_for_5_and_500_comments(cast, client_for):
    def measure(n):
        session, other = readers(cast)
        add_comments(session.revision, [cast.reviewer], n, session=session)
        add_comments(session.revision, [other], n, session=session)  # the other's, private
        client = client_for(cast.reviewer)
        url = reverse("session_detail", args=[session.pk])
        client.get(url)  # joins the session (one write, once)
        return count(client, url)

    # user, session (with the user's role, own participant row and whether the Andon
    # cord is pulled), the reader's comments. The login session, the navigation's
    # teams and the unread count come from the cache (read by the first visit).
    few, many = measure(5), measure(500)
    assert few == many == 3


def test_a_first_reading_view_costs_the_same_for_5_and_50_comments(cast, client_for):
    """Cold: nothing kept yet, so every card body is rendered, without a query each."""

    def measure(n):
        session, _ = readers(cast)
        add_comments(session.revision, [cast.reviewer], n, session=session)
        client = client_for(cast.reviewer)
        url = reverse("session_detail", args=[session.pk])
        client.get(url)  # joins the session (one write, once)
        cache.clear()
        return count(client, url)

    # As warm, plus the login session and the navigation's teams and unread count
    # (the cache was emptied): their queries, never one per comment.
    assert measure(5) == measure(50)


def test_discussion_view_costs_the_same_for_5_and_500_comments(cast, client_for):
    def measure(n):
        session, other = readers(cast)
        authors = [cast.reviewer, other, cast.owner]
        add_comments(session.revision, authors, n, session=session, threads=True)
        session_start_discussion(user=cast.editor, session=session)
        session_focus_next(user=cast.editor, session=session)
        client = client_for(cast.reviewer)
        url = reverse("session_detail", args=[session.pk])
        client.get(url)
        return count(client, url)

    # user, session lookup (with whether the Andon cord is pulled), comments
    # (annotated), replies. The focused thread, the comments per section and the
    # action items are kept per state version (reviews/live.py, shared); the login
    # session, the navigation's teams and the unread count come from the cache; the
    # action item form, with the members as owners, loads on demand. With 500
    # comments the margins load as they come near the screen
    # (test_views_session_margins.py): no comments, no replies on the page.
    few, many = measure(5), measure(500)
    assert few == 4
    assert many == 2


def test_live_status_costs_the_same_for_5_and_500_comments(cast, client_for):
    def measure(n):
        session, other = readers(cast)
        add_comments(session.revision, [cast.reviewer, other], n, session=session)
        url = reverse("session_live", args=[session.pk]) + "?phase=reading"
        return count(client_for(cast.editor), url, HTTP_HX_REQUEST="true")

    # The full answer to the facilitator: user, session lookup, participants with
    # users (the room). The 304 answer makes none: see test_live.py.
    few, many = measure(5), measure(500)
    assert few == many == 3


def test_live_status_in_the_discussion_costs_the_same(cast, client_for):
    def measure(n):
        session, other = readers(cast)
        add_comments(session.revision, [cast.reviewer, other], n, session=session, threads=True)
        session_start_discussion(user=cast.editor, session=session)
        session_focus_next(user=cast.editor, session=session)
        client = client_for(cast.reviewer)
        url = reverse("session_live", args=[session.pk]) + "?phase=discussion"
        client.get(url, HTTP_HX_REQUEST="true")
        return count(client, url, HTTP_HX_REQUEST="true")

    # user, session lookup; the focused thread is kept per state version.
    few, many = measure(5), measure(500)
    assert few == many == 2


def test_iteration_comments_cost_the_same_for_5_and_500_comments(cast, rf):
    def measure(n):
        revision = revision_for(cast)
        add_comments(revision, [cast.reviewer, cast.owner], n, threads=True)
        revision = (
            type(revision).objects.select_related("document__initiative__team").get(pk=revision.pk)
        )
        reader = User.objects.get(pk=cast.reviewer.pk)  # no role cached from the last run
        request = rf.get("/")
        request.user = reader
        with CaptureQueriesContext(connection) as queries:
            context = iteration_comment_context(reader, revision)
            html = render_to_string(
                "reviews/includes/iteration_comments.html",
                context | {"document": revision.document, "revision": revision},
                request=request,
            )
        # 500 threads: each margin shows its count and loads them near the screen.
        shown = html.count("data-comment=") + html.count('class="margin-loading"')
        assert shown == (n if n < 60 else len(revision.outline()))
        return len(queries)

    # the user's role in the team, the comments per section (and how many are
    # outdated), the comments (annotated) with their replies and action items (for 5
    # only: 500 load with their margins), the sessions of this iteration.
    few, many = measure(5), measure(500)
    assert few == 6
    assert many == 3
