"""The digest preview in a browser: what the next digest would say now, and when it goes out.

Lee pulls the Andon cord on Maya's initiative and asks a question on it. Maya, in
Berlin, opens her notification settings: the preview says when her next digest is
sent (in her zone) and what it would contain, the stopped initiative first, with
who pulled the cord and why. She moves the digest to the hour it is now, and the
preview, swapped in place, says it goes out within the quarter of an hour.
"""

import zoneinfo
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from reviews.services.decisions import andon_pull
from tests.e2e.helpers import sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.notifications.notify_helpers import async_comment
from tests.reviews.factories import revision_for
from wbapp.accounts.models import Role
from wbapp.notifications import preferences
from wbapp.notifications.fanout import fan_out_pending

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ZONE = "Europe/Berlin"
REASON = "Legal has not seen the refund promise"
QUESTION = "Who pays the courier when the parcel is lost?"


def test_the_settings_page_previews_the_next_digest(
    new_context, live_server, check_a11y, screenshot
):
    team = TeamFactory(name="Returns", slug="returns")
    maya = UserFactory(display_name="Maya", time_zone=ZONE)
    lee = UserFactory(display_name="Lee")
    MembershipFactory(team=team, user=maya, role=Role.EDITOR)
    MembershipFactory(team=team, user=lee, role=Role.REVIEWER)

    # Maya's initiative and its iteration 1 (the factory takes the team and its editor).
    revision = revision_for(SimpleNamespace(team=team, editor=maya))
    initiative = revision.document.initiative
    async_comment(lee, revision, body=QUESTION)
    andon_pull(user=lee, initiative=initiative, reason=REASON)
    fan_out_pending()
    # A daily digest two hours from now, Berlin time.
    hour = timezone.localtime(timezone.now(), zoneinfo.ZoneInfo(ZONE)).hour
    later = (hour + 2) % 24
    preferences.preferences_update(user=maya, frequency="daily", hour=later, weekday=0)

    context = new_context()
    sign_in(context, maya, live_server)
    page = context.new_page()
    page.goto(reverse("notification_settings"))

    preview = page.locator("#digest-preview")
    expect(preview.get_by_role("heading", name="Your next digest")).to_be_visible()
    expect(preview.locator(".next-digest")).to_contain_text(f"{later:02d}:00 ({ZONE})")
    cord = preview.locator(".digest-preview__cord")
    expect(cord).to_contain_text(f"{initiative.title} is stopped:")
    expect(cord.locator("q")).to_have_text(REASON)
    expect(cord).to_contain_text("Andon cord pulled by Lee")
    expect(preview).to_contain_text(QUESTION)
    expect(preview).to_contain_text("2 updates since your last digest")
    check_a11y(page)
    screenshot(page, "01-preview")

    # (A fresh page: axe leaves empty style attributes behind, which htmx's settling
    # would copy onto the swapped form, and the Content-Security-Policy refuses.)
    page.reload()
    # The hour it is now in Berlin: this hour's digest, at the next run.
    page.get_by_label("Daily digest").check()
    page.get_by_label("Digest time").select_option(label=f"{hour:02d}:00")
    page.get_by_role("button", name="Save e-mail settings").click()
    expect(page.locator("#messages")).to_contain_text(
        f"Saved. Your daily digest arrives at {hour:02d}:00."
    )
    expect(page.locator("#digest-preview")).to_contain_text(
        "Due now: it goes out within the next quarter of an hour."
    )
    expect(page.locator("#digest-preview .digest-preview__cord")).to_contain_text(REASON)
    check_a11y(page)
    screenshot(page, "02-due-now")
