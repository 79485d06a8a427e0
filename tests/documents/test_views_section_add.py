"""Adding a free section to a narrative: POST /i/<i>/d/<d>/sections/add/."""

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


def url(document):
    return reverse("section_add", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = narrative(cast)
    before = document.sections.count()
    assert request_as(cast, "outsider", "post", url(document)).status_code == 404
    assert document.sections.count() == before


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = narrative(cast)
    before = document.sections.count()
    assert request_as(cast, role, "post", url(document)).status_code == 403
    assert document.sections.count() == before


@pytest.mark.parametrize("role", WRITERS)
def test_writers_add_a_section_and_land_in_its_editor(cast, role):
    document = narrative(cast)
    before = document.sections.count()
    response = request_as(cast, role, "post", url(document))
    added = document.sections.order_by("-position").first()
    assert document.sections.count() == before + 1
    assert added.heading == "New section"
    assert response["Location"].endswith(f"?edit={added.key}#section-{added.key}")


def test_htmx_gets_the_new_sections_editor(cast):
    document = narrative(cast)
    response = request_as(cast, "editor", "post", url(document), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "data-autosave" in html and 'name="heading"' in html


def test_a_prfaq_has_no_free_sections_to_add(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "editor", "post", url(document)).status_code == 404
    assert document.sections.count() == 9
