"""POST /i/<id>/status/: the status by hand; approval refused while the cord is pulled."""

import pytest
from django.urls import reverse

from documents.models import Initiative, InitiativeStatus
from reviews.services.decisions import andon_pull
from tests.documents.access import request_as
from tests.documents.factories import InitiativeFactory
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def initiative_of(cast):
    return InitiativeFactory(team=cast.team, owner=cast.editor)


def url(initiative):
    return reverse("initiative_status", args=[initiative.pk])


def status_of(initiative):
    return Initiative.objects.get(pk=initiative.pk).status


def test_outsider_gets_404(cast):
    initiative = initiative_of(cast)
    response = request_as(cast, "outsider", "post", url(initiative), {"status": "shelved"})
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["reviewer", "viewer"])
def test_reviewers_and_viewers_get_403(cast, role):
    initiative = initiative_of(cast)
    response = request_as(cast, role, "post", url(initiative), {"status": "shelved"})
    assert response.status_code == 403
    assert status_of(initiative) == InitiativeStatus.DRAFTING


@pytest.mark.parametrize("role", ["owner", "editor"])
def test_editors_and_owners_change_it_and_it_is_recorded(cast, role):
    initiative = initiative_of(cast)
    response = request_as(cast, role, "post", url(initiative), {"status": "approved"})
    assert response.status_code == 302
    assert response["Location"] == reverse("initiative_detail", args=[initiative.pk])
    assert status_of(initiative) == InitiativeStatus.APPROVED
    event = Activity.objects.get(verb=Verb.STATUS_CHANGED)
    assert event.payload == {"from_status": "drafting", "to_status": "approved"}


def test_approval_is_refused_while_the_cord_is_pulled_and_the_page_says_why(cast, client_for):
    initiative = initiative_of(cast)
    andon_pull(user=cast.reviewer, initiative=initiative, reason="Legal first")
    client = client_for(cast.editor)
    response = client.post(url(initiative), {"status": "approved"}, follow=True)
    assert status_of(initiative) == InitiativeStatus.DRAFTING
    messages = [str(m) for m in response.context["messages"]]
    assert messages == [
        "The Andon cord is pulled (Reviewer: “Legal first”). An editor or owner must reset "
        "it with a resolution before approval."
    ]


def test_an_unknown_status_changes_nothing(cast):
    initiative = initiative_of(cast)
    request_as(cast, "editor", "post", url(initiative), {"status": "done"})
    assert status_of(initiative) == InitiativeStatus.DRAFTING


def test_the_same_status_again_records_nothing(cast):
    initiative = initiative_of(cast)
    request_as(cast, "editor", "post", url(initiative), {"status": "drafting"})
    assert not Activity.objects.filter(verb=Verb.STATUS_CHANGED).exists()


def test_get_is_not_allowed(cast):
    assert request_as(cast, "editor", "get", url(initiative_of(cast))).status_code == 405
