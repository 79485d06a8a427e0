"""Editing an initiative's title and answers: /i/<initiative>/edit/."""

import pytest
from django.urls import reverse

from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def url(initiative):
    return reverse("initiative_edit", args=[initiative.pk])


def data(**changes):
    return {
        "title": "Returns",
        "customer": "",
        "problem": "",
        "benefit": "",
        "evidence": "",
        "experience": "",
    } | changes


def test_outsider_gets_404(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, "outsider", "get", url(initiative)).status_code == 404
    assert request_as(cast, "outsider", "post", url(initiative), data()).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title="Before")
    assert request_as(cast, role, "get", url(initiative)).status_code == 403
    assert request_as(cast, role, "post", url(initiative), data(title="After")).status_code == 403
    initiative.refresh_from_db()
    assert initiative.title == "Before"


@pytest.mark.parametrize("role", WRITERS)
def test_the_form_starts_from_the_current_answers(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, problem="Boxes everywhere")
    html = request_as(cast, role, "get", url(initiative)).content.decode()
    assert "Boxes everywhere</textarea>" in html


@pytest.mark.parametrize("role", WRITERS)
def test_writers_save_changes(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    response = request_as(
        cast, role, "post", url(initiative), data(title="Returns v2", benefit="Refund in a tap")
    )
    assert response.status_code == 302
    initiative.refresh_from_db()
    assert initiative.title == "Returns v2"
    assert initiative.benefit == "Refund in a tap"


def test_an_empty_title_is_refused(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, title="Keep me")
    response = request_as(cast, "editor", "post", url(initiative), data(title=""))
    assert response.status_code == 400
    initiative.refresh_from_db()
    assert initiative.title == "Keep me"
