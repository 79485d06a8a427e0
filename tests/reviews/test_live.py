"""GET /s/<id>/live: the status every open session page polls each second.

304 when nothing changed, at the cost of the signed-in user alone; HX-Refresh when
the phase moved on; a poll after the reading time is up ends the reading.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.live import ETAG_MAX_AGE_SECONDS
from reviews.models import ReviewSession, SessionPhase, SessionTransition
from reviews.services.phases import participant_mark_done, session_start_reading
from tests.documents.access import request_as
from tests.reviews.factories import comment, reading_session, scheduled_session

pytestmark = pytest.mark.django_db


def url(session, phase):
    return reverse("session_live", args=[session.pk]) + f"?phase={phase}"


def poll(client, session, phase="reading", etag=None):
    headers = {"HTTP_HX_REQUEST": "true"}
    if etag:
        headers["HTTP_IF_NONE_MATCH"] = etag
    return client.get(url(session, phase), **headers)


def test_outsider_gets_404(cast):
    session = reading_session(cast)
    assert request_as(cast, "outsider", "get", url(session, "reading")).status_code == 404


def test_an_outsider_with_an_etag_of_someone_else_still_gets_404(cast, client_for):
    session = reading_session(cast)
    etag = poll(client_for(cast.reviewer), session)["ETag"]
    response = poll(client_for(cast.outsider), session, etag=etag)
    assert response.status_code == 404


def test_the_first_poll_gets_the_status_and_an_etag(cast, client_for):
    session = reading_session(cast)
    response = poll(client_for(cast.reviewer), session)
    assert response.status_code == 200
    assert response["ETag"].startswith('"')
    assert response["Cache-Control"] == "private, no-store"
    assert "data-countdown" in response.content.decode()


def test_an_unchanged_session_answers_304_without_a_query(
    cast, client_for, django_assert_num_queries
):
    session = reading_session(cast)
    client = client_for(cast.reviewer)
    etag = poll(client, session)["ETag"]
    poll(client, session, etag=etag)  # the first 304 fills the cache if it was empty
    # The 304 path: the login session and the version come from the cache; the user
    # is not loaded.
    with django_assert_num_queries(0):
        response = poll(client, session, etag=etag)
    assert response.status_code == 304
    assert response.content == b""


def test_a_signed_out_poll_with_a_good_etag_is_sent_to_sign_in(cast, client_for):
    session = reading_session(cast)
    client = client_for(cast.reviewer)
    etag = poll(client, session)["ETag"]
    client.logout()
    response = poll(client, session, etag=etag)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_change_makes_the_next_poll_a_200_with_a_new_etag(
    cast, client_for, django_capture_on_commit_callbacks
):
    session = reading_session(cast)
    client = client_for(cast.editor)
    etag = poll(client, session)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        participant_mark_done(user=cast.reviewer, session=session)
    response = poll(client, session, etag=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    assert "1 of 1 done" in response.content.decode()


def test_the_facilitators_status_brings_the_room_out_of_band(cast, client_for):
    session = reading_session(cast)
    html = poll(client_for(cast.editor), session).content.decode()
    assert 'id="facilitator-people"' in html and 'hx-swap-oob="true"' in html
    reader = poll(client_for(cast.reviewer), session).content.decode()
    assert "facilitator-people" not in reader


def test_a_forged_etag_is_not_answered_304(cast, client_for):
    session = reading_session(cast)
    client = client_for(cast.reviewer)
    etag = poll(client, session)["ETag"]
    value, _, _ = etag.strip('"').rpartition(".")
    forged = f'"{value}.{"0" * 20}"'
    assert poll(client, session, etag=forged).status_code == 200
    assert poll(client, session, etag='"garbage"').status_code == 200


def test_an_etag_given_to_someone_else_is_not_answered_304(cast, client_for):
    session = reading_session(cast)
    etag = poll(client_for(cast.editor), session)["ETag"]
    assert poll(client_for(cast.reviewer), session, etag=etag).status_code == 200


def test_an_old_etag_gets_a_full_answer_again(cast, client_for, monkeypatch):
    session = reading_session(cast)
    client = client_for(cast.reviewer)
    etag = poll(client, session)["ETag"]
    later = timezone.now() + timedelta(seconds=ETAG_MAX_AGE_SECONDS + 1)
    monkeypatch.setattr("reviews.live.timezone.now", lambda: later)
    assert poll(client, session, etag=etag).status_code == 200


def test_a_phase_change_reloads_the_page(cast, client_for, django_capture_on_commit_callbacks):
    session = scheduled_session(cast)
    client = client_for(cast.reviewer)
    etag = poll(client, session, phase="scheduled")["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        session_start_reading(user=cast.editor, session=session)
    response = poll(client, session, phase="scheduled", etag=etag)
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"


def test_a_page_showing_an_old_phase_reloads_even_without_an_etag(cast, client_for):
    session = reading_session(cast)
    response = poll(client_for(cast.viewer), session, phase="scheduled")
    assert response["HX-Refresh"] == "true"


def test_a_poll_after_the_time_is_up_ends_the_reading(cast, client_for):
    session = reading_session(cast)
    # The time runs out; no worker ran. The next poll ends the reading for everyone.
    ReviewSession.objects.filter(pk=session.pk).update(
        reading_ends_at=timezone.now() - timedelta(seconds=1)
    )
    response = poll(client_for(cast.reviewer), session)
    assert response.status_code == 204
    assert response["HX-Refresh"] == "true"
    assert ReviewSession.objects.get(pk=session.pk).phase == SessionPhase.DISCUSSION
    transition = SessionTransition.objects.get(session=session, to_phase=SessionPhase.DISCUSSION)
    assert transition.by is None


def test_a_matching_etag_is_not_a_304_once_the_time_is_up(cast, client_for, monkeypatch):
    session = reading_session(cast)
    client = client_for(cast.reviewer)
    etag = poll(client, session)["ETag"]
    later = session.reading_ends_at + timedelta(seconds=1)
    monkeypatch.setattr("reviews.live.timezone.now", lambda: later)
    monkeypatch.setattr("reviews.services.phases.timezone.now", lambda: later)
    response = poll(client, session, etag=etag)
    assert response.status_code == 204
    assert ReviewSession.objects.get(pk=session.pk).phase == SessionPhase.DISCUSSION


def test_a_private_comment_does_not_change_the_others_status(
    cast, client_for, django_capture_on_commit_callbacks
):
    session = reading_session(cast)
    client = client_for(cast.editor)
    etag = poll(client, session)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        comment(cast.reviewer, session, body="Only mine")
    assert poll(client, session, etag=etag).status_code == 304


def test_a_participant_whose_page_switched_without_reloading_is_marked_joined(cast, client_for):
    session = reading_session(cast)
    poll(client_for(cast.reviewer), session)
    participant = session.participants.get(user=cast.reviewer)
    assert participant.joined_at is not None
