"""POST /s/<id>/extend/: the facilitator gives the readers more time."""

from datetime import timedelta

import pytest
from django.urls import reverse

from reviews.models import ReviewSession
from tests.documents.access import request_as
from tests.reviews.factories import discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_extend", args=[session.pk])


def ends_at(session):
    return ReviewSession.objects.get(pk=session.pk).reading_ends_at


def test_outsider_gets_404(cast):
    session = reading_session(cast)
    assert request_as(cast, "outsider", "post", url(session), {"minutes": 5}).status_code == 404


@pytest.mark.parametrize("role", ["owner", "reviewer", "viewer"])
def test_members_who_do_not_facilitate_get_403(cast, role):
    session = reading_session(cast)
    before = ends_at(session)
    assert request_as(cast, role, "post", url(session), {"minutes": 5}).status_code == 403
    assert ends_at(session) == before


def test_facilitator_extends_the_reading(cast):
    session = reading_session(cast)
    before = ends_at(session)
    response = request_as(cast, "editor", "post", url(session), {"minutes": 5})
    assert response.status_code == 302
    assert ends_at(session) - before == timedelta(minutes=5)


def test_with_htmx_the_status_comes_back_with_the_new_end(cast):
    session = reading_session(cast)
    response = request_as(
        cast, "editor", "post", url(session), {"minutes": 10}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-countdown" in html
    new_end = ends_at(session).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    assert f'data-ends-at="{new_end}"' in html


def test_an_odd_number_of_minutes_is_refused(cast):
    session = reading_session(cast)
    before = ends_at(session)
    assert request_as(cast, "editor", "post", url(session), {"minutes": 7}).status_code == 400
    assert ends_at(session) == before


def test_extending_after_the_reading_is_refused(cast):
    session = discussion_session(cast)
    response = request_as(cast, "editor", "post", url(session), {"minutes": 5}, follow=True)
    assert "The reading cannot be extended" in response.content.decode()
