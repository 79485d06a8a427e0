"""What a discussion page shows alike to every member is never stale after a change.

Each test loads the page (which keeps what may be kept, reviews/rendered.py),
changes the session through a service, and expects the next load to show it.
"""

import pytest
from django.urls import reverse

from reviews.services.phases import session_focus_next
from reviews.views import common as view_common
from tests.reviews.factories import action_item, comment, discussion_session

pytestmark = pytest.mark.django_db


def page(client, session) -> str:
    return client.get(reverse("session_detail", args=[session.pk])).content.decode()


def test_a_new_thread_in_a_long_discussion_is_counted_on_the_next_load(
    cast, client_for, monkeypatch
):
    # Margins load lazily above this many comments: the page shows counts per section.
    monkeypatch.setattr(view_common, "LAZY_MARGINS_ABOVE", 2)
    session = discussion_session(cast)
    for _ in range(3):
        comment(cast.reviewer, session, section_key="summary")
    client = client_for(cast.reviewer)
    assert "3 comments on" in page(client, session)

    comment(cast.editor, session, section_key="summary")

    assert "4 comments on" in page(client, session)


def test_the_focused_thread_follows_the_facilitator(cast, client_for):
    session = discussion_session(cast)
    comment(cast.reviewer, session, section_key="summary", body="First")
    comment(cast.editor, session, section_key="summary", body="Second")
    client = client_for(cast.viewer)
    session_focus_next(user=session.facilitator, session=session)
    assert "Now discussing: question by Reviewer" in page(client, session)

    session_focus_next(user=session.facilitator, session=session)

    assert "Now discussing: question by Editor" in page(client, session)


def test_a_new_action_item_shows_on_the_next_load(cast, client_for):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    client = client_for(cast.reviewer)
    assert "Check the refund window" not in page(client, session)

    action_item(cast.editor, thread, title="Check the refund window")

    assert "Check the refund window" in page(client, session)
