"""Hot pages issue a fixed number of queries, however long the document and its history.

Each page is measured on a small document and on one with 30 FAQ entries and 50
iterations; the budget is the same number for both, and the comment above it
lists the queries.
"""

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from documents.models import FaqAudience
from documents.services.drafting import faq_entry_add, section_save
from documents.views import board_initiatives
from documents.views.initiatives import BOARD_CARDS, LIST_PAGE_SIZE
from reviews.services.decisions import andon_pull
from tests.documents.factories import InitiativeFactory, iteration_save_changed, prfaq_for
from wbapp.notifications import follows

pytestmark = pytest.mark.django_db

SIZES = ["small", "large"]


def document_of_size(cast, size):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")
    headline = section_save(
        user=cast.editor, section=headline, body="Returns in one tap", base_version=1
    )
    faq_count, iteration_count = (1, 2) if size == "small" else (30, 50)
    for n in range(faq_count):
        faq_entry_add(
            user=cast.editor,
            document=document,
            audience=FaqAudience.EXTERNAL if n % 2 else FaqAudience.INTERNAL,
            question=f"Question {n}?",
            answer=f"Answer **{n}**.",
        )
    for n in range(iteration_count):
        headline = section_save(
            user=cast.editor,
            section=headline,
            body=f"Returns in one tap, take {n}",
            base_version=headline.version,
        )
        iteration_save_changed(user=cast.editor, document=document, note=f"Take {n}")
    follows.initiative_follow(user=cast.viewer, initiative=document.initiative)
    return document


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# Every signed-in page has: the user (the login session comes from the cache), the
# user's teams for the navigation bar, and the lookup of the initiative, document or
# iteration: one query, joined to its team, that also brings the user's role there
# for the permission check.


@pytest.mark.parametrize("size", SIZES)
def test_the_initiative_page_has_a_fixed_query_budget(cast, size, django_assert_num_queries):
    document = document_of_size(cast, size)
    client = signed_in(cast.editor)
    url = reverse("initiative_detail", args=[document.initiative_id])
    # user, initiative + team + owner + role, followers (count and mine),
    # documents with their iteration counts, recent iterations with authors and
    # documents, unread notifications, navigation teams, the active Andon cord (the
    # banner), the cord's history and the open action items (the reviews panels).
    with django_assert_num_queries(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_draft_page_has_a_fixed_query_budget(cast, size, django_assert_num_queries):
    document = document_of_size(cast, size)
    client = signed_in(cast.editor)
    url = reverse("draft", args=[document.initiative_id, document.pk])
    # user, document + initiative + team + owner + role, sections, FAQ entries,
    # latest iteration with its author, appendix images, unread notifications,
    # navigation teams, the active Andon cord (the banner).
    with django_assert_num_queries(9):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_iteration_page_has_a_fixed_query_budget(cast, size, django_assert_num_queries):
    document = document_of_size(cast, size)
    client = signed_in(cast.viewer)
    url = reverse("iteration_detail", args=[document.initiative_id, document.pk, 2])
    # user, iteration + document + initiative + team + author + role + newest
    # iteration number + whether the Andon cord is pulled (none for the banner when
    # not), unread notifications, navigation teams, the comment counts by status and
    # per section (one query for both: reviews/thread_counts.py; past 60 the margins
    # load near the screen), then the review tools: the comments (their replies and
    # action items would be two more, with comments), the iteration's sessions.
    with django_assert_num_queries(7):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_compare_page_has_a_fixed_query_budget(cast, size, django_assert_num_queries):
    document = document_of_size(cast, size)
    client = signed_in(cast.viewer)
    url = reverse("compare", args=[document.initiative_id, document.pk, 1, 2])
    # user, the two iterations (each with document, initiative, team, author, role,
    # newest number and whether the Andon cord is pulled: none for the banner when
    # not), the iteration numbers for the pickers, unread notifications, navigation teams.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", SIZES)
def test_the_board_has_a_fixed_query_budget(cast, size, django_assert_num_queries):
    for _ in range(1 if size == "small" else 5):
        document_of_size(cast, size)
    # More initiatives of one status than the board shows.
    for n in range(1 if size == "small" else BOARD_CARDS + 3):
        initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title=f"Idea {n}")
        # Stopped cards say who pulled the cord and why, from the same query.
        andon_pull(user=cast.reviewer, initiative=initiative, reason=f"Stop {n}")
    user = type(cast.editor).objects.get(pk=cast.editor.pk)  # no cached role
    # the first initiatives of each status with their count, owners, latest iteration
    # and active Andon pull (one query: window functions and subqueries inside), the
    # user's role in the team for the "New initiative" button.
    with django_assert_num_queries(2):
        board = board_initiatives(cast.team, user)
        html = render_to_string(
            "documents/includes/board.html", {"team": cast.team, "board": board}
        )
    assert "iteration" in html
    assert html.count("board-card--stopped") == min(BOARD_CARDS, 1 if size == "small" else 99)


@pytest.mark.parametrize("size", SIZES)
def test_a_status_list_has_a_fixed_query_budget(cast, size, django_assert_num_queries):
    for _ in range(1 if size == "small" else 3):
        document_of_size(cast, size)
    for n in range(1 if size == "small" else LIST_PAGE_SIZE + 5):
        InitiativeFactory(team=cast.team, owner=cast.editor, title=f"Idea {n}")
    client = signed_in(cast.viewer)
    url = reverse("team_initiatives", args=[cast.team.slug, "drafting"])
    # user, the team with the user's role, the count for the pages, one page of
    # initiatives with owners and latest iteration, unread notifications, navigation teams.
    with django_assert_num_queries(6):
        assert client.get(url).status_code == 200
