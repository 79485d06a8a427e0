"""POST /s/<id>/comments/: a comment anchored to a passage, in a session."""

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import Comment, ParticipantRole, SessionOutcome
from reviews.services.decisions import session_close
from tests.documents.access import request_as
from tests.reviews.factories import (
    discussion_session,
    reading_session,
    scheduled_session,
    team_reviewer,
)

pytestmark = pytest.mark.django_db


def closed_session_for(cast):
    session = discussion_session(cast)
    return session_close(user=cast.editor, session=session, outcome=SessionOutcome.ITERATE)


def url(session):
    return reverse("session_comment_create", args=[session.pk])


def selection(**overrides):
    # As reading.js sends it: "Returns are free" in the summary's text.
    data = {
        "kind": "concern",
        "body": "Free *forever*?",
        "section_key": "summary",
        "quote": "Returns are free",
        "prefix": "Customers return items from home. ",
        "suffix": ".\n",
        "start": "34",
        "end": "50",
    }
    return data | overrides


def test_outsider_gets_404(cast):
    session = reading_session(cast)
    assert request_as(cast, "outsider", "post", url(session), selection()).status_code == 404
    assert not Comment.objects.exists()


@pytest.mark.parametrize("role", ["owner", "viewer"])
def test_members_who_are_not_participants_are_refused_during_the_reading(cast, role):
    session = reading_session(cast)
    assert request_as(cast, role, "post", url(session), selection()).status_code == 403
    assert not Comment.objects.exists()


def test_a_team_reviewer_who_is_not_invited_is_refused(cast):
    outsider_reviewer = team_reviewer(cast)
    session = reading_session(cast)
    client = Client()
    client.force_login(outsider_reviewer)
    assert client.post(url(session), selection()).status_code == 403


def test_an_observer_reads_but_does_not_comment(cast):
    session = reading_session(cast, participants=[(cast.viewer, ParticipantRole.OBSERVER)])
    assert request_as(cast, "viewer", "post", url(session), selection()).status_code == 403


def test_a_reader_comments_on_the_selected_passage(cast):
    session = reading_session(cast)
    response = request_as(cast, "reviewer", "post", url(session), selection())
    saved = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk]) + (
        f"#comment-{saved.pk}"
    )
    assert (saved.section_key, saved.quote, saved.start, saved.end) == (
        "summary",
        "Returns are free",
        34,
        50,
    )
    assert saved.session == session and saved.kind == "concern"
    assert saved.body_html == "<p>Free <em>forever</em>?</p>"


def test_without_the_script_the_passage_is_found_in_the_section(cast):
    session = reading_session(cast)
    data = selection(prefix="", suffix="", start="", end="", quote="courier collects the parcel")
    request_as(cast, "reviewer", "post", url(session), data)
    saved = Comment.objects.get()
    assert saved.quote == "courier collects the parcel"
    assert saved.start > 0


def test_with_htmx_the_box_comes_back_empty_with_the_margin_out_of_band(cast):
    session = reading_session(cast)
    response = request_as(
        cast, "reviewer", "post", url(session), selection(), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    saved = Comment.objects.get()
    assert response.status_code == 200
    # The box names the new comment, which reading.js focuses once it has settled.
    assert 'id="comment-box"' in html and f'data-saved="{saved.pk}"' in html
    assert 'id="margin-summary"' in html and 'hx-swap-oob="true"' in html
    assert f'id="comment-{saved.pk}"' in html
    assert "Free <em>forever</em>?" in html


def test_a_quote_that_is_not_in_the_section_is_refused_with_the_box_again(cast):
    session = reading_session(cast)
    data = selection(quote="words nobody wrote", start="", end="")
    response = request_as(cast, "reviewer", "post", url(session), data, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#comment-box"
    assert "The quoted words are not in" in html
    assert "is-open" in html
    assert not Comment.objects.exists()


def test_a_refused_comment_without_htmx_shows_the_form_again(cast):
    session = reading_session(cast)
    response = request_as(cast, "reviewer", "post", url(session), selection(body=""))
    assert response.status_code == 400
    assert "Your comment was not saved" in response.content.decode()


def test_before_the_reading_starts_comments_are_refused(cast):
    session = scheduled_session(cast)
    response = request_as(cast, "reviewer", "post", url(session), selection(), follow=True)
    assert "Comments in this session are closed" in response.content.decode()
    assert not Comment.objects.exists()


def test_in_the_discussion_a_new_comment_is_public_at_once(cast):
    session = discussion_session(cast)
    request_as(cast, "reviewer", "post", url(session), selection())
    saved = Comment.objects.get()
    assert Comment.objects.visible_to(cast.viewer).filter(pk=saved.pk).exists()


def test_a_closed_session_takes_no_comments(cast):
    session = closed_session_for(cast)
    response = request_as(cast, "reviewer", "post", url(session), selection(), follow=True)
    assert "Comments in this session are closed" in response.content.decode()


def test_a_mention_of_someone_outside_the_team_is_reported_to_the_writer(cast):
    session = reading_session(cast)
    data = selection(body="Ask @outsider@example.com about it")
    response = request_as(cast, "reviewer", "post", url(session), data, follow=True)
    assert "is not in this team; nobody was notified." in response.content.decode()
    htmx = request_as(cast, "reviewer", "post", url(session), data, HTTP_HX_REQUEST="true")
    assert 'id="messages"' in htmx.content.decode()
