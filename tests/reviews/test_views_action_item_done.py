"""POST /action-items/<id>/done/: tick an action item off, or back on."""

import pytest
from django.urls import reverse

from reviews.models import ActionItem
from tests.documents.access import request_as
from tests.reviews.factories import action_item, comment, discussion_session

pytestmark = pytest.mark.django_db


def item_for(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    return action_item(cast.editor, thread)


def url(item):
    return reverse("action_item_done", args=[item.pk])


def test_outsider_gets_404(cast):
    assert request_as(cast, "outsider", "post", url(item_for(cast))).status_code == 404


def test_a_member_who_neither_owns_nor_created_it_gets_403(cast):
    item = item_for(cast)
    assert request_as(cast, "viewer", "post", url(item)).status_code == 403
    assert ActionItem.objects.get(pk=item.pk).done_at is None


def test_the_owner_ticks_it_off_and_on_again(cast):
    item = item_for(cast)
    response = request_as(
        cast, "reviewer", "post", url(item), {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert ActionItem.objects.get(pk=item.pk).done_at is not None
    assert "Reopen" in response.content.decode()
    request_as(cast, "reviewer", "post", url(item), {"done": "0"})
    assert ActionItem.objects.get(pk=item.pk).done_at is None


def test_a_bare_word_as_next_returns_to_the_items_session(cast):
    item = item_for(cast)
    response = request_as(cast, "reviewer", "post", url(item), {"next": "nosuchview"})
    assert response.status_code == 302
    assert response["Location"] == reverse("session_detail", args=[item.session_id]) + (
        "#action-items"
    )
