"""POST /c/<id>/resolve/: the author, the facilitator or an editor resolves a thread."""

import pytest
from django.urls import reverse

from reviews.models import Comment, CommentStatus
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session, team_reviewer

pytestmark = pytest.mark.django_db


def url(thread):
    return reverse("comment_resolve", args=[thread.pk])


def status(thread):
    return Comment.objects.get(pk=thread.pk).status


def test_outsider_gets_404(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "outsider", "post", url(thread)).status_code == 404


def test_another_reviewer_gets_403(cast):
    from django.test import Client

    thread = comment(cast.reviewer, discussion_session(cast))
    client = Client()
    client.force_login(team_reviewer(cast))
    assert client.post(url(thread)).status_code == 403
    assert status(thread) == CommentStatus.OPEN


@pytest.mark.parametrize("role", ["reviewer", "editor", "owner"])
def test_author_facilitator_and_editors_resolve(cast, role):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, role, "post", url(thread)).status_code == 302
    assert status(thread) == CommentStatus.RESOLVED


def test_with_htmx_the_thread_shows_resolved_and_offers_reopen(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    html = request_as(cast, "editor", "post", url(thread), HTTP_HX_REQUEST="true").content.decode()
    assert "Resolved" in html
    assert reverse("comment_reopen", args=[thread.pk]) in html


def test_resolving_during_the_reading_is_refused(cast):
    thread = comment(cast.reviewer, reading_session(cast))
    response = request_as(cast, "reviewer", "post", url(thread), follow=True)
    assert "once the discussion starts" in response.content.decode()
    assert status(thread) == CommentStatus.OPEN
