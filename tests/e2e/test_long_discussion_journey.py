"""A long discussion in the browser: margins load as they come near the screen.

Above LAZY_MARGINS_ABOVE comments (two here instead of sixty) the page carries each
section's count; scrolling brings the threads in, highlighted in the text, and when
the facilitator steps to a thread whose margin has not loaded, every page loads it
and shows it.
"""

import re

import pytest
from playwright.sync_api import expect

from reviews.services.comments import comment_create
from reviews.services.phases import session_focus, session_start_discussion, session_start_reading
from reviews.views import common as view_common
from tests.e2e.helpers import sign_in
from tests.e2e.test_session_journey import review_of_a_prfaq

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# One thread per passage; the last, in the FAQ, is off the first screen.
THREADS = [
    ("summary", "hands the parcel over without a label", "Fraud risk?"),
    ("problem", "nine days", "Median or worst case?"),
    ("faq", "Nothing, for 30 days", "Show it in a picture."),
]


def test_a_long_discussion_loads_its_margins_on_demand(
    new_context, live_server, check_a11y, screenshot, monkeypatch
):
    monkeypatch.setattr(view_common, "LAZY_MARGINS_ABOVE", 2)
    session, maya, reviewers = review_of_a_prfaq()
    session = session_start_reading(user=maya, session=session)
    faq_key = session.revision.faq()[0].key
    for reviewer, (key, quote, body) in zip(reviewers, THREADS, strict=True):
        key = faq_key if key == "faq" else key
        comment_create(
            user=reviewer,
            revision=session.revision,
            session=session,
            kind="question",
            body=body,
            section_key=key,
            quote=quote,
        )
    session = session_start_discussion(user=maya, session=session)

    context = new_context(viewport={"width": 1280, "height": 900})
    sign_in(context, reviewers[0], live_server)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{session.pk}/")

    # The first screen's margins load at once; the others wait with their counts.
    screenshot(page, "first-screen")
    expect(page.locator("[data-comment]").first).to_be_visible()
    faq_margin = page.locator(f"#margin-{faq_key}")
    expect(faq_margin.locator(".margin-loading")).to_have_text(
        "1 comment on “How much does a return cost?”"
    )
    check_a11y(page)

    page.locator(f"#section-{faq_key}").scroll_into_view_if_needed()
    expect(page.get_by_text("Show it in a picture.")).to_be_visible()
    expect(page.locator("mark.comment-mark")).to_have_count(3)

    # The facilitator steps back to the first thread: a fresh page shows it.
    other = new_context(viewport={"width": 1280, "height": 900})
    sign_in(other, reviewers[1], live_server)
    follower = other.new_page()
    follower.goto(f"{live_server.url}/s/{session.pk}/")
    follower.locator(f"#section-{faq_key}").scroll_into_view_if_needed()
    first = session.comments.get(section_key="summary")
    session_focus(user=maya, session=session, comment=first)
    card = follower.locator(f'[data-comment="{first.pk}"]')
    expect(card).to_have_class(re.compile("is-focused"), timeout=5_000)
    expect(card).to_be_in_viewport()
    # Every margin loaded stays filled after the change is fetched again.
    expect(follower.get_by_text("Show it in a picture.")).to_have_count(1)
    check_a11y(follower)
    screenshot(follower, "focused")
