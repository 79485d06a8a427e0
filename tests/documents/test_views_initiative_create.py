"""New initiative in a team: /t/<team>/initiatives/new/."""

import pytest
from django.urls import reverse

from documents.models import Initiative
from tests.documents.access import READERS, WRITERS, request_as

pytestmark = pytest.mark.django_db

ANSWERS = {
    "title": "Self-serve returns",
    "customer": "Shoppers who bought the **wrong size**.",
    "problem": "Returning takes a call and a week.",
    "benefit": "A refund in one tap.",
    "evidence": "Support tickets: 40% are returns.",
    "experience": "Open the order, tap *Return*, drop the parcel.",
}


def url(cast):
    return reverse("initiative_create", args=[cast.team.slug])


def test_outsider_gets_404(cast):
    assert request_as(cast, "outsider", "get", url(cast)).status_code == 404
    assert request_as(cast, "outsider", "post", url(cast), ANSWERS).status_code == 404
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    assert request_as(cast, role, "get", url(cast)).status_code == 403
    assert request_as(cast, role, "post", url(cast), ANSWERS).status_code == 403
    assert not Initiative.objects.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_the_form_asks_the_five_customer_questions(cast, role):
    html = request_as(cast, role, "get", url(cast)).content.decode()
    for question in (
        "Who is the customer?",
        "What is the customer problem or opportunity?",
        "What is the most important customer benefit?",
        "How do you know what customers need or want?",
        "What does the customer experience look like?",
    ):
        assert question in html


@pytest.mark.parametrize("role", WRITERS)
def test_editors_and_owners_create_an_initiative_and_land_on_its_page(cast, role):
    response = request_as(cast, role, "post", url(cast), ANSWERS)
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("initiative_detail", args=[initiative.pk])
    assert initiative.team == cast.team
    assert initiative.owner == cast.member(role)
    assert initiative.customer == ANSWERS["customer"]
    assert initiative.experience == ANSWERS["experience"]


def test_a_missing_title_redisplays_the_form_with_the_answers_kept(cast):
    data = ANSWERS | {"title": "  "}
    response = request_as(cast, "editor", "post", url(cast), data)
    assert response.status_code == 400
    assert "Support tickets: 40% are returns." in response.content.decode()
    assert not Initiative.objects.exists()
