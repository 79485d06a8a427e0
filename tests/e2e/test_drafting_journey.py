"""Drafting a PR/FAQ in a real browser: initiative, autosave, iterations, compare, conflict."""

import re

import pytest
from playwright.sync_api import Page, expect

from documents.models import Document, Initiative
from tests.e2e.helpers import sign_in

pytestmark = pytest.mark.e2e

ANSWERS = {
    "Who is the customer?": "People who shop online for clothes and buy the **wrong size** "
    "about once a season.",
    "What is the customer problem or opportunity?": "Returning an item means a phone call, a "
    "printed label and a week without the money.",
    "What is the most important customer benefit?": "The refund arrives the moment the parcel "
    "is dropped off.",
    "How do you know what customers need or want?": "Four in ten support calls are about "
    "returns; interviews with 24 shoppers.",
    "What does the customer experience look like?": "Open the order, tap *Return*, show the "
    "code at any drop-off point.",
}

PRESS_RELEASE = {
    "Headline": "Returns in one tap: your refund before you are home",
    "Subheading": "Shoppers who bought the wrong size return it from their phone and are "
    "refunded the moment they drop the parcel off.",
    "Summary": "SEATTLE — Today we launch **self-serve returns**. Any order placed in the "
    "last 30 days can be returned from the order page in one tap, with no label to print and "
    "no call to make. The refund is paid when the parcel is scanned at the drop-off point.",
    "Problem": "Returning an item today takes a phone call, a printed label and a week of "
    "waiting for the money. One shopper in three tells us they keep clothes that do not fit "
    "rather than go through it, and then shop less.",
    "Solution": "The order page gets a Return button. Choose the items, say why, and get a "
    "code. Show the code at any of 4,000 drop-off points; the scan triggers the refund.",
    "Leader quote": "“Customers should never pay for our mistakes with their time,” said the "
    "head of customer experience.",
    "How to get started": "Open any recent order in the app or on the website and tap *Return*.",
    "Customer quote": "“I returned a jacket on the way to work and had the money before "
    "lunch,” said a customer in the pilot.",
    "Call to action": "Self-serve returns are live today for every order; learn more in the "
    "help centre.",
}


def section(page: Page, heading: str):
    return page.locator(".draft-section").filter(
        has=page.get_by_role("heading", name=heading, exact=True)
    )


def write_section(page: Page, heading: str, text: str, *, typed: bool = False) -> None:
    """Open a section's editor, write, wait for the autosave, close it."""
    page.get_by_role("link", name=f"Edit {heading}", exact=True).click()
    editor = page.locator(".draft-section--editing")
    textarea = editor.locator("textarea[data-body]")
    expect(textarea).to_be_focused()
    if typed:
        textarea.press_sequentially(text, delay=5)
    else:
        textarea.fill(text)
    expect(editor.locator("[data-save-state]")).to_have_text("Saved")
    editor.get_by_role("link", name="Done").click()
    expect(page.locator(".draft-section--editing")).to_have_count(0)


def add_question(page: Page, faq: str, question: str, answer: str) -> None:
    page.get_by_role("button", name=f"+ Add a question to the {faq}").click()
    editor = page.locator(".faq-entry--editing")
    expect(editor.get_by_label("Question")).to_be_focused()
    editor.get_by_label("Question").fill(question)
    editor.locator("textarea[data-body]").fill(answer)
    expect(editor.locator("[data-save-state]")).to_have_text("Saved")
    editor.get_by_role("link", name="Done").click()
    expect(page.locator(".faq-entry--editing")).to_have_count(0)


def save_iteration(page: Page, note: str, number: int) -> None:
    page.get_by_label("What changed in this iteration?").fill(note)
    page.get_by_role("button", name="Save iteration").click()
    expect(page.locator("#messages")).to_contain_text(f"Iteration {number} saved.")


