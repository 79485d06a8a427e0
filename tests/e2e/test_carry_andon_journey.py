"""Comments that follow the words across iterations, and the Andon cord, in a real browser.

Raj comments on two passages of iteration 1. Maya rewrites around the first and
deletes the second, and saves iteration 2: the first comment sits on the same words
there; the second is listed as outdated and still leads to where it was. Maya answers
in the carried thread, naming Raj with the @ picker. Raj pulls the Andon cord: every
page of the initiative shows the red banner, his "My reviews" lists the cord and the
thread waiting for him, and Maya cannot approve the initiative until she resets the
cord with a resolution.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from documents.models import DocumentKind, Initiative, InitiativeStatus
from documents.services import drafting, initiatives, iterations
from reviews.models import AndonPull, Comment, CommentStatus, Mention
from tests.e2e.helpers import select_passage, sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "headline": "Returns in two taps: send anything back without a label",
    "problem": "Returning an item means finding the box, printing a label and waiting up to "
    "nine days for the money. One customer in five calls support to ask where it is.",
    "solution": "The order page gets a Return button. No label: the courier scans a code on "
    "the phone. The refund is issued at the first scan.",
}
# Iteration 2: new words around the first quote, the second quote's sentence gone.
REWRITE = {
    "problem": "Today, returning an item means finding the original box, printing a label at "
    "home and then waiting up to nine days for the money, sometimes longer. One customer in "
    "five calls support to ask where it is.",
    "solution": "The order page gets a Return button. The refund is issued at the first scan.",
}
KEPT = ("problem", "nine days", "Question", "Median or worst case?")
LOST = ("solution", "the courier scans a code on the phone", "Concern", "Is the code accessible?")
REASON = "Legal has not seen the refund promise"


def first_iteration():
    """A team with an editor (Maya) and a reviewer (Raj), and a PR/FAQ at iteration 1."""
    team = TeamFactory(name="Returns", slug="returns")
    maya = UserFactory(display_name="Maya")
    raj = UserFactory(display_name="Raj")
    MembershipFactory(team=team, user=maya, role=Role.EDITOR)
    MembershipFactory(team=team, user=raj, role=Role.REVIEWER)
    initiative = initiatives.initiative_create(user=maya, team=team, title="Self-serve returns")
    document = initiatives.document_create(
        user=maya, initiative=initiative, kind=DocumentKind.PRFAQ
    )
    for section in document.sections.all():
        if section.key in TEXT:
            drafting.section_save(
                user=maya, section=section, body=TEXT[section.key], base_version=section.version
            )
    revision = iterations.iteration_save(user=maya, document=document, note="First full draft")
    return revision, maya, raj


def comment_on(page: Page, key: str, quote: str, kind: str, body: str) -> None:
    select_passage(page, key, quote)
    page.get_by_role("button", name="Comment on selection").click()
    box = page.locator("#comment-box")
    expect(box.locator("[data-quote-preview]")).to_have_text(quote)
    box.get_by_label(kind).check()
    box.get_by_label(re.compile(r"^Comment:?$")).fill(body)
    box.get_by_role("button", name="Save comment").click()
    # The saved box is swapped for an empty, closed one before the next selection.
    expect(page.locator("#comment-box")).to_be_hidden()
    expect(page.locator("[data-comment]", has_text=body)).to_be_visible()


def rewrite(page: Page, heading: str, text: str) -> None:
    page.get_by_role("link", name=f"Edit {heading}", exact=True).click()
    editor = page.locator(".draft-section--editing")
    editor.locator("textarea[data-body]").fill(text)
    expect(editor.locator("[data-save-state]")).to_have_text("Saved")
    editor.get_by_role("link", name="Done").click()
    expect(page.locator(".draft-section--editing")).to_have_count(0)


def banner(page: Page):
    return page.get_by_role("region", name=re.compile("Andon cord is pulled"))


def test_comments_follow_their_words_and_the_andon_cord_stops_approval(
    new_context, live_server, check_a11y, screenshot, fast_hashing
):
    revision, maya, raj = first_iteration()
    document = revision.document
    initiative = document.initiative
    iteration_url = lambda n: reverse(  # noqa: E731
        "iteration_detail", args=[initiative.pk, document.pk, n]
    )

    raj_context = new_context()
    sign_in(raj_context, raj, live_server)
    reviewer = raj_context.new_page()
    maya_context = new_context()
    sign_in(maya_context, maya, live_server)
    editor = maya_context.new_page()

    # Raj comments on two passages of iteration 1, on the iteration page.
    reviewer.goto(iteration_url(1))
    comment_on(reviewer, *KEPT)
    comment_on(reviewer, *LOST)
    expect(reviewer.locator('[data-section-key="problem"] mark.comment-mark')).to_have_text(KEPT[1])
    screenshot(reviewer, "01-comments-on-iteration-1")
    check_a11y(reviewer)
    kept, lost = Comment.objects.order_by("document_order")
    assert (kept.quote, lost.quote) == (KEPT[1], LOST[1])

    # Maya writes around the first quote, deletes the second passage, saves iteration 2.
    editor.goto(reverse("draft", args=[initiative.pk, document.pk]))
    rewrite(editor, "Problem", REWRITE["problem"])
    rewrite(editor, "Solution", REWRITE["solution"])
    editor.get_by_label("What changed in this iteration?").fill("Sharper problem, simpler flow")
    editor.get_by_role("button", name="Save iteration").click()
    expect(editor.locator("#messages")).to_contain_text("Iteration 2 saved.")

    # On iteration 2 the first comment sits on the same words...
    reviewer.goto(iteration_url(2))
    card = reviewer.locator("[data-comment]", has_text=KEPT[3])
    expect(card).to_be_visible()
    expect(reviewer.locator('[data-section-key="problem"] mark.comment-mark')).to_have_text(KEPT[1])
    carried = Comment.objects.get(carried_from=kept)
    assert carried.status == CommentStatus.OPEN
    assert carried.quote == KEPT[1]
    # ...and the second, whose passage is gone, is outdated and still leads to its words.
    outdated = reviewer.locator(".outdated-threads, #outdated-threads").first
    expect(outdated).to_contain_text(LOST[3])
    expect(outdated).to_contain_text(LOST[1])
    assert Comment.objects.get(carried_from=lost).status == CommentStatus.OUTDATED
    screenshot(reviewer, "02-iteration-2-carried-and-outdated")
    check_a11y(reviewer)
    outdated.get_by_role("link", name=re.compile("iteration 1", re.IGNORECASE)).first.click()
    expect(reviewer).to_have_url(re.compile(rf"/iterations/1/#comment-{lost.pk}$"))
    expect(reviewer.locator(f"#comment-{lost.pk}")).to_contain_text(LOST[3])

    # Maya answers in the carried thread and names Raj with the @ picker.
    editor.goto(iteration_url(2))
    thread = editor.locator("[data-comment]", has_text=KEPT[3])
    thread.locator("summary", has_text="Reply").click()
    reply = thread.get_by_label("Your reply")
    reply.press_sequentially("@ra", delay=30)
    option = editor.get_by_role("option", name=re.compile("Raj"))
    expect(option).to_have_attribute("aria-selected", "true")
    expect(reply).to_have_attribute("aria-activedescendant", re.compile(".+"))
    screenshot(editor, "03-mention-picker")
    check_a11y(editor)
    reply.press("Enter")
    expect(reply).to_have_value("@Raj ")
    reply.press_sequentially("the median is six days.")
    thread.get_by_role("button", name="Send reply").click()
    expect(editor.locator(".replies a.mention")).to_have_text("@Raj")
    assert Mention.objects.get().user == raj

    # Raj pulls the Andon cord on the initiative page.
    reviewer.goto(reverse("initiative_detail", args=[initiative.pk]))
    reviewer.locator("#andon summary", has_text="Pull the Andon cord").click()
    reviewer.get_by_label("Why must the initiative stop?").fill(REASON)
    reviewer.locator("#andon").get_by_role("button", name="Pull the Andon cord").click()
    expect(banner(reviewer)).to_contain_text(REASON)
    expect(banner(reviewer)).to_contain_text("Pulled by Raj")
    # A reviewer may pull the cord but not reset it.
    expect(banner(reviewer).get_by_text("Reset the cord")).to_have_count(0)
    screenshot(reviewer, "04-andon-pulled")
    check_a11y(reviewer)

    # Raj's "My reviews": the thread Maya answered, and the cord on an initiative he follows.
    reviewer.goto(reverse("home"))
    expect(reviewer.locator("#my-threads")).to_contain_text("Maya replied")
    expect(reviewer.locator("#my-cords")).to_contain_text(REASON)
    screenshot(reviewer, "05-my-reviews")
    check_a11y(reviewer)

    # The banner is on every page of the initiative, Maya's too.
    editor.goto(iteration_url(2))
    expect(banner(editor)).to_contain_text(REASON)
    editor.goto(reverse("draft", args=[initiative.pk, document.pk]))
    expect(banner(editor)).to_contain_text(REASON)

    # Approval is refused while the cord is pulled.
    editor.goto(reverse("initiative_detail", args=[initiative.pk]))
    editor.get_by_label("Change the status to").select_option("approved")
    editor.get_by_role("button", name="Change status").click()
    expect(editor.locator("#messages")).to_contain_text("The Andon cord is pulled")
    assert Initiative.objects.get(pk=initiative.pk).status != InitiativeStatus.APPROVED
    screenshot(editor, "06-approval-refused")
    check_a11y(editor)

    # Maya resets the cord from the banner, with a resolution; then approval goes through.
    banner(editor).get_by_text("Reset the cord").click()
    banner(editor).get_by_label("How was it resolved?").fill("Legal signed off on Friday.")
    banner(editor).get_by_role("button", name="Reset the Andon cord").click()
    expect(editor.locator("#messages")).to_contain_text("Andon cord reset")
    expect(banner(editor)).to_have_count(0)
    history = editor.locator("#andon .andon-history")
    expect(history).to_contain_text(REASON)
    expect(history).to_contain_text("Legal signed off on Friday.")
    assert AndonPull.objects.get().reset_by == maya

    editor.get_by_label("Change the status to").select_option("approved")
    editor.get_by_role("button", name="Change status").click()
    expect(editor.locator("#messages")).to_contain_text("Status: Approved.")
    expect(editor.locator(".page-header .badge--approved")).to_have_text("Approved")
    assert Initiative.objects.get(pk=initiative.pk).status == InitiativeStatus.APPROVED
    screenshot(editor, "07-approved-after-reset")
    check_a11y(editor)
