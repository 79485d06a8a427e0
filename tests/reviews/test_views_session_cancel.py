"""POST /s/<id>/cancel/: cancel a session before it starts."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSession, SessionPhase
from tests.documents.access import request_as
from tests.reviews.factories import reading_session, scheduled_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_cancel", args=[session.pk])


def phase(session):
    return ReviewSession.objects.get(pk=session.pk).phase


def test_outsider_gets_404(cast):
    session = scheduled_session(cast)
    assert request_as(cast, "outsider", "post", url(session)).status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_members_who_may_not_manage_the_session_get_403(cast, role):
    session = scheduled_session(cast)
    assert request_as(cast, role, "post", url(session)).status_code == 403
    assert phase(session) == SessionPhase.SCHEDULED


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_the_facilitator_or_an_owner_cancels(cast, role):
    session = scheduled_session(cast)
    response = request_as(cast, role, "post", url(session))
    assert response.status_code == 302
    assert phase(session) == SessionPhase.CANCELLED


def test_a_started_session_cannot_be_cancelled(cast):
    session = reading_session(cast)
    response = request_as(cast, "editor", "post", url(session), follow=True)
    assert "The session cannot be cancelled" in response.content.decode()
    assert phase(session) == SessionPhase.READING
