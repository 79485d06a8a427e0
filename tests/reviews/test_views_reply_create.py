"""POST /c/<id>/replies/: a reply in a revealed thread."""

import json

import pytest
from django.urls import reverse

from reviews.models import Reply
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session, revision_for

pytestmark = pytest.mark.django_db


def url(thread):
    return reverse("reply_create", args=[thread.pk])


def test_outsider_gets_404(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "outsider", "post", url(thread), {"body": "Hi"}).status_code == 404
    assert not Reply.objects.exists()


def test_a_viewer_who_may_not_discuss_gets_403(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "viewer", "post", url(thread), {"body": "Hi"}).status_code == 403


def test_another_readers_comment_during_the_reading_is_404(cast):
    thread = comment(cast.reviewer, reading_session(cast))
    assert request_as(cast, "owner", "post", url(thread), {"body": "Hi"}).status_code == 404


def test_a_member_replies_in_the_discussion(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    response = request_as(cast, "owner", "post", url(thread), {"body": "Good *point*"})
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk]) + (
        f"#comment-{thread.pk}"
    )
    assert Reply.objects.get().body_html == "<p>Good <em>point</em></p>"


def test_with_htmx_the_thread_comes_back_with_the_reply(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(
        cast, "owner", "post", url(thread), {"body": "Agreed"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<article")
    assert f'id="comment-{thread.pk}"' in html and "Agreed" in html


def test_with_htmx_the_new_reply_is_named_for_the_focus_to_land_on(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(
        cast, "owner", "post", url(thread), {"body": "Agreed"}, HTTP_HX_REQUEST="true"
    )
    reply = Reply.objects.get()
    # reading.js focuses it once the thread has settled in place of the form.
    assert json.loads(response["HX-Trigger-After-Settle"]) == {
        "wb:replied": {"reply": f"thread-reply-{reply.pk}"}
    }
    assert f'<li id="thread-reply-{reply.pk}" tabindex="-1">' in response.content.decode()


def test_an_empty_reply_is_refused_and_the_form_stays_open(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(cast, "owner", "post", url(thread), {"body": ""}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "<details open>" in response.content.decode()


def test_replies_on_asynchronous_comments_go_back_to_the_iteration(cast):
    revision = revision_for(cast)
    thread = comment(cast.reviewer, revision)
    response = request_as(cast, "editor", "post", url(thread), {"body": "Thanks"})
    document = revision.document
    iteration = reverse("iteration_detail", args=[document.initiative_id, document.pk, 1])
    assert response["Location"] == f"{iteration}#comment-{thread.pk}"
