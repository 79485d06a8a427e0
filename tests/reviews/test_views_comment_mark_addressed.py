"""POST /c/<id>/mark-addressed/: an editor or owner marks a thread addressed."""

import pytest
from django.urls import reverse

from reviews.models import Comment, CommentStatus
from tests.documents.access import request_as
from tests.reviews.carrying import comment_on, copy_of, prfaq_with, save

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(cast):
    return prfaq_with(cast, summary="Customers return items from home. Returns are free.")


@pytest.fixture
def thread(cast, document):
    return comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")


def url(thread):
    return reverse("comment_mark_addressed", args=[thread.pk])


def status(thread):
    return Comment.objects.get(pk=thread.pk).status


def test_outsider_gets_404(cast, thread):
    assert request_as(cast, "outsider", "post", url(thread)).status_code == 404
    assert status(thread) == CommentStatus.OPEN


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_readers_and_reviewers_get_403(cast, thread, role):
    assert request_as(cast, role, "post", url(thread)).status_code == 403
    assert status(thread) == CommentStatus.OPEN


def test_get_is_not_allowed(cast, thread):
    assert request_as(cast, "editor", "get", url(thread)).status_code == 405


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_editors_and_owners_mark_it_and_go_back_to_the_thread(cast, thread, role):
    response = request_as(cast, role, "post", url(thread), {"reply": "See the new headline."})

    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{thread.pk}")
    assert status(thread) == CommentStatus.ADDRESSED
    assert thread.replies.get().body == "See the new headline."


def test_next_brings_the_form_back_to_its_page_but_only_on_this_site(cast, thread):
    page = "/somewhere/on/the/site/"
    response = request_as(cast, "editor", "post", url(thread), {"next": page})
    assert response.url == page

    other = comment_on(cast.reviewer, thread.revision, "summary", "Customers")
    response = request_as(cast, "editor", "post", url(other), {"next": "https://evil.example/"})
    assert response.url.endswith(f"#comment-{other.pk}")


def test_with_htmx_the_thread_comes_back_addressed(cast, thread):
    response = request_as(cast, "editor", "post", url(thread), HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200
    assert f'id="comment-{thread.pk}"' in html
    assert "Addressed" in html


def test_a_resolved_thread_is_refused_with_the_reason(cast, thread):
    request_as(cast, "reviewer", "post", reverse("comment_resolve", args=[thread.pk]))

    response = request_as(cast, "editor", "post", url(thread), follow=True)

    assert "Only an open or outdated thread can be marked addressed" in response.content.decode()
    assert status(thread) == CommentStatus.RESOLVED


def test_a_reply_too_long_is_refused(cast, thread):
    response = request_as(cast, "editor", "post", url(thread), {"reply": "x" * 10_001}, follow=True)

    assert "at most 10000 characters" in response.content.decode().lower()
    assert status(thread) == CommentStatus.OPEN


def test_an_old_copy_is_refused(cast, document, thread):
    save(cast, document)

    response = request_as(cast, "editor", "post", url(thread), follow=True)

    assert "continues on iteration 2" in response.content.decode()
    assert status(thread) == CommentStatus.OPEN
    assert status(copy_of(thread)) == CommentStatus.OPEN


def test_a_bare_word_as_next_returns_to_the_thread(cast, thread):
    response = request_as(cast, "editor", "post", url(thread), {"next": "nosuchview"})
    assert response.status_code == 302
    assert response.url.endswith(f"#comment-{thread.pk}")
