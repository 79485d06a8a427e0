"""The initiative page's review panels: the Andon cord and its history, status, action items."""

import pytest
from django.urls import reverse

from reviews.services.action_items import action_item_create
from reviews.services.decisions import andon_pull, andon_reset
from tests.documents.access import request_as
from tests.documents.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def initiative_of(cast):
    return InitiativeFactory(team=cast.team, owner=cast.editor)


def page(cast, role, initiative) -> str:
    response = request_as(cast, role, "get", reverse("initiative_detail", args=[initiative.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_history_of_pulls_and_resets_is_on_the_initiative_page(cast):
    initiative = initiative_of(cast)
    andon_pull(user=cast.reviewer, initiative=initiative, reason="First worry")
    andon_reset(user=cast.owner, initiative=initiative, resolution="Answered it")
    html = page(cast, "viewer", initiative)
    assert 'id="andon"' in html
    assert "First worry" in html and "Answered it" in html
    assert "Reset</strong> by Owner" in html


@pytest.mark.parametrize(("role", "can_pull"), [("reviewer", True), ("viewer", False)])
def test_the_pull_form_is_there_for_reviewers_and_up(cast, role, can_pull):
    initiative = initiative_of(cast)
    html = page(cast, role, initiative)
    assert (reverse("andon_pull", args=[initiative.pk]) in html) is can_pull


@pytest.mark.parametrize(("role", "can_change"), [("editor", True), ("reviewer", False)])
def test_the_status_form_is_there_for_editors_and_owners(cast, role, can_change):
    initiative = initiative_of(cast)
    html = page(cast, role, initiative)
    assert (reverse("initiative_status", args=[initiative.pk]) in html) is can_change


def test_open_action_items_are_listed_with_their_tick(cast):
    initiative = initiative_of(cast)
    item = action_item_create(
        user=cast.editor, initiative=initiative, title="Ask legal", owner=cast.reviewer
    )
    html = page(cast, "reviewer", initiative)
    assert "Ask legal" in html
    assert reverse("action_item_done", args=[item.pk]) in html
    # The tick returns to the page it was on.
    assert f'name="next" value="{reverse("initiative_detail", args=[initiative.pk])}"' in html
