"""POST /s/<id>/done/: "I'm done reading", and its undo."""

import pytest
from django.urls import reverse

from reviews.models import Participant
from tests.documents.access import request_as
from tests.reviews.factories import discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("participant_done", args=[session.pk])


def done_at(cast, session):
    return Participant.objects.get(session=session, user=cast.reviewer).done_at


def test_outsider_gets_404(cast):
    session = reading_session(cast)
    assert request_as(cast, "outsider", "post", url(session), {"done": "1"}).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "viewer"])
def test_members_who_are_not_participants_get_403(cast, role):
    session = reading_session(cast)
    assert request_as(cast, role, "post", url(session), {"done": "1"}).status_code == 403


def test_a_reader_marks_done_and_undoes_it(cast):
    session = reading_session(cast)
    assert request_as(cast, "reviewer", "post", url(session), {"done": "1"}).status_code == 302
    assert done_at(cast, session) is not None
    request_as(cast, "reviewer", "post", url(session), {"done": "0"})
    assert done_at(cast, session) is None


def test_with_htmx_the_button_comes_back_pressed(cast):
    session = reading_session(cast)
    response = request_as(
        cast, "reviewer", "post", url(session), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'aria-pressed="true"' in html
    assert 'name="done" value="0"' in html


def test_after_the_reading_it_is_refused(cast):
    session = discussion_session(cast)
    response = request_as(cast, "reviewer", "post", url(session), {"done": "1"}, follow=True)
    assert "Reading progress can only change during the reading" in response.content.decode()
