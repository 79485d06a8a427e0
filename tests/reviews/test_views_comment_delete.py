"""POST /c/<id>/delete/: take back one's own comment while it is still private."""

import pytest
from django.urls import reverse

from reviews.models import Comment
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(thread):
    return reverse("comment_delete", args=[thread.pk])


def test_outsider_gets_404(cast):
    thread = comment(cast.reviewer, reading_session(cast))
    assert request_as(cast, "outsider", "post", url(thread)).status_code == 404
    assert Comment.objects.exists()


def test_nobody_else_even_finds_a_private_comment(cast):
    thread = comment(cast.reviewer, reading_session(cast))
    assert request_as(cast, "editor", "post", url(thread)).status_code == 404


def test_after_the_reveal_a_member_who_is_not_the_author_gets_403(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "editor", "post", url(thread)).status_code == 403


def test_the_author_deletes_during_the_reading(cast):
    session = reading_session(cast)
    thread = comment(cast.reviewer, session)
    response = request_as(cast, "reviewer", "post", url(thread), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response.content == b""
    assert not Comment.objects.exists()


def test_after_the_reveal_the_author_cannot_delete(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(cast, "reviewer", "post", url(thread), follow=True)
    assert "Only comments made during the reading can be taken back" in response.content.decode()
    assert Comment.objects.exists()
