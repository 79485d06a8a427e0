"""Scheduling with a year out of range: an editor in New York types 9999-12-31 20:00.

The form comes back with the range beside the start time and what was typed still in
the box; nothing is stored. The same form then takes a real time, and the session page
shows it (a year-9999 start once made that page fail for everyone).
"""

import zoneinfo
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reviews.models import ReviewSession
from tests.e2e.helpers import sign_in
from tests.e2e.test_session_journey import review_of_a_prfaq

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def test_a_start_in_year_9999_is_refused_in_the_form_and_a_real_one_is_scheduled(
    new_context, live_server, check_a11y, screenshot, fast_hashing
):
    first, maya, reviewers = review_of_a_prfaq()
    maya.time_zone = "America/New_York"
    maya.save(update_fields=["time_zone"])
    revision = first.revision
    url = reverse("session_create", args=[revision.document.initiative_id])
    url += f"?document={revision.document_id}&iteration={revision.number}"

    context = new_context()
    sign_in(context, maya, live_server)
    page = context.new_page()
    page.goto(url)
    page.get_by_label("Raj").select_option("reviewer")
    starts_at = page.get_by_label("Starts at")
    starts_at.fill("9999-12-31T20:00")
    page.get_by_role("button", name="Schedule the review").click()

    # The refusal answers 400 (a form with errors), which Chromium logs: expected here.
    expect(page.get_by_text("Choose a date from 1 January 2000 to")).to_be_visible()
    new_context.problems[:] = [p for p in new_context.problems if "status of 400" not in p]
    expect(starts_at).to_have_value("9999-12-31T20:00")
    assert ReviewSession.objects.count() == 1
    check_a11y(page)
    screenshot(page, "01-year-9999-refused")

    later = (
        (timezone.now() + timedelta(days=30))
        .astimezone(NEW_YORK)
        .replace(hour=10, minute=0, second=0, microsecond=0)
    )
    starts_at.fill(later.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Schedule the review").click()

    expect(page.locator(".page-header")).to_contain_text("Review of")
    session = ReviewSession.objects.exclude(pk=first.pk).get()
    assert session.starts_at == later
    check_a11y(page)
