"""POST /s/<id>/close/: the facilitator records the outcome; the initiative follows."""

import re

import pytest
from django.urls import reverse

from documents.models import InitiativeStatus
from reviews.models import CommentKind, ReviewSession, SessionPhase
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_close", args=[session.pk])


def test_outsider_gets_404(cast):
    session = discussion_session(cast)
    data = {"outcome": "approved"}
    assert request_as(cast, "outsider", "post", url(session), data).status_code == 404


@pytest.mark.parametrize("role", ["owner", "reviewer", "viewer"])
def test_members_who_do_not_facilitate_get_403(cast, role):
    session = discussion_session(cast)
    assert request_as(cast, role, "post", url(session), {"outcome": "approved"}).status_code == 403
    assert ReviewSession.objects.get(pk=session.pk).phase == SessionPhase.DISCUSSION


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        ("approved", InitiativeStatus.APPROVED),
        ("iterate", InitiativeStatus.DRAFTING),
        ("shelved", InitiativeStatus.SHELVED),
    ],
)
def test_facilitator_closes_and_the_initiative_follows(cast, outcome, status):
    session = discussion_session(cast)
    data = {"outcome": outcome, "decision_notes": "Because."}
    response = request_as(cast, "editor", "post", url(session), data)
    assert response.status_code == 302
    fresh = ReviewSession.objects.select_related("initiative").get(pk=session.pk)
    assert fresh.phase == SessionPhase.CLOSED
    assert fresh.outcome == outcome
    assert fresh.initiative.status == status


def test_an_outcome_is_required(cast):
    session = discussion_session(cast)
    response = request_as(cast, "editor", "post", url(session), {"decision_notes": "Hmm"})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()


def test_approval_is_refused_while_a_blocker_is_open(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, kind=CommentKind.BLOCKER, body="Legal has not seen it")
    from reviews.services.phases import session_start_discussion

    session_start_discussion(user=cast.editor, session=session)
    response = request_as(cast, "editor", "post", url(session), {"outcome": "approved"})
    assert response.status_code == 400
    assert "1 blocker is" in response.content.decode()
    assert ReviewSession.objects.get(pk=session.pk).phase == SessionPhase.DISCUSSION


def test_closing_during_the_reading_is_refused(cast):
    session = reading_session(cast)
    response = request_as(cast, "editor", "post", url(session), {"outcome": "iterate"})
    assert response.status_code == 400
    assert "The session cannot be closed" in response.content.decode()


def _discussion_with_an_open_blocker(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, kind=CommentKind.BLOCKER, body="Legal has not seen it")
    from reviews.services.phases import session_start_discussion

    session_start_discussion(user=cast.editor, session=session)
    return session


def test_a_refused_approval_leaves_the_page_as_it_was_with_the_reason_at_the_top(cast):
    session = _discussion_with_an_open_blocker(cast)
    data = {"outcome": "approved", "decision_notes": "Ship it."}
    response = request_as(cast, "editor", "post", url(session), data)
    assert response.status_code == 400
    html = response.content.decode()
    # The page still shows the discussion and its decision form, not a closed record.
    assert "page-session--discussion" in html
    assert "Approved recorded" not in html and "recorded on" not in html
    assert 'id="decision-title"' not in html
    assert 'id="close-session"' in html
    assert "Ship it." in html  # what the facilitator typed is still there
    # The reason is announced, at the top of the page and next to the outcome choice.
    reason = "1 blocker is not resolved yet"
    top, _, _ = html.partition('class="page-header"')
    assert reason in top
    alerts = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div)>', html, re.DOTALL)
    assert len(alerts) == 1 and reason in alerts[0]
    close_panel = html.split('id="close-session"', 1)[1]
    assert close_panel.index(reason) < close_panel.index("Close the session")
    # Nothing was saved.
    fresh = ReviewSession.objects.select_related("initiative").get(pk=session.pk)
    assert fresh.phase == SessionPhase.DISCUSSION
    assert fresh.outcome == "" and fresh.closed_at is None
    assert fresh.initiative.status != InitiativeStatus.APPROVED
