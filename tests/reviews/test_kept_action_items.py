"""The discussion's action items panel, kept in the cache: never stale, never someone else's."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ActionItem
from reviews.services.action_items import action_item_set_done
from reviews.views.session_page import ITEM_FIELDS
from tests.reviews.factories import action_item, comment, discussion_session

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    return action_item(
        cast.editor, thread, title="Ask legal about the refund window", due_on=timezone.localdate()
    )


def panel(client, item) -> str:
    page = client.get(reverse("session_detail", args=[item.session_id])).content.decode()
    start = page.index('id="action-items"')
    return page[start : page.index("</section>", start)]


def test_a_ticked_item_shows_done_on_the_next_load(cast, client_for, item):
    client = client_for(cast.reviewer)
    assert "Mark done" in panel(client, item)

    action_item_set_done(user=cast.reviewer, item=item, done=True)

    shown = panel(client, item)
    assert "Done" in shown
    assert "Reopen" in shown


def test_who_may_tick_is_the_viewers_own(cast, client_for, item):
    # The owner's panel (with its button) is kept first; a viewer who may not tick
    # the item gets a panel without the button.
    assert "Mark done" in panel(client_for(cast.reviewer), item)
    assert "Mark done" not in panel(client_for(cast.viewer), item)
    assert "Ask legal about the refund window" in panel(client_for(cast.viewer), item)


def test_an_item_turns_overdue_with_the_day(cast, client_for, item, monkeypatch):
    client = client_for(cast.reviewer)
    assert "Overdue" not in panel(client, item)

    tomorrow = timezone.localdate() + timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)

    assert "Overdue" in panel(client, item)


def test_each_page_sends_its_own_csrf_token(cast, client_for, item):
    client = client_for(cast.reviewer)
    panel(client, item)  # kept
    page = client.get(reverse("session_detail", args=[item.session_id])).content.decode()
    shown = page[page.index('id="action-items"') :]
    [token] = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', shown)[:1]
    assert token.isalnum()
    assert "csrf-slot" not in page


def test_the_panels_fields_are_the_models_in_order():
    # session_page._action_items makes each item from them positionally.
    assert tuple(field.attname for field in ActionItem._meta.concrete_fields) == ITEM_FIELDS
