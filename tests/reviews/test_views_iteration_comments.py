"""The iteration page's review tools: iteration_comment_context and its include."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory

from reviews.models import Anchoring, CommentStatus
from reviews.views.comments import iteration_comment_context
from tests.reviews.factories import comment, reading_session, revision_for

pytestmark = pytest.mark.django_db


def rendered(user, revision):
    request = RequestFactory().get("/")
    request.user = user
    context = iteration_comment_context(user, revision)
    html = render_to_string(
        "reviews/includes/iteration_comments.html",
        context | {"document": revision.document, "revision": revision},
        request=request,
    )
    return context, html


def test_editors_get_the_schedule_link_and_reviewers_the_comment_box(cast):
    revision = revision_for(cast)
    _, editor = rendered(cast.editor, revision)
    assert "Schedule a review" in editor
    assert f"?document={revision.document_id}&amp;iteration=1" in editor
    _, reviewer = rendered(cast.reviewer, revision)
    assert "Schedule a review" not in reviewer
    assert 'id="comment-box"' in reviewer
    _, viewer = rendered(cast.viewer, revision)
    assert 'id="comment-box"' not in viewer


def test_asynchronous_comments_sit_in_the_margin_of_their_section(cast):
    revision = revision_for(cast)
    thread = comment(cast.reviewer, revision, section_key="s-risks", quote="Fraud may rise")
    context, html = rendered(cast.viewer, revision)
    rows = {row.key: row.comments for part in context["parts"] for row in part.rows}
    assert rows["s-risks"] == [thread]
    assert f'data-comment="{thread.pk}"' in html


def test_a_reading_in_progress_shows_each_reader_only_their_own(cast):
    session = reading_session(cast)
    private = comment(cast.reviewer, session, body="Mine until the reveal")
    _, own = rendered(cast.reviewer, session.revision)
    assert "Mine until the reveal" in own
    _, others = rendered(cast.editor, session.revision)
    assert "Mine until the reveal" not in others
    assert f'data-comment="{private.pk}"' not in others


def test_threads_whose_passage_is_gone_are_listed_apart(cast):
    revision = revision_for(cast)
    kept = comment(cast.reviewer, revision, body="Still here")
    gone = comment(cast.reviewer, revision, body="Passage gone")
    # As carry-forward leaves a thread whose words are gone (reviews/services/carry.py).
    type(gone).objects.filter(pk=gone.pk).update(
        status=CommentStatus.OUTDATED, anchoring=Anchoring.LOST
    )
    context, html = rendered(cast.viewer, revision)
    assert [c.pk for c in context["review"]["comments"]] == [kept.pk]
    assert [c.pk for c in context["review"]["outdated"]] == [gone.pk]
    assert "Threads whose passage is gone" in html


def test_the_template_tag_renders_the_tools_for_the_signed_in_user(cast):
    from django.template import Context, Template

    revision = revision_for(cast)
    comment(cast.reviewer, revision, body="Visible to the team")
    request = RequestFactory().get("/")
    request.user = cast.viewer
    html = Template("{% load review_tools %}{% iteration_comments revision %}").render(
        Context({"request": request, "revision": revision})
    )
    assert "Visible to the team" in html
    assert 'data-anchor-root data-section-key="summary"' in html
