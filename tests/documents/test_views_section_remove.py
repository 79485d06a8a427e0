"""Removing a free section: POST /i/<i>/d/<d>/sections/<key>/remove/."""

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


def url(document, key):
    return reverse("section_remove", args=[document.initiative_id, document.pk, key])


def test_outsider_gets_404(cast):
    document = narrative(cast)
    key = document.sections.first().key
    assert request_as(cast, "outsider", "post", url(document, key)).status_code == 404
    assert document.sections.filter(key=key).exists()


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = narrative(cast)
    key = document.sections.first().key
    assert request_as(cast, role, "post", url(document, key)).status_code == 403
    assert document.sections.filter(key=key).exists()


@pytest.mark.parametrize("role", WRITERS)
def test_writers_remove_a_section(cast, role):
    document = narrative(cast)
    key = document.sections.first().key
    response = request_as(cast, role, "post", url(document, key))
    assert response.status_code == 302
    assert not document.sections.filter(key=key).exists()


def test_htmx_gets_an_empty_fragment_to_swap_the_section_out(cast):
    document = narrative(cast)
    key = document.sections.first().key
    response = request_as(cast, "editor", "post", url(document, key), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert response.content == b""


def test_prfaq_template_sections_cannot_be_removed(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "editor", "post", url(document, "problem")).status_code == 400
    assert document.sections.filter(key="problem").exists()
