"""The foundation's main journey, in a real browser: sign up, create a team, invite, accept."""

import re

import pytest
from playwright.sync_api import Page, expect

from wbapp.accounts.models import Membership, Role

pytestmark = pytest.mark.e2e

PASSWORD = "silent-read-before-discussion"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def links_to_live_server(settings, live_server):
    """E-mailed links point at the live server, over plain HTTP as it serves."""
    settings.SITE_URL = live_server.url
    settings.ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http"


def link_in_mail(outbox, *, to: str, path: str) -> str:
    """The one link to ``path…`` in the e-mails sent to ``to``."""
    bodies = [message.body for message in outbox if to in message.to]
    links = re.findall(rf"https?://\S+{re.escape(path)}\S+", "\n".join(bodies))
    assert len(links) == 1, f"Expected one {path} link in the mail to {to}, found {links}"
    return links[0]


def sign_up(page: Page, email: str) -> None:
    """Fill in and send the sign-up form on the page; allauth then asks to verify."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    page.get_by_label("Email").fill(email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    page.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    page.get_by_role("button", name="Sign Up").click()
    expect(page).to_have_url(re.compile(r"/accounts/confirm-email/$"))


def open_confirmation(page: Page, link: str) -> None:
    """Open an e-mailed verification link: allauth asks to confirm with a button."""
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm Email Address")


def test_visitor_sees_an_accessible_sign_up_page(page, check_a11y, screenshot):
    page.goto("/accounts/signup/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    expect(page.get_by_label("Email")).to_be_visible()
    screenshot(page, "signup")
    check_a11y(page)


def test_owner_invites_a_reviewer_who_signs_up_and_joins_the_team(
    new_context, check_a11y, screenshot, mailoutbox, links_to_live_server
):
    owner_email, reviewer_email = "maya@example.com", "rahul@example.com"

    # Maya signs up, verifies her address and is signed in.
    maya = new_context().new_page()
    maya.goto("/accounts/signup/")
    sign_up(maya, owner_email)
    screenshot(maya, "01-verification-sent")
    check_a11y(maya)
    open_confirmation(
        maya, link_in_mail(mailoutbox, to=owner_email, path="/accounts/confirm-email/")
    )
    screenshot(maya, "02-confirm-email")
    check_a11y(maya)
    maya.get_by_role("button", name="Confirm").click()
    expect(maya.get_by_role("heading", level=1)).to_have_text("My reviews")
    screenshot(maya, "03-owner-home")
    check_a11y(maya)

    # She creates a team.
    maya.get_by_role("link", name="Create a team").click()
    expect(maya).to_have_url(re.compile(r"/teams/new/$"))
    check_a11y(maya)
    maya.get_by_label("Name").fill("Returns & Refunds")
    maya.get_by_role("button", name="Create team").click()
    expect(maya).to_have_url(re.compile(r"/t/returns-refunds/$"))
    expect(maya.get_by_role("heading", level=1)).to_have_text("Returns & Refunds")
    screenshot(maya, "04-team-board")
    check_a11y(maya)

    # On the members page she invites Rahul as a reviewer.
    maya.get_by_role("link", name="Members", exact=True).click()
    expect(maya).to_have_url(re.compile(r"/t/returns-refunds/members/$"))
    check_a11y(maya)
    maya.get_by_label("E-mail address").fill(reviewer_email)
    maya.get_by_label(re.compile(r"^Role:?$")).select_option(label="Reviewer")
    maya.get_by_role("button", name="Send invitation").click()
    pending = maya.locator("#invitations").get_by_role("row", name=reviewer_email)
    expect(pending).to_contain_text("Reviewer")
    expect(maya.locator("#messages")).to_contain_text(f"Invitation sent to {reviewer_email}")
    screenshot(maya, "05-invitation-sent")
    check_a11y(maya)

    # Rahul, on his phone, opens the invitation before he has an account.
    rahul = new_context(viewport=PHONE).new_page()
    rahul.goto(link_in_mail(mailoutbox, to=reviewer_email, path="/invitations/"))
    expect(rahul).to_have_url(re.compile(r"/accounts/login/\?next=/invitations/"))
    screenshot(rahul, "06-invitee-sign-in")
    check_a11y(rahul)
    rahul.get_by_role("main").get_by_role("link", name="sign up").click()
    screenshot(rahul, "07-invitee-sign-up")
    check_a11y(rahul)
    sign_up(rahul, reviewer_email)
    open_confirmation(
        rahul, link_in_mail(mailoutbox, to=reviewer_email, path="/accounts/confirm-email/")
    )
    rahul.get_by_role("button", name="Confirm").click()

    # Verifying his address brings him back to the invitation, which he accepts.
    expect(rahul).to_have_url(re.compile(r"/invitations/[^/]+/$"))
    expect(rahul.get_by_role("heading", level=1)).to_have_text("Join Returns & Refunds")
    screenshot(rahul, "08-invitation")
    check_a11y(rahul)
    rahul.get_by_role("button", name="Accept and join Returns & Refunds").click()

    # He sees the team, in the navigation and on its board, as a reviewer.
    expect(rahul).to_have_url(re.compile(r"/t/returns-refunds/$"))
    expect(rahul.get_by_role("heading", level=1)).to_have_text("Returns & Refunds")
    expect(rahul.locator(".page-header .lede")).to_contain_text("you are reviewer")
    nav = rahul.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link", name="Returns & Refunds")).to_be_visible()
    screenshot(rahul, "09-invitee-team-board")
    check_a11y(rahul)
    assert Membership.objects.get(user__email=reviewer_email).role == Role.REVIEWER

    # Maya's members page now lists Rahul as a reviewer, and nothing is pending.
    maya.reload()
    member = maya.get_by_role("row", name=re.compile(r"^rahul"))
    expect(member).to_contain_text(reviewer_email)
    expect(member.get_by_role("combobox", name="Role of rahul")).to_have_value(Role.REVIEWER)
    expect(maya.locator("#invitations")).to_contain_text("No pending invitations.")
    screenshot(maya, "10-owner-members")
    check_a11y(maya)
