"""GET/POST /i/<id>/sessions/new/?document=&iteration=: schedule a review of one iteration."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from reviews.models import ParticipantRole, ReviewSession
from tests.dates_cases import RANGE, VIEW_ZONES, typed_out_of_range
from tests.documents.access import request_as
from tests.reviews.factories import revision_for

pytestmark = pytest.mark.django_db


def url(revision):
    document = revision.document
    base = reverse("session_create", args=[document.initiative_id])
    return f"{base}?document={document.pk}&iteration={revision.number}"


def form_data(cast, **overrides):
    data = {
        "title": "Review of the first draft",
        "starts_at": "2031-03-04T10:30",
        "reading_minutes": "20",
        "facilitator": cast.editor.pk,
        f"role_{cast.reviewer.pk}": ParticipantRole.REVIEWER,
        f"role_{cast.owner.pk}": ParticipantRole.BAR_RAISER,
    }
    data.update(overrides)
    return data


def test_outsider_gets_404(cast):
    revision = revision_for(cast)
    assert request_as(cast, "outsider", "get", url(revision)).status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_members_below_editor_get_403(cast, role):
    revision = revision_for(cast)
    assert request_as(cast, role, "get", url(revision)).status_code == 403
    assert request_as(cast, role, "post", url(revision), form_data(cast)).status_code == 403
    assert not ReviewSession.objects.exists()


def test_a_missing_or_unknown_iteration_is_404(cast):
    revision = revision_for(cast)
    base = reverse("session_create", args=[revision.document.initiative_id])
    assert request_as(cast, "editor", "get", base).status_code == 404
    unknown = f"{base}?document={revision.document_id}&iteration=9"
    assert request_as(cast, "editor", "get", unknown).status_code == 404


def test_the_form_suggests_reading_minutes_from_the_word_count(cast):
    revision = revision_for(cast)
    html = request_as(cast, "editor", "get", url(revision)).content.decode()
    # A short iteration: the minimum suggestion, five minutes.
    assert 'name="reading_minutes" value="5"' in html
    assert f'name="role_{cast.viewer.pk}"' in html
    assert 'type="datetime-local"' in html


def test_editor_schedules_a_review_in_their_own_time_zone(cast):
    cast.editor.time_zone = "Europe/Berlin"
    cast.editor.save(update_fields=["time_zone"])
    revision = revision_for(cast)
    response = request_as(cast, "editor", "post", url(revision), form_data(cast))
    session = ReviewSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[session.pk])
    # 10:30 in Berlin in March is 09:30 UTC.
    assert session.starts_at == datetime(2031, 3, 4, 9, 30, tzinfo=UTC)
    assert session.revision == revision
    roles = dict(session.participants.values_list("user_id", "role"))
    assert roles == {cast.reviewer.pk: "reviewer", cast.owner.pk: "bar_raiser"}


def test_a_review_needs_at_least_one_invitee(cast):
    revision = revision_for(cast)
    data = form_data(cast, **{f"role_{cast.reviewer.pk}": "", f"role_{cast.owner.pk}": ""})
    response = request_as(cast, "editor", "post", url(revision), data)
    assert response.status_code == 400
    assert "Invite at least one participant." in response.content.decode()


def test_a_start_time_in_the_past_is_refused(cast):
    revision = revision_for(cast)
    data = form_data(cast, starts_at="2001-01-01T10:00")
    response = request_as(cast, "editor", "post", url(revision), data)
    assert response.status_code == 400
    assert "The start time is in the past." in response.content.decode()
    assert not ReviewSession.objects.exists()


def test_the_facilitator_must_be_a_team_member(cast):
    revision = revision_for(cast)
    data = form_data(cast, facilitator=cast.outsider.pk)
    response = request_as(cast, "editor", "post", url(revision), data)
    assert response.status_code == 400
    assert not ReviewSession.objects.exists()


def in_zone(cast, zone_name):
    cast.editor.time_zone = zone_name
    cast.editor.save(update_fields=["time_zone"])


@pytest.mark.parametrize("zone_name", VIEW_ZONES)
def test_a_start_out_of_range_shows_the_form_again_with_the_range(cast, zone_name):
    in_zone(cast, zone_name)
    revision = revision_for(cast)
    for typed in typed_out_of_range(zone_name):
        data = form_data(cast, starts_at=typed)
        response = request_as(cast, "editor", "post", url(revision), data)

        assert response.status_code == 400, typed
        assert RANGE in response.content.decode(), typed
    assert not ReviewSession.objects.exists()


def test_a_time_the_clocks_skip_is_refused_with_a_message_that_says_so(cast):
    in_zone(cast, "America/New_York")
    revision = revision_for(cast)
    data = form_data(cast, starts_at="2031-03-09T02:30")
    response = request_as(cast, "editor", "post", url(revision), data)
    assert response.status_code == 400
    assert "02:30 on 9 March 2031 does not exist in America/New_York" in response.content.decode()
    assert not ReviewSession.objects.exists()


def test_a_time_the_clocks_show_twice_is_its_first_occurrence(cast):
    in_zone(cast, "America/New_York")
    revision = revision_for(cast)
    data = form_data(cast, starts_at="2031-11-02T01:30")
    response = request_as(cast, "editor", "post", url(revision), data)
    assert response.status_code == 302
    # Still on summer time (-04:00): the first 01:30 of the night.
    assert ReviewSession.objects.get().starts_at == datetime(2031, 11, 2, 5, 30, tzinfo=UTC)