def test_an_editor_drafts_a_prfaq_saves_two_iterations_and_compares_them(
    cast, new_context, live_server, check_a11y, screenshot
):
    maya_context = new_context()
    sign_in(maya_context, cast.editor, live_server)
    page = maya_context.new_page()

    # A new initiative in the team, with the five customer questions answered.
    page.goto(f"/t/{cast.team.slug}/initiatives/new/")
    check_a11y(page)
    page.get_by_label("Title").fill("Self-serve returns")
    for question, answer in ANSWERS.items():
        page.get_by_label(question).fill(answer)
    screenshot(page, "01-new-initiative")
    page.get_by_role("button", name="Create initiative").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Self-serve returns")
    expect(page.locator(".answers strong")).to_have_text("wrong size")
    screenshot(page, "02-initiative")
    check_a11y(page)

    # A PR/FAQ from the template.
    page.get_by_role("link", name="Start the PR/FAQ").click()
    page.get_by_role("button", name="Start drafting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PR/FAQ")
    check_a11y(page)

    # Every section written in place; the first one typed key by key.
    for number, (heading, text) in enumerate(PRESS_RELEASE.items()):
        write_section(page, heading, text, typed=number == 0)
    expect(section(page, "Summary").locator("strong")).to_have_text("self-serve returns")

    add_question(
        page,
        "External FAQ",
        "What can I return?",
        "Anything bought in the last 30 days, unworn, with its tags.",
    )
    add_question(
        page,
        "External FAQ",
        "How fast is the refund?",
        "It is paid when the parcel is scanned at the drop-off point, usually within minutes.",
    )
    add_question(
        page,
        "Internal FAQ",
        "What does it cost us?",
        "About **1.10** per return in scanning fees, against 4.80 for a call.",
    )
    # The second question matters more: move it up, in place.
    faq = page.locator("#faq-list-external")
    faq.get_by_role("button", name="Move up: How fast is the refund?").click()
    expect(faq.locator(".faq-question").first).to_have_text("How fast is the refund?")
    expect(page.locator("#draft-stats")).to_contain_text("min read")
    screenshot(page, "03-draft")
    check_a11y(page)

    # An editor open, with its live preview.
    page.get_by_role("link", name="Edit Problem", exact=True).click()
    editor = page.locator(".draft-section--editing")
    editor.locator("textarea[data-body]").press("Control+End")
    editor.locator("textarea[data-body]").press_sequentially(" It is *slow*.", delay=5)
    expect(editor.locator("[data-preview] em")).to_have_text("slow")
    expect(editor.locator("[data-save-state]")).to_have_text("Saved")
    screenshot(page, "04-editor")
    check_a11y(page)
    editor.get_by_role("link", name="Done").click()

    save_iteration(page, "First full draft", 1)

    # A sharper problem statement, saved as the second iteration straight away: the
    # iteration waits for the autosave of the open editor.
    page.get_by_role("link", name="Edit Problem", exact=True).click()
    page.locator(".draft-section--editing textarea[data-body]").fill(
        "Returning an item today takes a phone call, a printed label and ten days of waiting "
        "for the money."
    )
    save_iteration(page, "Sharper problem", 2)
    # The iterations and the comparison of 1 and 2.
    page.get_by_role("link", name=re.compile(r"^Iterations")).click()
    expect(page.locator(".iteration-table tbody tr")).to_have_count(2)
    screenshot(page, "05-iterations")
    check_a11y(page)
    page.get_by_role("button", name="Compare").click()
    expect(page).to_have_url(re.compile(r"/compare/1\.\.\.2/$"))
    changed = page.locator("#diff-problem")
    expect(changed.locator("ins").first).to_contain_text("ten days")
    expect(changed.locator("del").first).to_contain_text("a week")
    expect(changed.locator(".diff-status--changed")).to_have_text("changed")
    expect(page.locator("details#diff-headline")).not_to_have_attribute("open", "")
    screenshot(page, "06-compare-side-by-side")
    check_a11y(page)
    page.get_by_role("link", name="Inline").click()
    expect(page.locator("#diff-problem ins").first).to_contain_text("ten days")
    screenshot(page, "07-compare-inline")
    check_a11y(page)

    # The read-only iteration, set as a memo.
    page.goto(page.url.split("/compare/")[0] + "/iterations/2/")
    expect(page.locator(".memo-section--headline")).to_contain_text("Returns in one tap")
    screenshot(page, "08-iteration")
    check_a11y(page)

    new_context.assert_clean()
    document = Document.objects.get(initiative=Initiative.objects.get())
    assert list(document.revisions.values_list("number", flat=True)) == [1, 2]


def test_a_failed_autosave_says_so_and_saves_on_retry(cast, new_context, live_server, check_a11y):
    from documents.services.initiatives import document_create, initiative_create

    initiative = initiative_create(user=cast.editor, team=cast.team, title="Self-serve returns")
    document = document_create(user=cast.editor, initiative=initiative, kind="prfaq")
    context = new_context()
    sign_in(context, cast.editor, live_server)
    page = context.new_page()
    page.goto(f"/i/{initiative.pk}/d/{document.pk}/draft/")
    page.get_by_role("link", name="Edit Headline", exact=True).click()
    editor = page.locator(".draft-section--editing")

    context.set_offline(True)
    editor.locator("textarea[data-body]").fill("Returns in one tap")
    expect(editor.locator("[data-save-state]")).to_contain_text("Not saved — retry")
    expect(editor.get_by_role("button", name="Retry saving")).to_be_visible()
    assert document.sections.get(key="headline").body == ""

    context.set_offline(False)
    # The failed request was logged by the browser; that was the point of this test.
    new_context.problems[:] = [p for p in new_context.problems if "ERR_INTERNET" not in p]
    editor.get_by_role("button", name="Retry saving").click()
    expect(editor.locator("[data-save-state]")).to_have_text("Saved")
    expect(editor.get_by_role("button", name="Retry saving")).to_be_hidden()
    assert document.sections.get(key="headline").body == "Returns in one tap"
    check_a11y(page)


