"""Notifications in two browsers: a reviewer comments, the author hears about it.

The author keeps a page open; in the discussion of a review session the reviewer
comments on a passage of the author's iteration; the author's unread count goes up
by itself. The author reads the inbox, switches the e-mail to a daily digest, the
digest of the next morning goes out, and its link opens the very comment.
"""

import re
import zoneinfo
from datetime import datetime, time, timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from documents.models import DocumentKind
from documents.services import drafting, initiatives, iterations
from reviews.models import Comment, ParticipantRole
from reviews.services.phases import session_start_discussion, session_start_reading
from reviews.services.scheduling import session_schedule
from tests.e2e.helpers import select_passage, sign_in
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Role
from wbapp.activity.models import NotificationPreference
from wbapp.notifications import digests, preferences

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# The header polls every 10 s; a little more covers a poll in flight.
POLL_WAIT_MS = 15_000
AUTHOR_ZONE = "Europe/Berlin"
PASSAGE = "without a label"
COMMENT = "Who pays the courier when the parcel is lost?"


def a_review_in_discussion():
    """Maya's PR/FAQ under review: Raj reviews, the session is in its discussion.

    Maya facilitates (so nothing so far notifies her: she did it all) and is on a
    weekly digest, to switch to daily later.
    """
    team = TeamFactory(name="Returns", slug="returns")
    maya = UserFactory(display_name="Maya", time_zone=AUTHOR_ZONE)
    raj = UserFactory(display_name="Raj")
    MembershipFactory(team=team, user=maya, role=Role.EDITOR)
    MembershipFactory(team=team, user=raj, role=Role.REVIEWER)
    initiative = initiatives.initiative_create(user=maya, team=team, title="Self-serve returns")
    document = initiatives.document_create(
        user=maya, initiative=initiative, kind=DocumentKind.PRFAQ
    )
    summary = document.sections.get(key="summary")
    drafting.section_save(
        user=maya,
        section=summary,
        body="A customer picks the items and hands the parcel over without a label.",
        base_version=summary.version,
    )
    revision = iterations.iteration_save(user=maya, document=document, note="First full draft")
    session = session_schedule(
        user=maya,
        revision=revision,
        title="PR/FAQ review",
        starts_at=revision.created_at,
        reading_minutes=10,
        facilitator=maya,
        participants=[(raj, ParticipantRole.REVIEWER)],
    )
    session_start_reading(user=maya, session=session)
    session = session_start_discussion(user=maya, session=session)
    preferences.preferences_update(user=maya, frequency="weekly", hour=8, weekday=0)
    return maya, raj, session


def next_local_morning(hour: int, zone: str) -> datetime:
    """Tomorrow at ``hour``:05 in ``zone``, as an aware datetime: the digest is due then."""
    tz = zoneinfo.ZoneInfo(zone)
    tomorrow = timezone.localtime(timezone.now(), tz).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(hour, 5), tzinfo=tz)


