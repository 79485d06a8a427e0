"""/i/<id>/action-items/ (an initiative's items, add one) and /action-items/ ("My action items")."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reviews.models import ActionItem
from reviews.services.action_items import action_item_create, action_item_set_done
from tests.dates_cases import RANGE, days_out_of_range
from tests.documents.access import request_as
from tests.documents.factories import InitiativeFactory
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.django_db


def initiative_of(cast, **kwargs):
    return InitiativeFactory(team=cast.team, owner=cast.editor, **kwargs)


def add(cast, initiative, *, owner=None, title="Ask legal", **kwargs):
    return action_item_create(
        user=cast.editor,
        initiative=initiative,
        title=title,
        owner=owner or cast.reviewer,
        **kwargs,
    )


def url(initiative):
    return reverse("initiative_action_items", args=[initiative.pk])


# --- An initiative's action items ----------------------------------------------------------


def test_outsider_gets_404(cast):
    initiative = initiative_of(cast)
    assert request_as(cast, "outsider", "get", url(initiative)).status_code == 404
    assert request_as(cast, "outsider", "post", url(initiative)).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_members_see_open_and_done_items(cast, role):
    initiative = initiative_of(cast)
    add(cast, initiative, title="Open one")
    done = add(cast, initiative, title="Done one")
    action_item_set_done(user=cast.editor, item=done)
    html = request_as(cast, role, "get", url(initiative)).content.decode()
    assert html.index("Open one") < html.index("Done one")


def test_a_viewer_gets_no_form_and_cannot_add(cast):
    initiative = initiative_of(cast)
    assert 'name="title"' not in request_as(cast, "viewer", "get", url(initiative)).content.decode()
    data = {"title": "Sneak", "owner": cast.viewer.pk}
    assert request_as(cast, "viewer", "post", url(initiative), data).status_code == 403
    assert not ActionItem.objects.exists()


def test_a_reviewer_adds_an_item_with_an_owner_and_a_due_date(cast):
    initiative = initiative_of(cast)
    data = {"title": "Size the fraud risk", "owner": cast.editor.pk, "due_on": "2030-01-31"}
    response = request_as(cast, "reviewer", "post", url(initiative), data)
    assert response.status_code == 302
    item = ActionItem.objects.get()
    assert (item.title, item.owner, item.due_on) == (
        "Size the fraud risk",
        cast.editor,
        datetime.date(2030, 1, 31),
    )
    assert item.session is None and item.comment is None


def test_an_owner_from_outside_the_team_is_refused(cast):
    initiative = initiative_of(cast)
    data = {"title": "Do it", "owner": cast.outsider.pk}
    response = request_as(cast, "reviewer", "post", url(initiative), data)
    assert response.status_code == 400
    assert not ActionItem.objects.exists()


@pytest.mark.parametrize("typed", days_out_of_range())
def test_a_due_date_out_of_range_shows_the_form_again_with_the_range(cast, typed):
    initiative = initiative_of(cast)
    data = {"title": "Do it", "owner": cast.editor.pk, "due_on": typed}
    response = request_as(cast, "reviewer", "post", url(initiative), data)
    assert response.status_code == 400
    assert RANGE in response.content.decode()
    assert not ActionItem.objects.exists()


def test_an_item_without_a_title_shows_the_form_again(cast):
    initiative = initiative_of(cast)
    response = request_as(cast, "reviewer", "post", url(initiative), {"owner": cast.editor.pk})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


# --- My action items -------------------------------------------------------------------------


def test_my_action_items_needs_a_sign_in(client):
    response = client.get(reverse("my_action_items"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_my_action_items_lists_mine_from_every_team_and_nobody_elses(cast):
    initiative = initiative_of(cast, title="Returns")
    add(cast, initiative, title="Mine here")
    add(cast, initiative, title="Not mine", owner=cast.editor)
    other_team = TeamFactory()
    MembershipFactory(team=other_team, user=cast.reviewer, role="editor")
    elsewhere = InitiativeFactory(team=other_team, owner=cast.reviewer, title="Elsewhere")
    action_item_create(
        user=cast.reviewer, initiative=elsewhere, title="Mine there", owner=cast.reviewer
    )
    html = request_as(cast, "reviewer", "get", reverse("my_action_items")).content.decode()
    assert "Mine here" in html and "Mine there" in html
    assert "Not mine" not in html
    assert "Returns" in html and "Elsewhere" in html


def test_items_of_a_team_i_left_are_gone(cast):
    initiative = initiative_of(cast)
    add(cast, initiative, title="Before leaving")
    cast.team.memberships.filter(user=cast.reviewer).delete()
    html = request_as(cast, "reviewer", "get", reverse("my_action_items")).content.decode()
    assert "Before leaving" not in html


def test_an_overdue_item_says_so(cast):
    initiative = initiative_of(cast)
    add(cast, initiative, title="Late", due_on=timezone.localdate() - datetime.timedelta(days=1))
    html = request_as(cast, "reviewer", "get", reverse("my_action_items")).content.decode()
    assert "Overdue" in html


def test_ticking_done_without_script_returns_to_my_action_items(cast):
    item = add(cast, initiative_of(cast))
    response = request_as(
        cast,
        "reviewer",
        "post",
        reverse("action_item_done", args=[item.pk]),
        {"done": "1", "next": reverse("my_action_items")},
    )
    assert response["Location"] == reverse("my_action_items")
    assert ActionItem.objects.get(pk=item.pk).is_done


def test_ticking_done_never_redirects_off_the_site(cast):
    item = add(cast, initiative_of(cast))
    response = request_as(
        cast,
        "reviewer",
        "post",
        reverse("action_item_done", args=[item.pk]),
        {"done": "1", "next": "//evil.example/"},
    )
    assert response["Location"] == reverse("initiative_detail", args=[item.initiative_id])


def test_ticking_done_with_htmx_keeps_the_way_back_in_the_fragment(cast):
    item = add(cast, initiative_of(cast))
    response = request_as(
        cast,
        "reviewer",
        "post",
        reverse("action_item_done", args=[item.pk]),
        {"done": "1", "next": "/action-items/"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Reopen" in html
    assert 'name="next" value="/action-items/"' in html
