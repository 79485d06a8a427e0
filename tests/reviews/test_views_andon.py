"""/i/<id>/andon/ (the cord and its history), its pull and reset, and the red banner."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import AndonPull
from reviews.services.decisions import andon_pull, andon_reset
from tests.documents.access import request_as
from tests.documents.factories import InitiativeFactory, iteration_save_changed, prfaq_for
from tests.reviews.factories import discussion_session

pytestmark = pytest.mark.django_db

REASON = "Legal has not seen the refund promise"


def initiative_of(cast):
    return InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")


def pulled(cast):
    initiative = initiative_of(cast)
    andon_pull(user=cast.reviewer, initiative=initiative, reason=REASON)
    return initiative


def detail(initiative):
    return reverse("andon_detail", args=[initiative.pk])


def pull_url(initiative):
    return reverse("andon_pull", args=[initiative.pk])


def reset_url(initiative):
    return reverse("andon_reset", args=[initiative.pk])


# --- The Andon page --------------------------------------------------------------------------


def test_outsider_gets_404_on_every_andon_url(cast):
    initiative = pulled(cast)
    assert request_as(cast, "outsider", "get", detail(initiative)).status_code == 404
    assert request_as(cast, "outsider", "post", pull_url(initiative)).status_code == 404
    assert request_as(cast, "outsider", "post", reset_url(initiative)).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_members_see_the_history(cast, role):
    initiative = pulled(cast)
    response = request_as(cast, role, "get", detail(initiative))
    assert response.status_code == 200
    assert REASON in response.content.decode()


def test_a_viewer_sees_no_pull_form(cast):
    page = request_as(cast, "viewer", "get", detail(initiative_of(cast))).content.decode()
    assert 'name="reason"' not in page
    assert "Reviewers, editors and owners of the team can pull it." in page


def test_a_reviewer_sees_the_pull_form_and_no_reset_form(cast):
    initiative = initiative_of(cast)
    assert (
        'name="reason"' in request_as(cast, "reviewer", "get", detail(initiative)).content.decode()
    )
    andon_pull(user=cast.reviewer, initiative=initiative, reason=REASON)
    page = request_as(cast, "reviewer", "get", detail(initiative)).content.decode()
    assert 'name="resolution"' not in page


# --- Pull -------------------------------------------------------------------------------------


def test_a_viewer_cannot_pull_the_cord(cast):
    initiative = initiative_of(cast)
    response = request_as(cast, "viewer", "post", pull_url(initiative), {"reason": REASON})
    assert response.status_code == 403
    assert not AndonPull.objects.exists()


def test_a_reviewer_pulls_the_cord_and_lands_on_the_initiative(cast):
    initiative = initiative_of(cast)
    response = request_as(cast, "reviewer", "post", pull_url(initiative), {"reason": REASON})
    assert response.status_code == 302
    assert response["Location"] == reverse("initiative_detail", args=[initiative.pk])
    assert AndonPull.objects.active().get(initiative=initiative).reason == REASON


def test_a_pull_without_a_reason_shows_the_form_again(cast):
    initiative = initiative_of(cast)
    response = request_as(cast, "reviewer", "post", pull_url(initiative), {"reason": " "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not AndonPull.objects.exists()


def test_pulling_twice_says_it_is_already_pulled(cast, client_for):
    initiative = pulled(cast)
    client = client_for(cast.editor)
    response = client.post(pull_url(initiative), {"reason": "Again"}, follow=True)
    assert "The Andon cord is already pulled on this initiative." in response.content.decode()
    assert AndonPull.objects.filter(initiative=initiative).count() == 1


# --- Reset ------------------------------------------------------------------------------------


def test_a_reviewer_can_pull_but_not_reset(cast):
    initiative = pulled(cast)
    response = request_as(cast, "reviewer", "post", reset_url(initiative), {"resolution": "Ok"})
    assert response.status_code == 403
    assert AndonPull.objects.active().filter(initiative=initiative).exists()


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_and_owners_reset_it_and_return_to_the_page_they_were_on(cast, role):
    initiative = pulled(cast)
    here = reverse("initiative_detail", args=[initiative.pk]) + "?tab=1"
    response = request_as(
        cast, role, "post", reset_url(initiative), {"resolution": "Signed off", "next": here}
    )
    assert response.status_code == 302
    assert response["Location"] == here
    assert not AndonPull.objects.active().exists()


def test_a_reset_never_redirects_off_the_site(cast):
    initiative = pulled(cast)
    response = request_as(
        cast,
        "editor",
        "post",
        reset_url(initiative),
        {"resolution": "Signed off", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("initiative_detail", args=[initiative.pk])


def test_a_reset_without_a_resolution_shows_the_form_again(cast):
    initiative = pulled(cast)
    response = request_as(cast, "editor", "post", reset_url(initiative), {"resolution": ""})
    assert response.status_code == 400
    assert AndonPull.objects.active().exists()


def test_resetting_a_cord_someone_else_just_reset_says_so(cast, client_for):
    initiative = initiative_of(cast)
    client = client_for(cast.editor)
    response = client.post(reset_url(initiative), {"resolution": "x"}, follow=True)
    assert "The Andon cord is not pulled on this initiative" in response.content.decode()


def test_get_is_not_allowed_on_pull_and_reset(cast):
    initiative = initiative_of(cast)
    assert request_as(cast, "editor", "get", pull_url(initiative)).status_code == 405
    assert request_as(cast, "editor", "get", reset_url(initiative)).status_code == 405


# --- The banner -------------------------------------------------------------------------------


def banner_of(html: str) -> str:
    start = html.find('class="andon-banner"')
    return html[start : html.find("</section>", start)] if start >= 0 else ""


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_the_initiative_page_shows_the_red_banner_with_reason_author_and_time(cast, role):
    initiative = pulled(cast)
    html = request_as(cast, role, "get", reverse("initiative_detail", args=[initiative.pk]))
    banner = banner_of(html.content.decode())
    assert banner, "no banner"
    assert 'aria-labelledby="andon-banner-title"' in banner
    assert 'role="alert"' not in banner
    assert REASON in banner
    assert "Reviewer" in banner
    assert "<time datetime=" in banner


@pytest.mark.parametrize(("role", "has_form"), [("editor", True), ("reviewer", False)])
def test_only_editors_and_owners_get_the_reset_form_in_the_banner(cast, role, has_form):
    initiative = pulled(cast)
    html = request_as(cast, role, "get", reverse("initiative_detail", args=[initiative.pk]))
    assert ('name="resolution"' in banner_of(html.content.decode())) is has_form


def test_the_banner_shows_on_the_session_page_too(cast):
    session = discussion_session(cast)
    andon_pull(user=cast.reviewer, initiative=session.initiative, reason=REASON)
    html = request_as(cast, "reviewer", "get", reverse("session_detail", args=[session.pk]))
    assert REASON in banner_of(html.content.decode())


def test_no_banner_once_the_cord_is_reset(cast):
    initiative = pulled(cast)
    andon_reset(user=cast.editor, initiative=initiative, resolution="Done")
    html = request_as(cast, "viewer", "get", reverse("initiative_detail", args=[initiative.pk]))
    assert banner_of(html.content.decode()) == ""


def test_an_outsider_gets_a_404_without_the_banner(cast):
    initiative = pulled(cast)
    response = request_as(
        cast, "outsider", "get", reverse("initiative_detail", args=[initiative.pk])
    )
    assert response.status_code == 404
    assert REASON not in response.content.decode()


def test_pages_of_other_initiatives_show_no_banner(cast):
    pulled(cast)
    other = initiative_of(cast)
    html = request_as(cast, "viewer", "get", reverse("initiative_detail", args=[other.pk]))
    assert banner_of(html.content.decode()) == ""


def test_the_banner_ignores_pages_without_a_real_initiative(cast, rf, django_assert_num_queries):
    pulled(cast)
    request = rf.get("/")
    request.user = cast.editor
    with django_assert_num_queries(0):
        html = render_to_string(
            "reviews/includes/andon_banner.html",
            {"initiative": {"pk": 1, "title": "not a model"}, "session": None},
            request=request,
        )
    assert html.strip() == ""


def test_the_banner_costs_one_query_and_the_view_can_make_it_none(cast, rf):
    initiative = pulled(cast)
    request = rf.get("/")
    request.user = cast.editor
    with CaptureQueriesContext(connection) as queries:
        first = render_to_string(
            "reviews/includes/andon_banner.html", {"initiative": initiative}, request=request
        )
        # Asked again in the same request (another include): remembered.
        render_to_string(
            "reviews/includes/andon_banner.html", {"initiative": initiative}, request=request
        )
    # The pull, and the editor's role in the team for the reset form.
    assert REASON in first
    assert len(queries) == 2
    with CaptureQueriesContext(connection) as queries:
        given = render_to_string(
            "reviews/includes/andon_banner.html",
            {"initiative": initiative, "andon_pull": None},
            request=request,
        )
    assert given.strip() == "" and len(queries) == 0


@pytest.mark.parametrize("page", ["iteration_detail", "compare"])
def test_the_iteration_pages_show_the_banner_from_their_lookup(cast, page):
    """The iteration lookup tells whether the cord is pulled (reviews/lookups.py): a pulled
    cord shows its banner, a reset one none, and an outsider still gets a 404."""
    document = prfaq_for(cast)
    iteration_save_changed(user=cast.editor, document=document)
    iteration_save_changed(user=cast.editor, document=document)
    args = [document.initiative_id, document.pk, 1] + ([2] if page == "compare" else [])
    url = reverse(page, args=args)
    initiative = document.initiative

    assert banner_of(request_as(cast, "viewer", "get", url).content.decode()) == ""
    andon_pull(user=cast.reviewer, initiative=initiative, reason=REASON)
    banner = banner_of(request_as(cast, "viewer", "get", url).content.decode())
    assert REASON in banner and "Reviewer" in banner
    response = request_as(cast, "outsider", "get", url)
    assert response.status_code == 404 and REASON not in response.content.decode()
    andon_reset(user=cast.editor, initiative=initiative, resolution="Done")
    assert banner_of(request_as(cast, "viewer", "get", url).content.decode()) == ""


def test_a_bare_word_as_next_returns_to_the_initiative(cast):
    initiative = pulled(cast)
    response = request_as(
        cast, "editor", "post", reset_url(initiative), {"resolution": "Ok", "next": "nosuchview"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("initiative_detail", args=[initiative.pk])
