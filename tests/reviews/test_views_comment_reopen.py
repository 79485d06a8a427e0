"""POST /c/<id>/reopen/: a resolved thread opens again."""

import pytest
from django.urls import reverse

from reviews.models import Comment, CommentStatus
from reviews.services.comments import comment_resolve
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session

pytestmark = pytest.mark.django_db


def resolved(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    return comment_resolve(user=cast.editor, comment=thread)


def url(thread):
    return reverse("comment_reopen", args=[thread.pk])


def test_outsider_gets_404(cast):
    assert request_as(cast, "outsider", "post", url(resolved(cast))).status_code == 404


def test_a_viewer_gets_403(cast):
    thread = resolved(cast)
    assert request_as(cast, "viewer", "post", url(thread)).status_code == 403
    assert Comment.objects.get(pk=thread.pk).status == CommentStatus.RESOLVED


def test_the_author_reopens(cast):
    thread = resolved(cast)
    assert request_as(cast, "reviewer", "post", url(thread)).status_code == 302
    assert Comment.objects.get(pk=thread.pk).status == CommentStatus.OPEN
