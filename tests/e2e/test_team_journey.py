"""The foundation's main journey, in a real browser: sign up, create a team, invite, join.

The invitee opens the e-mailed link signed out: the page names the team and who
invited them, the sign-up form asks for a name and keeps the invited address,
and creating the account lands them in the team.
"""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.helpers import link_in_mail
from tests.factories import PASSWORD as FACTORY_PASSWORD
from tests.factories import InvitationFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Membership, Role
from wbapp.accounts.services import invitation_token

pytestmark = pytest.mark.e2e

PASSWORD = "silent-read-before-discussion"
PHONE = {"width": 390, "height": 844}


def sign_up(page: Page, name: str, email: str) -> None:
    """Fill in and send the sign-up form on the page; allauth then asks to verify."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign Up")
    page.get_by_label("Full name").fill(name)
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
    expect(page.get_by_label("Full name")).to_be_visible()
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
    sign_up(maya, "Maya Chen", owner_email)
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

    # Rahul, on his phone, opens the invitation before he has an account: the page
    # says which team and who invited him.
    rahul = new_context(viewport=PHONE).new_page()
    rahul.goto(link_in_mail(mailoutbox, to=reviewer_email, path="/invitations/"))
    expect(rahul.get_by_role("heading", level=1)).to_have_text("Join Returns & Refunds")
    expect(rahul.get_by_role("main")).to_contain_text("Maya Chen invited you")
    screenshot(rahul, "06-invitation-signed-out")
    check_a11y(rahul)
    rahul.get_by_role("link", name="Create your account").click()

    # The sign-up form names the team, asks for his name and keeps the invited address.
    expect(rahul.get_by_role("heading", level=1)).to_have_text(
        "Create your account to join Returns & Refunds"
    )
    email = rahul.get_by_label("Email")
    expect(email).to_have_value(reviewer_email)
    expect(email).to_have_attribute("readonly", "")
    screenshot(rahul, "07-invitee-sign-up")
    check_a11y(rahul)
    rahul.get_by_label("Full name").fill("Rahul Mehta")
    rahul.get_by_label(re.compile(r"^Password:?$")).fill(PASSWORD)
    rahul.get_by_label(re.compile(r"^Password \(again\)")).fill(PASSWORD)
    rahul.get_by_role("button", name="Create account and join Returns & Refunds").click()

    # No confirmation e-mail to wait for: the invitation link proved his address.
    expect(rahul.locator("#messages")).to_contain_text("Welcome to Returns & Refunds!")
    assert not [
        m for m in mailoutbox if "/accounts/confirm-email/" in m.body and reviewer_email in m.to
    ]

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
    member = maya.get_by_role("row", name=re.compile(r"^Rahul Mehta"))
    expect(member).to_contain_text(reviewer_email)
    expect(member.get_by_role("combobox", name="Role of Rahul Mehta")).to_have_value(Role.REVIEWER)
    expect(maya.locator("#invitations")).to_contain_text("No pending invitations.")
    screenshot(maya, "10-owner-members")
    check_a11y(maya)


def test_a_member_accepts_and_declines_invitations_on_the_home_page(
    new_context, check_a11y, screenshot
):
    sam = UserFactory(email="sam@example.com", display_name="Sam Rivera")
    owner = UserFactory(display_name="Maya Chen")
    InvitationFactory(team=TeamFactory(name="Returns & Refunds"), email=sam.email, invited_by=owner)
    InvitationFactory(team=TeamFactory(name="Payments"), email=sam.email, invited_by=owner)
    context = new_context()
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(sam.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign In").click()

    invitations = page.locator(
        "section", has=page.get_by_role("heading", name="Invitations for you")
    )
    expect(invitations).to_contain_text("Returns & Refunds")
    screenshot(page, "01-home-invitations")
    check_a11y(page)
    invitations.get_by_role("button", name="Decline the invitation to Payments").click()
    expect(page.locator("#messages")).to_contain_text("You declined the invitation to Payments.")
    expect(invitations).not_to_contain_text("Payments")
    invitations.get_by_role("button", name="Accept the invitation to Returns & Refunds").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Returns & Refunds")
    expect(page.locator("#messages")).to_contain_text("You joined as reviewer.")
    screenshot(page, "02-joined")
    check_a11y(page)


def test_someone_with_an_account_signs_in_through_the_invitation_and_joins(
    new_context, check_a11y, screenshot, mailoutbox, links_to_live_server
):
    owner = UserFactory(display_name="Maya Chen")
    UserFactory(email="lee@example.com", display_name="Lee Okafor")
    team = TeamFactory(name="Returns & Refunds", slug="returns-refunds")
    invitation = InvitationFactory(team=team, email="lee@example.com", invited_by=owner)
    link = f"/invitations/{invitation_token(invitation)}/"

    # Someone else is signed in on this browser: the page says which address was invited.
    page = new_context().new_page()
    other = UserFactory(email="other@example.com")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(other.email)
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.goto(link)
    expect(page.get_by_role("alert")).to_contain_text("This invitation was sent to lee@example.com")
    screenshot(page, "01-signed-in-as-someone-else")
    check_a11y(page)
    page.get_by_role("button", name="Sign out, then use lee@example.com").click()

    # Signed out, back on the invitation, Lee takes the sign-in way: his address is filled in.
    expect(page.get_by_role("heading", level=1)).to_have_text("Join Returns & Refunds")
    page.get_by_role("link", name="Sign in and join Returns & Refunds").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to join Returns & Refunds")
    expect(page.get_by_label("Email")).to_have_value("lee@example.com")
    screenshot(page, "02-sign-in")
    check_a11y(page)
    page.get_by_label(re.compile(r"^Password:?$")).fill(FACTORY_PASSWORD)
    page.get_by_role("button", name="Sign in and join Returns & Refunds").click()

    expect(page).to_have_url(re.compile(r"/t/returns-refunds/$"))
    expect(page.locator("#messages")).to_contain_text("You joined as reviewer.")
    check_a11y(page)
    assert Membership.objects.get(team=team, user__email="lee@example.com").role == Role.REVIEWER
