"""POST /s/<id>/discussion/: the facilitator ends the reading early and reveals the comments."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSession, SessionPhase
from tests.documents.access import request_as
from tests.reviews.factories import discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_start_discussion", args=[session.pk])


def phase(session):
    return ReviewSession.objects.get(pk=session.pk).phase


def test_outsider_gets_404(cast):
    session = reading_session(cast)
    assert request_as(cast, "outsider", "post", url(session)).status_code == 404


@pytest.mark.parametrize("role", ["owner", "reviewer", "viewer"])
def test_members_who_do_not_facilitate_get_403(cast, role):
    session = reading_session(cast)
    assert request_as(cast, role, "post", url(session)).status_code == 403
    assert phase(session) == SessionPhase.READING


def test_facilitator_starts_the_discussion(cast):
    session = reading_session(cast)
    response = request_as(cast, "editor", "post", url(session))
    assert response.status_code == 302
    assert phase(session) == SessionPhase.DISCUSSION


def test_a_second_start_is_refused_and_htmx_pages_reload(cast):
    session = discussion_session(cast)
    response = request_as(cast, "editor", "post", url(session), HTTP_HX_REQUEST="true")
    assert response.status_code == 409
    assert response["HX-Refresh"] == "true"
    assert "already in discussion" in response.content.decode()
