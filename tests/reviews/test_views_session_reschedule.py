"""GET/POST /s/<id>/reschedule/: change a session before it starts."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSession
from tests.dates_cases import RANGE, VIEW_ZONES, typed_out_of_range
from tests.documents.access import request_as
from tests.reviews.factories import reading_session, scheduled_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_reschedule", args=[session.pk])


def data(cast, **overrides):
    values = {
        "title": "Moved review",
        "starts_at": "2031-05-06T15:00",
        "reading_minutes": "25",
        "facilitator": cast.editor.pk,
        f"role_{cast.viewer.pk}": "observer",
    }
    return values | overrides


def test_outsider_gets_404(cast):
    session = scheduled_session(cast)
    assert request_as(cast, "outsider", "get", url(session)).status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_members_who_may_not_manage_the_session_get_403(cast, role):
    session = scheduled_session(cast)
    assert request_as(cast, role, "get", url(session)).status_code == 403
    assert request_as(cast, role, "post", url(session), data(cast)).status_code == 403


def test_the_form_starts_from_the_current_invitation(cast):
    session = scheduled_session(cast)
    html = request_as(cast, "editor", "get", url(session)).content.decode()
    assert 'value="Review of iteration 1"' in html
    assert '<option value="reviewer" selected>Reviewer</option>' in html


def test_an_owner_reschedules_and_replaces_the_invitees(cast):
    session = scheduled_session(cast)
    response = request_as(cast, "owner", "post", url(session), data(cast))
    assert response.status_code == 302
    fresh = ReviewSession.objects.get(pk=session.pk)
    assert fresh.title == "Moved review"
    assert fresh.reading_minutes == 25
    assert dict(fresh.participants.values_list("user_id", "role")) == {cast.viewer.pk: "observer"}


def test_a_started_session_cannot_be_rescheduled(cast):
    session = reading_session(cast)
    response = request_as(cast, "editor", "get", url(session), follow=True)
    assert "Only a session that has not started can be rescheduled." in response.content.decode()


@pytest.mark.parametrize("zone_name", VIEW_ZONES)
def test_a_new_start_out_of_range_shows_the_form_again_and_changes_nothing(cast, zone_name):
    cast.owner.time_zone = zone_name
    cast.owner.save(update_fields=["time_zone"])
    session = scheduled_session(cast)
    for typed in typed_out_of_range(zone_name):
        response = request_as(cast, "owner", "post", url(session), data(cast, starts_at=typed))

        assert response.status_code == 400, typed
        assert RANGE in response.content.decode(), typed
    fresh = ReviewSession.objects.get(pk=session.pk)
    assert (fresh.title, fresh.starts_at) == (session.title, session.starts_at)
