"""Reordering free sections: POST /i/<i>/d/<d>/sections/<key>/move/."""

import pytest
from django.urls import reverse

from documents.models import DocumentKind
from documents.services.initiatives import document_create
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory, prfaq_for

pytestmark = pytest.mark.django_db


def narrative(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    return document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE)


def keys(document):
    return list(document.sections.order_by("position").values_list("key", flat=True))


def url(document, key):
    return reverse("section_move", args=[document.initiative_id, document.pk, key])


def test_outsider_gets_404(cast):
    document = narrative(cast)
    before = keys(document)
    response = request_as(cast, "outsider", "post", url(document, before[1]), {"direction": "up"})
    assert response.status_code == 404
    assert keys(document) == before


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = narrative(cast)
    before = keys(document)
    response = request_as(cast, role, "post", url(document, before[1]), {"direction": "up"})
    assert response.status_code == 403
    assert keys(document) == before


@pytest.mark.parametrize("role", WRITERS)
def test_writers_move_a_section_up_and_down_keeping_its_key(cast, role):
    document = narrative(cast)
    first, second, *rest = keys(document)
    response = request_as(cast, role, "post", url(document, second), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#section-{second}")
    assert keys(document) == [second, first, *rest]
    request_as(cast, role, "post", url(document, second), {"direction": "down"})
    assert keys(document) == [first, second, *rest]


def test_the_script_gets_json(cast):
    document = narrative(cast)
    key = keys(document)[2]
    response = request_as(
        cast,
        "editor",
        "post",
        url(document, key),
        {"direction": "up"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 200
    assert response.json() == {"moved": True}


def test_an_unknown_direction_is_400(cast):
    document = narrative(cast)
    before = keys(document)
    response = request_as(cast, "editor", "post", url(document, before[1]), {"direction": "left"})
    assert response.status_code == 400
    assert keys(document) == before


def test_prfaq_template_sections_cannot_move(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "post", url(document, "problem"), {"direction": "up"})
    assert response.status_code == 400