def test_a_second_person_editing_the_same_section_gets_the_conflict_view(
    cast, new_context, live_server, check_a11y, screenshot
):
    from documents.services.initiatives import document_create, initiative_create

    initiative = initiative_create(user=cast.editor, team=cast.team, title="Self-serve returns")
    document = document_create(user=cast.editor, initiative=initiative, kind="prfaq")
    draft = f"/i/{initiative.pk}/d/{document.pk}/draft/"

    maya_context, sam_context = new_context(), new_context()
    sign_in(maya_context, cast.editor, live_server)
    sign_in(sam_context, cast.owner, live_server)
    maya, sam = maya_context.new_page(), sam_context.new_page()

    # Both open the same section's editor at the same version.
    for page in (maya, sam):
        page.goto(draft)
        page.get_by_role("link", name="Edit Solution", exact=True).click()
        expect(page.locator(".draft-section--editing")).to_have_count(1)

    maya_editor = maya.locator(".draft-section--editing")
    maya_editor.locator("textarea[data-body]").fill("A Return button on every order.")
    expect(maya_editor.locator("[data-save-state]")).to_have_text("Saved")

    # Sam's autosave is refused: his words stay, beside Maya's.
    sam.locator(".draft-section--editing textarea[data-body]").press_sequentially(
        "Returns at any post office.", delay=5
    )
    conflict = sam.locator(".draft-section--conflict")
    expect(conflict).to_be_visible()
    expect(conflict.get_by_label("Your text")).to_have_value("Returns at any post office.")
    expect(conflict.get_by_label(re.compile(r"^Current text"))).to_have_value(
        "A Return button on every order."
    )
    screenshot(sam, "conflict")
    # The refused autosave is a 409 that Chromium logs as a failed load: expected here.
    new_context.problems[:] = [p for p in new_context.problems if "status of 409" not in p]
    check_a11y(sam)

    # He merges and saves against the current version.
    conflict.get_by_label("Your text").fill(
        "A Return button on every order; returns at any post office."
    )
    conflict.get_by_role("button", name="Save my merged text").click()
    expect(sam.locator(".draft-section--editing [data-save-state]")).to_have_text("Saved")
    solution = document.sections.get(key="solution")
    assert solution.body == "A Return button on every order; returns at any post office."
    assert solution.version == 3


def test_an_unchanged_draft_is_refused_on_the_form_and_a_double_click_saves_once(
    cast, new_context, live_server, check_a11y, screenshot
):
    from documents.services.initiatives import document_create, initiative_create

    initiative = initiative_create(user=cast.editor, team=cast.team, title="Self-serve returns")
    document = document_create(user=cast.editor, initiative=initiative, kind="prfaq")
    context = new_context()
    sign_in(context, cast.editor, live_server)
    page = context.new_page()
    page.goto(f"/i/{initiative.pk}/d/{document.pk}/draft/")
    write_section(page, "Headline", "Returns in one tap")
    save_iteration(page, "First full draft", 1)

    # Nothing changed since: refused next to the button, the note kept, nothing saved.
    page.get_by_label("What changed in this iteration?").fill("Again")
    page.get_by_role("button", name="Save iteration").click()
    error = page.locator("#iteration-error")
    expect(error).to_have_text(
        "Nothing has changed since iteration 1: edit the draft, then save an iteration."
    )
    expect(error).to_have_attribute("role", "alert")
    expect(page.get_by_label("What changed in this iteration?")).to_have_value("Again")
    expect(page.get_by_label("What changed in this iteration?")).to_be_focused()
    screenshot(page, "01-unchanged-refused")
    # The refused save's 409 is the one response Chromium reports; nothing else may be.
    new_context.problems[:] = [p for p in new_context.problems if "409 (Conflict)" not in p]
    check_a11y(page)
    assert list(document.revisions.values_list("number", flat=True)) == [1]

    # A change, then a double click: one iteration.
    write_section(page, "Headline", "Returns in one tap, refunded at once")
    page.get_by_label("What changed in this iteration?").fill("Sharper headline")
    page.get_by_role("button", name="Save iteration").dblclick()
    expect(page.locator("#messages")).to_contain_text("Iteration 2 saved.")
    expect(page.locator("#iteration-error")).to_have_count(0)
    assert list(document.revisions.values_list("number", flat=True)) == [1, 2]

    # A question added and left blank leaves nothing behind.
    page.get_by_role("button", name="+ Add a question to the External FAQ").click()
    editor = page.locator(".faq-entry--editing")
    expect(editor.get_by_label("Question")).to_be_focused()
    editor.get_by_role("link", name="Done").click()
    expect(page.locator(".faq-entry--editing")).to_have_count(0)
    page.reload()
    expect(page.locator("#faq-list-external .faq-entry")).to_have_count(0)
    assert not document.faq_entries.exists()
    new_context.assert_clean()
