"""The first afternoon of a new team, replayed in five browsers (issue 24).

Sam is invited as a viewer and joins through the e-mailed link: he creates his
account with his name, the invited address locked, and lands in the team. Maya
starts the silent read of her PR/FAQ; Raj chooses a sentence from the list (no
mouse) and raises a blocker, Ana picks "@Sam Patel" from the picker in her
question. Neither reviewer sees the other's comment until the discussion starts;
then both see both, the name linked. Raj replies and the focus lands on his reply.
Maya chooses "Approved" with the blocker open: refused, the page stays the
discussion with the reason at the top and beside the control. Sam's inbox reads
"@Sam Patel" and is short. axe-core checks every page on the way.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from documents.models import InitiativeStatus
from reviews.models import Comment, CommentKind, Mention, ReviewSession, SessionPhase
from tests.e2e.helpers import link_in_mail, sign_in
from tests.e2e.test_session_journey import review_of_a_prfaq, wait_for_switch
from wbapp.accounts.models import Membership, Role, User
from wbapp.accounts.services import invitation_create
from wbapp.activity.models import Notification
from wbapp.notifications.fanout import fan_out_pending

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SAM = "sam@example.com"
PASSWORD = "silent-read-before-discussion"
SENTENCE = "One customer in five calls support to ask where it is."
BLOCKER = "Support calls are the real cost: size them before launch."
QUESTION = "Is the pickup slot free? @Sam Patel knows the courier contract."
REASON = "1 blocker is not resolved yet"


def sam_joins_by_invitation(page: Page, mailoutbox, team_name: str) -> None:
    """Sam opens the e-mailed link signed out, signs up with his name and lands in the team."""
    page.goto(link_in_mail(mailoutbox, to=SAM, path="/invitations/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Join {team_name}")
    page.get_by_role("link", name="Create your account").click()
    email = page.get_by_label("Email")
    expect(email).to_have_value(SAM)
    expect(email).to_have_attribute("readonly", "")
    page.get_by_label("Full name").fill("Sam Patel")
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name=f"Create account and join {team_name}").click()
    expect(page.locator("#messages")).to_contain_text(f"Welcome to {team_name}!")
    expect(page.get_by_role("heading", level=1)).to_have_text(team_name)


def raise_a_blocker_from_the_keyboard(page: Page) -> None:
    """Nothing selected: "c", the problem section, its second sentence, Blocker, the text."""
    page.keyboard.press("c")
    section = page.get_by_label("Section:")
    expect(section).to_be_focused()
    section.select_option("problem")
    page.get_by_label("Sentence:").select_option(SENTENCE)
    expect(page.get_by_label("Passage:")).to_have_value(SENTENCE)
    box = page.locator("#comment-box")
    box.get_by_label("Blocker").check()
    box.get_by_label(re.compile(r"^Comment:?$")).fill(BLOCKER)
    box.get_by_role("button", name="Save comment").click()
    expect(box).to_be_hidden()


def ask_naming_sam(page: Page) -> None:
    """Select a passage, type the question and pick "Sam Patel" from the @ picker."""
    page.evaluate(
        """() => {
            const root = document.querySelector('[data-anchor-root][data-section-key="solution"]');
            const node = document.createTreeWalker(root, NodeFilter.SHOW_TEXT).nextNode();
            const at = node.data.indexOf("Return button");
            const range = document.createRange();
            range.setStart(node, at);
            range.setEnd(node, at + "Return button".length);
            window.getSelection().removeAllRanges();
            window.getSelection().addRange(range);
        }"""
    )
    page.get_by_role("button", name="Comment on selection").click()
    box = page.locator("#comment-box")
    body = box.get_by_label(re.compile(r"^Comment:?$"))
    body.press_sequentially("Is the pickup slot free? @Sam", delay=20)
    expect(page.get_by_role("option", name=re.compile("Sam Patel"))).to_have_attribute(
        "aria-selected", "true"
    )
    body.press("Enter")
    expect(body).to_have_value("Is the pickup slot free? @Sam Patel ")
    body.press_sequentially("knows the courier contract.")
    box.get_by_role("button", name="Save comment").click()
    expect(box).to_be_hidden()


def test_a_review_afternoon_of_a_new_team(
    new_context, live_server, check_a11y, screenshot, mailoutbox, fast_hashing,
    links_to_live_server,
):  # fmt: skip
    session, maya, reviewers = review_of_a_prfaq()
    raj, ana = reviewers[:2]
    session.participants.filter(user=reviewers[2]).delete()
    team = session.initiative.team
    # Maya owns the team as well as facilitating: she invites.
    Membership.objects.filter(team=team, user=maya).update(role=Role.OWNER)
    invitation_create(team=team, by=User.objects.get(pk=maya.pk), email=SAM, role=Role.VIEWER)
    url = reverse("session_detail", args=[session.pk])

    # Sam joins by invitation, on his own.
    sam_page = new_context().new_page()
    sam_joins_by_invitation(sam_page, mailoutbox, team.name)
    screenshot(sam_page, "01-sam-joined-the-team")
    check_a11y(sam_page)
    sam = Membership.objects.get(team=team, user__email=SAM)
    assert sam.role == Role.VIEWER and sam.user.display_name == "Sam Patel"

    # Maya starts the silent read; Raj's and Ana's pages switch by themselves.
    pages = {}
    for name, user in (("maya", maya), ("raj", raj), ("ana", ana)):
        context = new_context()
        sign_in(context, user, live_server)
        pages[name] = context.new_page()
        pages[name].goto(url)
    host = pages["maya"]
    host.on("dialog", lambda dialog: dialog.accept())  # "start the discussion before time?"
    host.get_by_role("button", name="Start the reading (15 min)").click()
    wait_for_switch([pages["raj"], pages["ana"]], "Silent reading")

    raise_a_blocker_from_the_keyboard(pages["raj"])
    ask_naming_sam(pages["ana"])

    # Each reviewer sees only their own comment; the facilitator sees none yet.
    for name, own, other in (("raj", BLOCKER, QUESTION), ("ana", QUESTION, BLOCKER)):
        pages[name].reload()
        expect(pages[name].locator("[data-comment] .comment-body")).to_have_text([own])
        expect(pages[name].locator("body")).not_to_contain_text(other)
    expect(host.locator("[data-comment]")).to_have_count(0)
    screenshot(pages["ana"], "02-ana-reading-her-own-comment")
    check_a11y(pages["ana"])
    blocker = Comment.objects.get(kind=CommentKind.BLOCKER)
    assert blocker.quote == SENTENCE
    assert list(Mention.objects.values_list("user__email", flat=True)) == [SAM]

    # The discussion: both comments on every page, the name linked.
    host.get_by_role("button", name="Start the discussion now").click()
    wait_for_switch([pages["raj"], pages["ana"]], "Discussion")
    for page in pages.values():
        expect(page.locator("[data-comment] .comment-body")).to_have_text([BLOCKER, QUESTION])
    mention = pages["raj"].locator("[data-comment]", has_text="pickup slot").locator("a.mention")
    expect(mention).to_have_text("@Sam Patel")

    # Raj answers Ana; the focus lands on his reply.
    thread = pages["raj"].locator("[data-comment]", has_text="pickup slot")
    thread.locator("summary", has_text="Reply").click()
    thread.get_by_label("Your reply").fill("Yes, Tuesdays and Thursdays.")
    thread.get_by_role("button", name="Send reply").click()
    expect(thread.locator(".replies")).to_contain_text("Tuesdays and Thursdays")
    expect(thread.locator(".replies [id^='thread-reply-']").last).to_be_focused()
    screenshot(pages["raj"], "03-raj-replied-in-the-discussion")
    check_a11y(pages["raj"])

    # Maya chooses "Approved" with the blocker open: refused, nothing changes.
    host.get_by_role("link", name="Record the decision").click()
    form = host.locator("#close-session")
    form.get_by_label("Approved").check()
    form.get_by_role("button", name="Close the session").click()
    expect(host.locator("#close-refusal")).to_be_visible()
    new_context.problems[:] = [p for p in new_context.problems if "status of 400" not in p]
    expect(host.locator(".phase-label")).to_have_text("Discussion")
    expect(host.locator("#messages")).to_contain_text(REASON)
    expect(host.get_by_role("alert")).to_contain_text(REASON)
    screenshot(host, "04-approval-refused")
    check_a11y(host)
    fresh = ReviewSession.objects.select_related("initiative").get(pk=session.pk)
    assert fresh.phase == SessionPhase.DISCUSSION
    assert fresh.initiative.status != InitiativeStatus.APPROVED

    # Sam's inbox: the mention reads as his name, and the afternoon is a short list.
    fan_out_pending()
    sam_page.goto(reverse("notifications"))
    mentioned = sam_page.locator(".inbox-item", has_text="mentioned you")
    expect(mentioned.locator(".inbox-excerpt")).to_have_text(QUESTION)
    expect(sam_page.locator("body")).not_to_contain_text("(user:")
    screenshot(sam_page, "05-sam-inbox")
    check_a11y(sam_page)
    assert Notification.objects.filter(user=sam.user).count() <= 10
