"""Naming someone with the @ picker, in a real browser: the box shows what readers will read.

Maya comments on a passage and types "@sa": two members match. She picks Sam Patel
with the arrow keys; the box reads "@Sam Patel", never a token. The saved comment
links the name, which leads to Sam's row on the team's page; Sam (not Sally) is the
one mentioned, and Sam's inbox quotes "@Sam Patel", linked too.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from documents.models import DocumentKind
from documents.services import drafting, initiatives, iterations
from reviews.models import Comment, Mention
from tests.e2e.helpers import select_passage, sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Role
from wbapp.notifications.fanout import fan_out_pending

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PROBLEM = (
    "Returning an item means finding the box, printing a label and waiting up to nine days "
    "for the money."
)


def test_a_name_picked_reads_as_the_name_and_mentions_that_member(
    new_context, live_server, check_a11y, screenshot, fast_hashing
):
    team = TeamFactory(name="Returns", slug="returns")
    maya = UserFactory(display_name="Maya")
    sally = UserFactory(display_name="Sally Ng")
    sam = UserFactory(display_name="Sam Patel")
    MembershipFactory(team=team, user=maya, role=Role.EDITOR)
    MembershipFactory(team=team, user=sally, role=Role.REVIEWER)
    sam_row = MembershipFactory(team=team, user=sam, role=Role.REVIEWER)
    initiative = initiatives.initiative_create(user=maya, team=team, title="Self-serve returns")
    document = initiatives.document_create(
        user=maya, initiative=initiative, kind=DocumentKind.PRFAQ
    )
    problem = document.sections.get(key="problem")
    drafting.section_save(user=maya, section=problem, body=PROBLEM, base_version=problem.version)
    revision = iterations.iteration_save(user=maya, document=document, note="First draft")

    context = new_context()
    sign_in(context, maya, live_server)
    page = context.new_page()
    page.goto(reverse("iteration_detail", args=[initiative.pk, document.pk, revision.number]))
    select_passage(page, "problem", "nine days")
    page.get_by_role("button", name="Comment on selection").click()
    box = page.locator("#comment-box")
    body = box.get_by_label(re.compile(r"^Comment:?$"))
    body.press_sequentially("Is that the median, @sa", delay=30)
    # Both match, in name order; the first (Sally) is highlighted, Sam is one down.
    expect(page.get_by_role("option")).to_have_count(2)
    expect(page.get_by_role("option", name=re.compile("Sally Ng"))).to_have_attribute(
        "aria-selected", "true"
    )
    body.press("ArrowDown")
    expect(page.get_by_role("option", name=re.compile("Sam Patel"))).to_have_attribute(
        "aria-selected", "true"
    )
    screenshot(page, "01-the-picker")
    check_a11y(page)
    body.press("Enter")
    expect(body).to_have_value("Is that the median, @Sam Patel ")
    body.press_sequentially("or the worst case?")
    expect(body).to_have_value("Is that the median, @Sam Patel or the worst case?")
    screenshot(page, "02-picked-name-in-the-box")
    check_a11y(page)
    box.get_by_role("button", name="Save comment").click()

    card = page.locator("[data-comment]", has_text="or the worst case?")
    mention = card.locator("a.mention")
    expect(mention).to_have_text("@Sam Patel")
    expect(mention).to_have_attribute(
        "href", reverse("mention_person", args=[initiative.pk, sam.pk])
    )
    expect(card.locator(".comment-body")).to_have_text(
        "Is that the median, @Sam Patel or the worst case?"
    )
    screenshot(page, "03-saved-comment-links-the-name")
    check_a11y(page)
    saved = Comment.objects.get()
    assert saved.body == (f"Is that the median, @[Sam Patel](user:{sam.pk}) or the worst case?")
    assert list(Mention.objects.values_list("user_id", flat=True)) == [sam.pk]
    # The name leads to Sam's row on the team's page.
    mention.click()
    expect(page).to_have_url(re.compile(rf"/t/returns/members/#member-{sam_row.pk}$"))
    expect(page.locator(f"#member-{sam_row.pk}")).to_contain_text("Sam Patel")

    # Sam's inbox says it the same way.
    fan_out_pending()
    sam_context = new_context()
    sign_in(sam_context, sam, live_server)
    inbox = sam_context.new_page()
    inbox.goto(reverse("notifications"))
    mentioned = inbox.locator(".inbox-item", has_text="mentioned you")
    expect(mentioned.locator(".inbox-excerpt")).to_have_text(
        "Is that the median, @Sam Patel or the worst case?"
    )
    expect(mentioned.locator(".inbox-excerpt a.mention")).to_have_text("@Sam Patel")
    screenshot(inbox, "04-inbox-reads-the-name")
    check_a11y(inbox)
