"""A refused approval: the facilitator chooses "Approved" while a blocker is open.

The page stays the discussion it was (header, status, the decision form with what
was typed), the reason is at the top of the page and, announced, beside the outcome
choice; nothing is saved. Opening the close address itself gives a page, not a
blank browser error.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from documents.models import InitiativeStatus
from reviews.models import CommentKind, ReviewSession, SessionPhase
from reviews.services.comments import comment_create
from reviews.services.phases import session_start_discussion, session_start_reading
from tests.e2e.helpers import sign_in
from tests.e2e.test_session_journey import review_of_a_prfaq

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

REASON = "1 blocker is not resolved yet"


def test_approved_with_a_blocker_open_is_refused_and_the_page_stays_as_it_was(
    new_context, live_server, check_a11y, screenshot, fast_hashing
):
    session, maya, reviewers = review_of_a_prfaq()
    session = session_start_reading(user=maya, session=session)
    comment_create(
        user=reviewers[0],
        revision=session.revision,
        session=session,
        kind=CommentKind.BLOCKER,
        body="Fraud risk: nobody has looked at it.",
        section_key="summary",
        quote="without a label",
    )
    session_start_discussion(user=maya, session=session)
    url = reverse("session_detail", args=[session.pk])

    context = new_context()
    sign_in(context, maya, live_server)
    host = context.new_page()
    host.goto(url)
    expect(host.locator(".phase-label")).to_have_text("Discussion")

    # Maya goes to the decision form, chooses "Approved" and closes the session.
    host.get_by_role("link", name="Record the decision").click()
    form = host.locator("#close-session")
    form.get_by_label("Approved").check()
    form.get_by_label("Decision notes").fill("Ship it to all of Europe.")
    form.get_by_role("button", name="Close the session").click()

    # The refusal answers 400 (a form with errors), which Chromium logs: expected here.
    expect(host.locator("#close-refusal")).to_be_visible()
    new_context.problems[:] = [p for p in new_context.problems if "status of 400" not in p]

    # The page is the discussion it was: no "Closed", no decision recorded.
    expect(host.locator(".page-header .badge")).to_have_text("Discussion")
    expect(host.locator(".phase-label")).to_have_text("Discussion")
    expect(host.get_by_text("recorded on")).to_have_count(0)
    expect(host.locator("#decision-title")).to_have_count(0)
    # The reason: at the top of the page, and announced beside the outcome choice.
    expect(host.locator("#messages")).to_contain_text(REASON)
    alert = host.get_by_role("alert")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text(REASON)
    expect(form.locator("#close-refusal + fieldset")).to_have_attribute(
        "aria-describedby", "close-refusal"
    )
    # What Maya chose and typed is still there.
    expect(form.get_by_label("Approved")).to_be_checked()
    expect(form.get_by_label("Decision notes")).to_have_value("Ship it to all of Europe.")
    check_a11y(host)
    # What the browser shows right after the click (the top), and the whole page.
    full = screenshot(host, "01-approval-refused")
    host.screenshot(path=str(full.with_name(full.stem + "-viewport.png")))
    alert.scroll_into_view_if_needed()
    host.screenshot(path=str(full.with_name(full.stem + "-at-the-control.png")))

    # Nothing was saved.
    fresh = ReviewSession.objects.select_related("initiative").get(pk=session.pk)
    assert fresh.phase == SessionPhase.DISCUSSION and fresh.outcome == ""
    assert fresh.initiative.status != InitiativeStatus.APPROVED

    # Opening the close address itself: a page in the site's layout that leads back.
    host.goto(reverse("session_close", args=[session.pk]))
    expect(host.get_by_role("heading", level=1)).to_have_text("Nothing to show at this address")
    expect(host.locator(".site-header")).to_be_visible()
    new_context.problems[:] = [p for p in new_context.problems if "status of 405" not in p]
    check_a11y(host)
    screenshot(host, "03-close-address-opened")
    host.get_by_role("link", name="Go back to the page").click()
    expect(host).to_have_url(f"{live_server.url}{url}")
    expect(host.locator(".phase-label")).to_have_text("Discussion")
