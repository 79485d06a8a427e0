"""Reviewing an iteration from the keyboard, and the page laid out without surprises.

Raj reviews iteration 2 of a PR/FAQ whose first iteration he commented on: one of
his threads, a blocker, lost its passage when Maya rewrote the solution, so it is
listed under "Threads whose passage is gone". He comments on a sentence without a
mouse, Maya answers a thread from the keyboard and keeps her place, the comment box
never covers the gone threads, no kind's chip is cut, and axe finds nothing serious
on the outdated blocker's card.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from documents.models import DocumentKind
from documents.services import drafting, initiatives, iterations
from reviews.anchoring import index_to_utf16, section_plain_text
from reviews.models import Comment, CommentKind, CommentStatus, Reply
from reviews.services import comments
from reviews.services.phases import session_start_discussion
from tests.e2e.helpers import select_passage, sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.reviews.factories import comment, reading_session
from wbapp.accounts.models import Role

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

TEXT = {
    "headline": "Returns in two taps: send anything back without a label",
    "problem": "Returning an item means finding the box, printing a label and waiting up to "
    "nine days for the money. One customer in five calls support to ask where it is.",
    "solution": "The order page gets a Return button. No label: the courier scans a code on "
    "the phone. The refund is issued at the first scan.",
}
# Iteration 2: the sentence the blocker was about is gone.
SOLUTION_2 = "The order page gets a Return button. The refund is issued at the first scan."
SENTENCE = "One customer in five calls support to ask where it is."


@pytest.fixture
def review(fast_hashing):
    """Iteration 2, with a carried question and a blocker whose passage is gone."""
    team = TeamFactory(name="Returns", slug="returns")
    maya = UserFactory(display_name="Maya")
    raj = UserFactory(display_name="Raj")
    MembershipFactory(team=team, user=maya, role=Role.EDITOR)
    MembershipFactory(team=team, user=raj, role=Role.REVIEWER)
    initiative = initiatives.initiative_create(user=maya, team=team, title="Self-serve returns")
    document = initiatives.document_create(
        user=maya, initiative=initiative, kind=DocumentKind.PRFAQ
    )
    sections = {section.key: section for section in document.sections.all()}
    for key, body in TEXT.items():
        section = sections[key]
        drafting.section_save(user=maya, section=section, body=body, base_version=section.version)
    first = iterations.iteration_save(user=maya, document=document, note="First full draft")
    comments.comment_create(
        user=raj,
        revision=first,
        kind=CommentKind.QUESTION,
        body="Median or worst case?",
        section_key="problem",
        quote="nine days",
    )
    comments.comment_create(
        user=raj,
        revision=first,
        kind=CommentKind.BLOCKER,
        body="Is the code accessible?",
        section_key="solution",
        quote="the courier scans a code on the phone",
    )
    section = document.sections.get(key="solution")
    drafting.section_save(user=maya, section=section, body=SOLUTION_2, base_version=section.version)
    second = iterations.iteration_save(user=maya, document=document, note="Simpler flow")
    assert Comment.objects.filter(revision=second, status=CommentStatus.OUTDATED).count() == 1
    url = reverse("iteration_detail", args=[initiative.pk, document.pk, second.number])
    return {"maya": maya, "raj": raj, "revision": second, "url": url}


def open_as(new_context, live_server, user, url, **options) -> Page:
    context = new_context(**options)
    sign_in(context, user, live_server)
    page = context.new_page()
    page.goto(url)
    return page


def focused(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def box_of(page: Page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def test_after_send_reply_the_focus_is_on_the_new_reply(
    new_context, live_server, review, check_a11y, screenshot
):
    page = open_as(new_context, live_server, review["maya"], review["url"])
    thread = page.locator("[data-comment]", has_text="Median or worst case?")
    summary = thread.locator("summary", has_text="Reply")
    summary.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(thread.get_by_label("Your reply")).to_be_focused()
    page.keyboard.type("The median is six days.")
    page.keyboard.press("Tab")
    expect(thread.get_by_role("button", name="Send reply")).to_be_focused()
    page.keyboard.press("Enter")

    expect(thread.locator(".replies")).to_contain_text("The median is six days.")
    reply = Reply.objects.get()
    new = page.locator(f"#thread-reply-{reply.pk}")
    expect(new).to_be_focused()
    assert focused(page) == f"thread-reply-{reply.pk}"
    screenshot(page, "01-focus-on-the-new-reply")
    check_a11y(page)


def test_a_keyboard_user_comments_on_a_sentence_without_a_mouse(
    new_context, live_server, review, check_a11y, screenshot
):
    page = open_as(new_context, live_server, review["raj"], review["url"])
    # Nothing selected: "c" opens the box on the section's sentences.
    page.keyboard.press("c")
    expect(page.get_by_label("Section:")).to_be_focused()
    page.get_by_label("Section:").press("End")
    while page.get_by_label("Section:").input_value() != "problem":
        page.get_by_label("Section:").press("ArrowUp")
    page.keyboard.press("Tab")
    sentence = page.get_by_label("Sentence:")
    expect(sentence).to_be_focused()
    expect(sentence.locator("option")).to_have_text(
        ["The whole section", re.compile("^Returning an item"), SENTENCE]
    )
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Passage:")).to_have_value(SENTENCE)
    screenshot(page, "02-a-sentence-chosen")
    check_a11y(page)
    page.keyboard.press("Tab")  # the passage
    page.keyboard.press("Tab")  # the kind (Question)
    page.keyboard.press("ArrowDown")  # Suggestion
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile(r"^Comment:?$"))).to_be_focused()
    page.keyboard.type("Say how many calls that is a week.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    card = page.locator("[data-comment]", has_text="Say how many calls")
    expect(card).to_be_focused()
    expect(page.locator('[data-section-key="problem"] mark.comment-mark')).to_contain_text(
        [SENTENCE]
    )
    # Anchored as a mouse selection of the sentence is: its exact offsets and context.
    saved = Comment.objects.get(body="Say how many calls that is a week.")
    text = section_plain_text(
        next(s.html for s in review["revision"].sections() if s.key == "problem")
    )
    at = text.index(SENTENCE)
    assert (saved.kind, saved.section_key, saved.quote) == ("suggestion", "problem", SENTENCE)
    end = at + len(SENTENCE)
    assert (saved.start, saved.end) == (index_to_utf16(text, at), index_to_utf16(text, end))
    assert saved.prefix == text[max(0, at - 32) : at]
    screenshot(page, "03-comment-on-the-sentence")
    check_a11y(page)


@pytest.mark.parametrize("width", [1280, 1600])
def test_the_open_comment_box_never_covers_the_threads_whose_passage_is_gone(
    new_context, live_server, review, screenshot, width
):
    page = open_as(
        new_context,
        live_server,
        review["raj"],
        review["url"],
        viewport={"width": width, "height": 900},
    )
    gone = ".outdated-threads"
    expect(page.locator(gone)).to_contain_text("Is the code accessible?")
    # Opened with nothing selected, from the gone threads at the bottom of the page...
    page.locator(gone).scroll_into_view_if_needed()
    page.keyboard.press("c")
    expect(page.locator("#comment-box")).to_be_visible()
    assert not overlap(box_of(page, "#comment-box"), box_of(page, gone))
    screenshot(page, "04-box-opened-near-the-gone-threads")
    page.keyboard.press("Escape")
    # ...and beside a passage in the last section.
    select_passage(page, "solution", "The refund is issued at the first scan.")
    page.get_by_role("button", name="Comment on selection").click()
    expect(page.locator("#comment-box [data-quote-preview]")).to_have_text(
        "The refund is issued at the first scan."
    )
    assert not overlap(box_of(page, "#comment-box"), box_of(page, gone))
    screenshot(page, "05-box-beside-the-last-passage")


@pytest.mark.parametrize("width", [1024, 1280, 390])
def test_no_kind_chip_is_cut(new_context, live_server, review, width):
    page = open_as(
        new_context,
        live_server,
        review["raj"],
        review["url"],
        viewport={"width": width, "height": 900},
    )
    page.keyboard.press("c")
    expect(page.locator("#comment-box .kind-picker")).to_be_visible()
    clipped = page.evaluate(
        """() => [...document.querySelectorAll(
            '.kind-picker label, .kind-picker .kind, .comment-card .kind'
        )].filter(e => e.scrollWidth > e.clientWidth).map(e => e.textContent.trim())"""
    )
    assert clipped == []
    expect(page.locator(".kind-picker span.kind--suggestion")).to_have_text(
        re.compile("Suggestion", re.IGNORECASE)
    )


def test_an_outdated_blocker_card_passes_axe(
    new_context, live_server, review, check_a11y, screenshot
):
    page = open_as(new_context, live_server, review["raj"], review["url"])
    card = page.locator(".outdated-threads .comment-card--blocker")
    expect(card).to_contain_text("Is the code accessible?")
    expect(card.locator(".comment-status")).to_have_text("Outdated")
    card.scroll_into_view_if_needed()
    screenshot(page, "06-outdated-blocker")
    check_a11y(page)


def test_in_a_discussion_the_focus_stays_on_the_new_reply_when_the_margins_refresh(
    new_context, live_server, cast, fast_hashing
):
    session = reading_session(cast)
    comment(cast.reviewer, session, body="Why six days?")
    session_start_discussion(user=session.facilitator, session=session)
    page = open_as(
        new_context, live_server, cast.owner, reverse("session_detail", args=[session.pk])
    )
    thread = page.locator("[data-comment]", has_text="Why six days?")
    thread.locator("summary", has_text="Reply").focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.type("Because of the courier.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")

    expect(thread.locator(".replies")).to_contain_text("Because of the courier.")
    reply = page.locator(f"#thread-reply-{Reply.objects.get().pk}")
    expect(reply).to_be_focused()
    # The reply raised the session's version: every page fetches the margins again
    # (within a second or two), and the keyboard stays where it was.
    page.wait_for_timeout(2_500)
    expect(reply).to_be_focused()