def test_a_reviewers_comment_reaches_the_authors_inbox_and_digest(
    new_context, live_server, check_a11y, screenshot, fast_hashing
):
    maya, raj, session = a_review_in_discussion()
    initiative_id = session.initiative_id
    session_url = reverse("session_detail", args=[session.pk])

    author_context = new_context()
    sign_in(author_context, maya, live_server)
    author = author_context.new_page()
    reviewer_context = new_context()
    sign_in(reviewer_context, raj, live_server)
    reviewer = reviewer_context.new_page()

    # Maya has her initiative open; nothing unread yet.
    author.goto(reverse("initiative_detail", args=[initiative_id]))
    count = author.locator("#unread-count")
    expect(count).to_have_text("")
    # The initiative's notification control arrives with htmx beside "Follow".
    expect(author.get_by_role("button", name="Mute", exact=True)).to_be_visible()
    check_a11y(author)
    # A marker that a reload would wipe out.
    author.evaluate("window.__stillTheSamePage = true")

    # In the discussion, Raj selects a passage of iteration 1 and asks a question.
    reviewer.goto(session_url)
    select_passage(reviewer, "summary", PASSAGE)
    reviewer.get_by_role("button", name="Comment on selection").click()
    box = reviewer.locator("#comment-box")
    expect(box.locator("[data-quote-preview]")).to_have_text(PASSAGE)
    box.get_by_label("Question").check()
    box.get_by_label(re.compile(r"^Comment:?$")).fill(COMMENT)
    box.get_by_role("button", name="Save comment").click()
    expect(reviewer.locator("[data-comment]")).to_contain_text(COMMENT)
    check_a11y(reviewer)
    comment = Comment.objects.get(body=COMMENT)

    # Maya's count goes up by itself, announced in words, without a reload.
    expect(count).to_have_text(re.compile(r"^\s*1 unread\s*$"), timeout=POLL_WAIT_MS)
    expect(count).to_have_attribute("aria-live", "polite")
    assert author.evaluate("window.__stillTheSamePage") is True
    screenshot(author, "01-author-count-went-up")

    # The inbox says who did what, marked new in words.
    author.get_by_role("link", name=re.compile(r"^Notifications")).click()
    item = author.locator(".inbox-item").first
    expect(item).to_contain_text("Raj added a question on iteration 1 of PR/FAQ")
    expect(item).to_contain_text("New")
    expect(item).to_contain_text(COMMENT)
    expect(author.get_by_role("heading", name="Today")).to_be_visible()
    screenshot(author, "02-inbox")
    check_a11y(author)

    # Maya switches her e-mail from the weekly to a daily digest, from the user menu.
    author.locator(".user-menu summary").click()
    author.locator(".user-menu").get_by_role("link", name="Notification settings").click()
    expect(author.get_by_role("heading", name="Notification settings", level=1)).to_be_visible()
    expect(author.get_by_text(f"Times are in your time zone, {AUTHOR_ZONE}.")).to_be_visible()
    author.get_by_label("Daily digest").check()
    expect(author.get_by_label("Day of the weekly digest")).to_be_hidden()
    author.get_by_label("Digest time").select_option(label="08:00")
    author.get_by_role("button", name="Save e-mail settings").click()
    expect(author.locator("#messages")).to_contain_text(
        "Saved. Your daily digest arrives at 08:00."
    )
    preference = NotificationPreference.objects.get(user=maya)
    assert (preference.frequency, preference.hour) == ("daily", 8)
    screenshot(author, "03-settings")
    check_a11y(author)

    # The next morning at eight, Berlin time, the digest goes out, with a link to the comment.
    mail.outbox.clear()
    # (Raj's own daily digest, of the session he was invited to, goes out in the same run.)
    assert digests.send_due_digests(now=next_local_morning(8, AUTHOR_ZONE)) >= 1
    [message] = [m for m in mail.outbox if m.to == [maya.email]]
    link = f"{session_url}#comment-{comment.pk}"
    assert settings.SITE_URL.rstrip("/") + link in message.body
    html, _ = message.alternatives[0]
    assert link in html
    # Sent once: a second run the same morning sends nothing.
    assert digests.send_due_digests(now=next_local_morning(8, AUTHOR_ZONE)) == 0

    # The link opens the session at the comment.
    path = urlsplit(re.search(r"\S+#comment-\d+", message.body).group(0))
    author.goto(f"{path.path}#{path.fragment}")
    thread = author.locator(f"#comment-{comment.pk}")
    expect(thread).to_be_visible()
    expect(thread).to_contain_text(COMMENT)
    expect(thread).to_contain_text("Raj")
    shot = screenshot(author, "04-comment-from-the-digest")
    # The page's sticky bar covers the card in a full-page capture: the thread itself too.
    thread.evaluate("element => element.scrollIntoView({block: 'center'})")
    thread.screenshot(path=str(shot.with_name(shot.stem + "-thread.png")))
    check_a11y(author)

    # Opening the inbox item also leads there, and the count is back to nothing.
    author.goto(reverse("notifications"))
    author.locator(".inbox-line a").first.click()
    expect(author).to_have_url(re.compile(rf"{re.escape(session_url)}#comment-{comment.pk}$"))
    expect(author.locator("#unread-count")).to_have_text("")
    author.goto(reverse("notifications"))
    expect(author.get_by_role("heading", name="All caught up")).to_be_visible()
    check_a11y(author)
