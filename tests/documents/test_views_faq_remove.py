"""Removing an FAQ entry: POST /i/<i>/d/<d>/faq/<key>/remove/."""

import pytest
from django.urls import reverse

from documents.services.drafting import faq_entry_add, faq_entry_save
from documents.services.iterations import iteration_save
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db


def entry_for(cast):
    document = prfaq_for(cast)
    return document, faq_entry_add(user=cast.editor, document=document, audience="internal")


def url(document, entry):
    return reverse("faq_remove", args=[document.initiative_id, document.pk, entry.key])


def test_outsider_gets_404(cast):
    document, entry = entry_for(cast)
    assert request_as(cast, "outsider", "post", url(document, entry)).status_code == 404
    assert document.faq_entries.exists()


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document, entry = entry_for(cast)
    assert request_as(cast, role, "post", url(document, entry)).status_code == 403
    assert document.faq_entries.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_writers_remove_an_entry(cast, role):
    document, entry = entry_for(cast)
    response = request_as(cast, role, "post", url(document, entry))
    assert response.status_code == 302
    assert not document.faq_entries.exists()


def test_htmx_gets_an_empty_fragment(cast):
    document, entry = entry_for(cast)
    response = request_as(cast, "editor", "post", url(document, entry), HTTP_HX_REQUEST="true")
    assert (response.status_code, response.content) == (200, b"")


def test_an_iteration_keeps_a_removed_entry(cast):
    document, entry = entry_for(cast)
    faq_entry_save(user=cast.editor, entry=entry, question="Kept?", answer="", base_version=1)
    iteration_save(user=cast.editor, document=document, note="")
    request_as(cast, "editor", "post", url(document, entry))
    assert document.revisions.get().content["faq"][0]["question"] == "Kept?"
