"""POST /c/<id>/action-items/: turn a thread into an action item with an owner."""

import pytest
from django.urls import reverse

from reviews.models import ActionItem
from tests.dates_cases import RANGE, days_out_of_range
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(thread):
    return reverse("action_item_create", args=[thread.pk])


def data(cast, **overrides):
    return {"title": "Size the fraud risk", "owner": cast.reviewer.pk, "due_on": "2031-01-31"} | (
        overrides
    )


def test_outsider_gets_404(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "outsider", "post", url(thread), data(cast)).status_code == 404


def test_a_viewer_gets_403(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "viewer", "post", url(thread), data(cast)).status_code == 403
    assert not ActionItem.objects.exists()


def test_the_form_loads_into_the_thread_with_the_members_as_owners(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(cast, "editor", "get", url(thread), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith("<form")
    assert f'<option value="{cast.viewer.pk}"' in html
    assert f'<option value="{cast.outsider.pk}"' not in html
    # The comment's author is the suggested owner.
    assert f'<option value="{cast.reviewer.pk}"\n                selected>' in html


def test_without_htmx_the_form_is_a_page_of_its_own(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    html = request_as(cast, "editor", "get", url(thread)).content.decode()
    assert "<h1>New action item</h1>" in html
    assert 'name="title"' in html


def test_a_member_assigns_an_action_item_from_a_thread(cast):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    response = request_as(cast, "editor", "post", url(thread), data(cast), HTTP_HX_REQUEST="true")
    item = ActionItem.objects.get()
    assert (item.comment, item.session, item.owner) == (thread, session, cast.reviewer)
    assert str(item.due_on) == "2031-01-31"
    assert "Size the fraud risk" in response.content.decode()


@pytest.mark.parametrize("typed", days_out_of_range())
def test_a_due_date_out_of_range_shows_the_form_again_in_the_thread(cast, typed):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(
        cast, "editor", "post", url(thread), data(cast, due_on=typed), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert RANGE in response.content.decode()
    assert not ActionItem.objects.exists()


def test_the_owner_must_be_a_member(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    response = request_as(
        cast,
        "editor",
        "post",
        url(thread),
        data(cast, owner=cast.outsider.pk),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#action-slot-{thread.pk}"
    assert not ActionItem.objects.exists()


def test_no_action_items_during_the_reading(cast):
    thread = comment(cast.reviewer, reading_session(cast))
    response = request_as(cast, "reviewer", "post", url(thread), data(cast), follow=True)
    assert "Action items can be added once the discussion starts" in response.content.decode()
