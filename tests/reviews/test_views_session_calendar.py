"""GET /s/<id>/session.ics: the invitation as a calendar file."""

import pytest
from django.urls import reverse

from tests.documents.access import request_as
from tests.reviews.factories import scheduled_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_calendar", args=[session.pk])


def test_outsider_gets_404(cast):
    session = scheduled_session(cast)
    assert request_as(cast, "outsider", "get", url(session)).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_members_download_the_event(cast, role):
    session = scheduled_session(cast)
    response = request_as(cast, role, "get", url(session))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="workback-session-{session.pk}.ics"'
    )
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\n")
    assert "SUMMARY:Review of iteration 1" in body
    assert f"/s/{session.pk}/" in body.replace("\r\n ", "")
