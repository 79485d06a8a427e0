"""What the inbox and the e-mails say of a comment that names someone: "@Name", never its token."""

from datetime import UTC, datetime

import pytest
from django.core import mail
from django.urls import reverse

from tests.notifications.notify_helpers import async_comment, iteration, reply
from tests.reviews.factories import mention
from wbapp.activity.models import Frequency, NotificationPreference
from wbapp.notifications import digests
from wbapp.notifications.fanout import fan_out_pending

pytestmark = pytest.mark.django_db

# Monday 23 November 2026, 09:30 UTC: past the default 08:00 delivery hour in UTC.
MONDAY_MORNING = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def thread_naming_sam(cast):
    """The reviewer's comment naming the viewer (as "Sam Patel"), and the owner's reply to it.

    Followers get one notification per thread, showing its newest message, so a second
    thread opens with the same words naming Sam: its comment is the newest of its thread.
    """
    revision = iteration(cast)
    sam = mention(cast.viewer, "Sam Patel")
    thread = async_comment(cast.reviewer, revision, body=f"{sam} is this free?")
    reply(cast.owner, thread, body=f"Yes, {sam}.")
    async_comment(cast.reviewer, revision, body=f"{sam} is this free? The Thursday slot.")
    return thread


def assert_read_as_names(text: str) -> None:
    assert "@Sam Patel is this free?" in text
    assert "Yes, @Sam Patel." in text
    assert "(user:" not in text and "@[" not in text


def link_to_sam(cast, thread, site="") -> str:
    person = reverse("mention_person", args=[thread.initiative_id, cast.viewer.pk])
    return f'<a class="mention" href="{site}{person}">@Sam Patel</a>'


def test_the_inbox_shows_the_name_linked_to_the_member(cast, client_for):
    thread = thread_naming_sam(cast)
    fan_out_pending()
    html = client_for(cast.viewer).get(reverse("notifications")).content.decode()
    assert "mentioned you" in html
    assert_read_as_names(html.replace(link_to_sam(cast, thread), "@Sam Patel"))
    assert f'<blockquote class="inbox-excerpt">{link_to_sam(cast, thread)} is this free?' in html


def test_an_immediate_email_shows_the_name_in_text_and_links_it_in_html(
    cast, django_capture_on_commit_callbacks, settings
):
    NotificationPreference.objects.create(user=cast.editor, frequency=Frequency.IMMEDIATE)
    settings.SITE_URL = "https://workback.example"
    thread = thread_naming_sam(cast)
    # The fan-out sends the e-mail after its commit (eagerly here).
    with django_capture_on_commit_callbacks(execute=True):
        fan_out_pending()
    [message] = [m for m in mail.outbox if m.to == [cast.editor.email]]
    [(html, _)] = message.alternatives
    assert_read_as_names(message.body)
    link = link_to_sam(cast, thread, site="https://workback.example")
    assert link in html
    assert_read_as_names(html.replace(link, "@Sam Patel"))


def test_a_digest_shows_the_name_in_text_and_html_and_in_what_waits(cast, settings):
    settings.SITE_URL = "https://workback.example"
    thread = thread_naming_sam(cast)
    fan_out_pending()
    digests.send_due_digests(now=MONDAY_MORNING)
    # The editor follows the initiative; the reviewer waits on the owner's reply.
    [message] = [m for m in mail.outbox if m.to == [cast.editor.email]]
    [(html, _)] = message.alternatives
    assert_read_as_names(message.body)
    link = link_to_sam(cast, thread, site="https://workback.example")
    assert link in html
    assert_read_as_names(html.replace(link, "@Sam Patel"))
    [waiting] = [m for m in mail.outbox if m.to == [thread.author.email]]
    text = waiting.body[: waiting.body.index("\n== ")]
    assert "WAITING ON YOU" in text
    assert "- @Sam Patel is this free?" in text
    assert "(user:" not in waiting.alternatives[0][0]
