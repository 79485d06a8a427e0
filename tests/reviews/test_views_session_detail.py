"""The session page, GET /s/<id>/: its content follows the phase and the viewer."""

import re

import pytest
from django.urls import reverse

from reviews.models import CommentKind, Participant, ParticipantRole, SessionOutcome
from reviews.services.action_items import action_item_create
from reviews.services.comments import reply_create
from reviews.services.decisions import session_close
from reviews.services.phases import participant_mark_done, session_start_discussion
from reviews.services.scheduling import session_cancel
from tests.documents.access import request_as
from tests.reviews.factories import (
    comment,
    discussion_session,
    reading_session,
    scheduled_session,
    team_reviewer,
)

pytestmark = pytest.mark.django_db


def url(session):
    return reverse("session_detail", args=[session.pk])


def test_outsider_gets_404(cast):
    session = scheduled_session(cast)
    assert request_as(cast, "outsider", "get", url(session)).status_code == 404


def test_an_id_beyond_any_column_is_404(cast):
    assert request_as(cast, "reviewer", "get", "/s/99999999999999999999999/").status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(client, cast):
    session = scheduled_session(cast)
    response = client.get(url(session))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_member_sees_the_invitation_before_the_reading(cast, role):
    session = scheduled_session(cast)
    html = request_as(cast, role, "get", url(session)).content.decode()
    assert "Review of iteration 1" in html
    assert reverse("session_calendar", args=[session.pk]) in html
    # The memo stays closed until the reading starts.
    assert "data-anchor-root" not in html


def test_only_the_facilitator_gets_the_start_button(cast):
    session = scheduled_session(cast)
    start = reverse("session_start_reading", args=[session.pk])
    assert start in request_as(cast, "editor", "get", url(session)).content.decode()
    assert start not in request_as(cast, "reviewer", "get", url(session)).content.decode()


def test_reader_sees_memo_countdown_and_own_comment_during_the_reading(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, quote="Returns are free", body="Free for *whom*?")
    html = request_as(cast, "reviewer", "get", url(session)).content.decode()
    assert "data-countdown" in html
    assert 'data-ends-at="' in html
    assert "<em>whom</em>" in html
    assert 'data-quote="Returns are free"' in html
    assert "I’m done reading" in html
    assert reverse("session_comment_create", args=[session.pk]) in html


def test_each_section_body_is_exactly_the_rendered_html(cast):
    # Comment offsets count the section's textContent: no whitespace may be added around it.
    session = reading_session(cast)
    html = request_as(cast, "reviewer", "get", url(session)).content.decode()
    summary = session.revision.rendered["summary"]
    assert f'data-section-key="summary">{summary}</div>' in html


def test_opening_the_page_during_the_reading_marks_the_participant_joined(cast):
    session = reading_session(cast)
    request_as(cast, "reviewer", "get", url(session))
    assert Participant.objects.get(session=session, user=cast.reviewer).joined_at is not None


def test_facilitator_sees_who_has_joined_and_who_is_done(cast):
    other = team_reviewer(cast, user__display_name="Rahul")
    session = reading_session(
        cast,
        participants=[
            (cast.reviewer, ParticipantRole.REVIEWER),
            (other, ParticipantRole.BAR_RAISER),
        ],
    )
    participant_mark_done(user=cast.reviewer, session=session)
    html = request_as(cast, "editor", "get", url(session)).content.decode()
    assert "1 of 2 done" in html
    assert "Rahul" in html and "Not here yet" in html
    assert reverse("session_extend", args=[session.pk]) in html
    assert reverse("session_start_discussion", args=[session.pk]) in html
    # Readers do not get the facilitator's panel.
    reader = request_as(cast, "reviewer", "get", url(session)).content.decode()
    assert reverse("session_start_discussion", args=[session.pk]) not in reader


def test_a_member_who_is_not_invited_reads_along_without_a_comment_box(cast):
    session = reading_session(cast)
    html = request_as(cast, "viewer", "get", url(session)).content.decode()
    assert "data-anchor-root" in html
    assert 'id="comment-box"' not in html
    assert "not a participant" in html


def test_discussion_shows_every_comment_in_document_order(cast):
    other = team_reviewer(cast)
    session = reading_session(
        cast,
        participants=[(cast.reviewer, ParticipantRole.REVIEWER), (other, ParticipantRole.REVIEWER)],
    )
    comment(other, session, section_key="s-risks", quote="Fraud may rise", body="Third")
    comment(cast.reviewer, session, section_key="summary", quote="Returns are free", body="Second")
    comment(other, session, section_key="headline", quote="one tap", body="First")
    session_start_discussion(user=cast.editor, session=session)
    html = request_as(cast, "viewer", "get", url(session)).content.decode()
    bodies = re.findall(r"<p>(First|Second|Third)</p>", html)
    assert bodies == ["First", "Second", "Third"]


def test_blockers_are_marked_with_an_icon_and_a_label(cast):
    session = reading_session(cast)
    comment(cast.reviewer, session, kind=CommentKind.BLOCKER, body="Stop")
    session_start_discussion(user=cast.editor, session=session)
    html = request_as(cast, "viewer", "get", url(session)).content.decode()
    assert "comment-card--blocker" in html
    assert re.search(r'class="kind kind--blocker"[^>]*>\s*<svg[^>]*aria-hidden="true"', html)
    assert re.search(r"</svg>\s*Blocker\s*</span>", html)


def test_discussion_offers_threads_to_reviewers_and_next_to_the_facilitator(cast):
    session = discussion_session(cast)
    facilitator = request_as(cast, "editor", "get", url(session)).content.decode()
    assert "Next thread" in facilitator
    assert reverse("session_close", args=[session.pk]) in facilitator
    reader = request_as(cast, "reviewer", "get", url(session)).content.decode()
    assert "Next thread" not in reader
    assert reverse("session_close", args=[session.pk]) not in reader


def test_closed_session_is_a_read_only_record(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="Sharpen the quote")
    reply_create(user=cast.editor, comment=thread, body="Will do")
    action_item_create(
        user=cast.editor,
        initiative=session.initiative,
        comment=thread,
        title="Rewrite",
        owner=cast.editor,
    )
    session_close(
        user=cast.editor,
        session=session,
        outcome=SessionOutcome.ITERATE,
        decision_notes="**Iterate**",
    )
    html = request_as(cast, "reviewer", "get", url(session)).content.decode()
    assert "<strong>Iterate</strong>" in html
    assert "Sharpen the quote" in html and "Will do" in html and "Rewrite" in html
    assert "Where the comments fell" in html
    assert "data-live" not in html
    assert reverse("reply_create", args=[thread.pk]) not in html
    assert reverse("comment_plus_one", args=[thread.pk]) not in html


def test_cancelled_session_says_so(cast):
    session = scheduled_session(cast)
    session_cancel(user=cast.editor, session=session)
    html = request_as(cast, "reviewer", "get", url(session)).content.decode()
    assert "This session was cancelled" in html
    assert "data-live" not in html


def test_the_margins_come_back_as_out_of_band_fragments(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="Now public")
    response = request_as(
        cast, "viewer", "get", url(session) + "?fragment=margins", HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert html.count('hx-swap-oob="true"') == len(session.revision.sections()) + 2
    assert f'id="comment-{thread.pk}"' in html
    assert "<html" not in html
