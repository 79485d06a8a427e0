"""POST /s/<id>/focus/: the facilitator steps through the threads; everyone follows."""

import pytest
from django.urls import reverse

from reviews.models import ReviewSession
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_focus", args=[session.pk])


def focused(session):
    return ReviewSession.objects.get(pk=session.pk).focused_comment_id


def threads(cast):
    session = reading_session(cast)
    first = comment(cast.reviewer, session, section_key="headline", body="First")
    second = comment(cast.reviewer, session, section_key="s-risks", body="Second")
    from reviews.services.phases import session_start_discussion

    session_start_discussion(user=cast.editor, session=session)
    return session, first, second


def test_outsider_gets_404(cast):
    session = discussion_session(cast)
    assert request_as(cast, "outsider", "post", url(session)).status_code == 404


@pytest.mark.parametrize("role", ["owner", "reviewer", "viewer"])
def test_members_who_do_not_facilitate_get_403(cast, role):
    session, first, _ = threads(cast)
    assert request_as(cast, role, "post", url(session)).status_code == 403
    assert focused(session) is None


def test_next_steps_through_the_threads_in_document_order(cast):
    session, first, second = threads(cast)
    request_as(cast, "editor", "post", url(session))
    assert focused(session) == first.pk
    request_as(cast, "editor", "post", url(session))
    assert focused(session) == second.pk
    request_as(cast, "editor", "post", url(session))
    assert focused(session) is None


def test_the_facilitator_can_pick_a_thread(cast):
    session, _, second = threads(cast)
    response = request_as(cast, "editor", "post", url(session), {"comment": second.pk})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#comment-{second.pk}")
    assert focused(session) == second.pk


def test_with_htmx_the_status_names_the_thread(cast):
    session, first, _ = threads(cast)
    response = request_as(cast, "editor", "post", url(session), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert f'data-focused-comment="{first.pk}"' in html
    assert "Now discussing" in html


def test_a_thread_of_another_session_is_404(cast):
    session, _, _ = threads(cast)
    other, foreign, _ = threads(cast)
    response = request_as(cast, "editor", "post", url(session), {"comment": foreign.pk})
    assert response.status_code == 404


def test_focus_during_the_reading_is_refused(cast):
    session = reading_session(cast)
    response = request_as(cast, "editor", "post", url(session), follow=True)
    assert "Threads are stepped through in the discussion" in response.content.decode()
