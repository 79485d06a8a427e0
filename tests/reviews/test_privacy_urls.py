"""Private until the reveal: during the reading no URL shows another reader's comment.

Not its text, not its existence, not a count. Each member's view of every URL that
can show comments is taken before and after a reader comments; apart from what
changes on every request (CSRF tokens, the server's clock), it must be identical.
After the reveal the same comment shows up, which proves the check can see it.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from reviews.models import ParticipantRole
from reviews.services.phases import session_start_discussion
from tests.reviews.factories import reading_session, team_reviewer

pytestmark = pytest.mark.django_db

MARKER = "Zebra-quokka refund objection"

# What legitimately differs between two requests for the same state.
VOLATILE = [
    (re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"'), 'name="csrfmiddlewaretoken"'),
    (re.compile(r'"X-CSRFToken": "[^"]+"'), '"X-CSRFToken"'),
    (re.compile(r'data-etag="[^"]*"'), "data-etag"),
    (re.compile(r'data-server-now="[^"]*"'), "data-server-now"),
    (re.compile(r"data-countdown-value>[0-9:]+<"), "data-countdown-value><"),
    (re.compile(r"DTSTAMP:\w+"), "DTSTAMP"),
]


def normalised(text: str) -> str:
    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return text


def urls_showing_comments(session) -> dict[str, tuple[str, dict]]:
    document = session.document
    iteration = (document.initiative_id, document.pk, session.revision.number)
    htmx = {"HTTP_HX_REQUEST": "true"}
    detail = reverse("session_detail", args=[session.pk])
    return {
        "session page": (detail, {}),
        "live status": (reverse("session_live", args=[session.pk]) + "?phase=reading", htmx),
        "margins fragment": (detail + "?fragment=margins", htmx),
        "session export": (reverse("session_export", args=[session.pk]), {}),
        "calendar file": (reverse("session_calendar", args=[session.pk]), {}),
        "iteration page": (reverse("iteration_detail", args=iteration), {}),
        "iteration export": (reverse("iteration_export", args=iteration), {}),
        "iteration list": (reverse("iteration_list", args=iteration[:2]), {}),
        "draft page": (reverse("draft", args=iteration[:2]), {}),
        "initiative page": (reverse("initiative_detail", args=[document.initiative_id]), {}),
        "team board and activity feed": (
            reverse("team_board", args=[session.initiative.team.slug]),
            {},
        ),
        "my reviews": (reverse("home"), {}),
        "notifications": (reverse("notifications"), {}),
        "notification count": (reverse("notifications_count"), htmx),
        "initiative notifications": (
            reverse("initiative_notifications", args=[document.initiative_id]),
            {},
        ),
    }


def snapshot(client: Client, urls) -> dict[str, str]:
    pages = {}
    for name, (url, headers) in urls.items():
        response = client.get(url, **headers)
        assert response.status_code in (200, 204), f"{name}: {response.status_code}"
        pages[name] = normalised(response.content.decode())
    return pages


@pytest.fixture
def reading(cast):
    """A reading with two readers: the cast's reviewer (who comments) and another reviewer."""
    other = team_reviewer(cast, user__display_name="Other reader")
    session = reading_session(
        cast,
        participants=[(cast.reviewer, ParticipantRole.REVIEWER), (other, ParticipantRole.REVIEWER)],
    )
    return session, other


def test_no_url_shows_another_readers_comment_during_the_reading(
    cast, reading, django_capture_on_commit_callbacks
):
    session, other = reading
    urls = urls_showing_comments(session)
    author = Client()
    author.force_login(cast.reviewer)
    watchers = {
        "the other reader": other,
        "the facilitator": cast.editor,
        "an owner who is not invited": cast.owner,
        "a viewer": cast.viewer,
    }
    clients = {}
    for name, user in watchers.items():
        clients[name] = Client()
        clients[name].force_login(user)
    # Everyone opens everything once: joining the session is visible, and must
    # happen before the comparison starts.
    for client in [author, *clients.values()]:
        snapshot(client, urls)
    before = {name: snapshot(client, urls) for name, client in clients.items()}

    # A blocker that @mentions the other reader: neither the mention nor the comment may
    # reach anyone before the reveal.
    body = f"{MARKER} @[{other.name}](user:{other.pk})"
    # After the commit: live versions, notifications and e-mails happen there.
    with django_capture_on_commit_callbacks(execute=True):
        response = author.post(
            reverse("session_comment_create", args=[session.pk]),
            {
                "kind": "blocker",
                "body": body,
                "section_key": "summary",
                "quote": "Returns are free",
            },
        )
    assert response.status_code == 302
    # The author sees it.
    assert MARKER in author.get(reverse("session_detail", args=[session.pk])).content.decode()

    for name, client in clients.items():
        after = snapshot(client, urls)
        for url_name, page in after.items():
            assert MARKER not in page, f"{name} sees the comment on the {url_name}"
            assert page == before[name][url_name], (
                f"The {url_name} changed for {name} when another reader commented"
            )


def test_after_the_reveal_the_comment_is_there_for_everyone(
    cast, reading, django_capture_on_commit_callbacks, mailoutbox
):
    session, other = reading
    author = Client()
    author.force_login(cast.reviewer)
    body = f"{MARKER} @[{other.name}](user:{other.pk})"
    with django_capture_on_commit_callbacks(execute=True):
        author.post(
            reverse("session_comment_create", args=[session.pk]),
            {
                "kind": "blocker",
                "body": body,
                "section_key": "summary",
                "quote": "Returns are free",
            },
        )
    assert not any(MARKER in message.body for message in mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        session_start_discussion(user=cast.editor, session=session)
    for user in (other, cast.editor, cast.owner, cast.viewer):
        client = Client()
        client.force_login(user)
        page = client.get(reverse("session_detail", args=[session.pk])).content.decode()
        assert MARKER in page
        export = client.get(reverse("session_export", args=[session.pk])).content.decode()
        assert MARKER in export
    # The mention reaches the person it names now, and only now.
    client = Client()
    client.force_login(other)
    assert MARKER in client.get(reverse("notifications")).content.decode()
