"""POST /s/<id>/start/: the facilitator starts the silent read."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSession, SessionPhase
from tests.documents.access import request_as
from tests.reviews.factories import reading_session, scheduled_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_start_reading", args=[session.pk])


def phase(session):
    return ReviewSession.objects.get(pk=session.pk).phase


def test_outsider_gets_404(cast):
    session = scheduled_session(cast)
    assert request_as(cast, "outsider", "post", url(session)).status_code == 404
    assert phase(session) == SessionPhase.SCHEDULED


@pytest.mark.parametrize("role", ["owner", "reviewer", "viewer"])
def test_members_who_do_not_facilitate_get_403(cast, role):
    session = scheduled_session(cast)
    assert request_as(cast, role, "post", url(session)).status_code == 403
    assert phase(session) == SessionPhase.SCHEDULED


def test_facilitator_starts_the_reading_and_returns_to_the_page(cast):
    session = scheduled_session(cast)
    response = request_as(cast, "editor", "post", url(session))
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk])
    fresh = ReviewSession.objects.get(pk=session.pk)
    assert fresh.phase == SessionPhase.READING
    assert fresh.reading_ends_at is not None


def test_with_htmx_every_page_reloads(cast):
    session = scheduled_session(cast)
    response = request_as(cast, "editor", "post", url(session), HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_starting_twice_is_refused_with_a_clear_message(cast):
    session = reading_session(cast)
    response = request_as(cast, "editor", "post", url(session), follow=True)
    assert "The reading cannot start: the session is in its reading." in response.content.decode()


def test_get_is_not_allowed(cast):
    session = scheduled_session(cast)
    assert request_as(cast, "editor", "get", url(session)).status_code == 405
