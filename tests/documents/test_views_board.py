"""The team board's initiatives (documents/includes/board.html with board_initiatives)."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from documents.models import Initiative, InitiativeStatus
from documents.services.iterations import iteration_save
from documents.views import board_initiatives
from tests.documents.factories import InitiativeFactory, prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems

pytestmark = pytest.mark.django_db


def board_html(cast, role):
    user = cast.member(role)
    return render_to_string(
        "documents/includes/board.html",
        {"team": cast.team, "board": board_initiatives(cast.team, user)},
    )


def test_initiatives_are_grouped_by_status_with_owner_and_latest_iteration(cast):
    document = prfaq_for(cast, title="Self-serve returns")
    iteration_save(user=cast.editor, document=document)
    iteration_save(user=cast.editor, document=document)
    InitiativeFactory(team=cast.team, owner=cast.owner, title="Gift wrap", status="shelved")
    InitiativeFactory(title="Another team's idea")
    board = board_initiatives(cast.team, cast.viewer)
    by_status = {c["status"]: [i.title for i in c["initiatives"]] for c in board.columns}
    assert by_status == {
        InitiativeStatus.DRAFTING: ["Self-serve returns"],
        InitiativeStatus.IN_REVIEW: [],
        InitiativeStatus.APPROVED: [],
        InitiativeStatus.SHELVED: ["Gift wrap"],
    }
    html = board_html(cast, "viewer")
    assert "iteration 2" in html and "Editor" in html and "no iteration yet" in html
    assert reverse("initiative_detail", args=[document.initiative_id]) in html


@pytest.mark.parametrize(
    ("role", "shown"), [("viewer", False), ("reviewer", False), ("editor", True), ("owner", True)]
)
def test_the_new_initiative_button_shows_for_editors_and_owners(cast, role, shown):
    html = board_html(cast, role)
    assert (reverse("initiative_create", args=[cast.team.slug]) in html) is shown


def test_an_empty_board_says_what_an_initiative_is(cast):
    assert "No initiatives yet." in board_html(cast, "viewer")


def test_hostile_titles_are_escaped(cast):
    for _, text in HOSTILE_INPUTS:
        InitiativeFactory(team=cast.team, owner=cast.editor, title=text.replace("\x00", ""))
    assert Initiative.objects.count() == len(HOSTILE_INPUTS)
    assert page_problems(board_html(cast, "viewer")) == []
