"""Starting a document: /i/<initiative>/d/new/."""

import pytest
from django.urls import reverse

from documents.models import Document
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory

pytestmark = pytest.mark.django_db


def url(initiative):
    return reverse("document_create", args=[initiative.pk])


def test_outsider_gets_404(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, "outsider", "get", url(initiative)).status_code == 404
    assert (
        request_as(cast, "outsider", "post", url(initiative), {"kind": "prfaq"}).status_code == 404
    )


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, role, "get", url(initiative)).status_code == 403
    assert request_as(cast, role, "post", url(initiative), {"kind": "prfaq"}).status_code == 403
    assert not Document.objects.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_writers_start_a_prfaq_and_go_to_its_draft(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, role, "get", url(initiative)).status_code == 200
    response = request_as(cast, role, "post", url(initiative), {"kind": "prfaq", "title": ""})
    document = Document.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("draft", args=[initiative.pk, document.pk])
    assert document.sections.count() == 9


def test_an_unknown_kind_is_refused(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    response = request_as(cast, "editor", "post", url(initiative), {"kind": "novel"})
    assert response.status_code == 400
    assert not Document.objects.exists()
