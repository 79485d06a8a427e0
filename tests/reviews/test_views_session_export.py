"""GET /s/<id>/export.md: the session record as Markdown, with the comments you may see."""

import pytest
from django.urls import reverse

from reviews.models import SessionOutcome
from reviews.services.comments import reply_create
from reviews.services.decisions import session_close
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, mention, reading_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_export", args=[session.pk])


def test_outsider_gets_404(cast):
    session = discussion_session(cast)
    assert request_as(cast, "outsider", "get", url(session)).status_code == 404


def test_the_closed_record_exports_decision_comments_and_replies(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, quote="Returns are free", body="Free for whom?")
    reply_create(user=cast.editor, comment=thread, body="For everyone.")
    session_close(
        user=cast.editor, session=session, outcome=SessionOutcome.SHELVED, decision_notes="Not now."
    )
    response = request_as(cast, "viewer", "get", url(session))
    text = response.content.decode()
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert "## Decision: Shelved" in text
    assert "> Returns are free" in text
    assert "Free for whom?" in text
    assert "- Editor: For everyone." in text


def test_during_the_reading_the_export_holds_only_your_own_comments(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, body="Mine alone")
    assert "Mine alone" in request_as(cast, "reviewer", "get", url(session)).content.decode()
    assert "Mine alone" not in request_as(cast, "editor", "get", url(session)).content.decode()


def test_names_chosen_from_the_picker_read_as_at_name(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body=f"{mention(cast.viewer, 'Sam Patel')} agrees?")
    reply_create(user=cast.editor, comment=thread, body=f"Ask {mention(cast.owner)} too.")
    text = request_as(cast, "viewer", "get", url(session)).content.decode()
    assert "@Sam Patel agrees?" in text
    assert f"- Editor: Ask @{cast.owner.name} too." in text
    assert "(user:" not in text
