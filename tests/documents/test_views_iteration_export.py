"""Markdown export: GET /i/<i>/d/<d>/iterations/<n>/export.md."""

import pytest
from django.urls import reverse

from documents.services.drafting import faq_entry_add, section_save
from documents.services.iterations import iteration_save
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db


def exported(cast):
    document = prfaq_for(cast, title="Self-serve returns")
    headline = document.sections.get(key="headline")
    section_save(user=cast.editor, section=headline, body="Returns in a **tap**", base_version=1)
    faq_entry_add(
        user=cast.editor, document=document, audience="external", question="Cost?", answer="None."
    )
    iteration_save(user=cast.editor, document=document, note="First")
    return document


def url(document, number=1):
    return reverse("iteration_export", args=[document.initiative_id, document.pk, number])


def test_outsider_gets_404(cast):
    document = exported(cast)
    assert request_as(cast, "outsider", "get", url(document)).status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_download_the_iteration_as_markdown(cast, role):
    document = exported(cast)
    response = request_as(cast, role, "get", url(document))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="self-serve-returns-prfaq-1.md"'
    )
    text = response.content.decode()
    assert text.startswith("# PR/FAQ\n")
    assert "## Headline\n\nReturns in a **tap**" in text
    assert "## External FAQ\n\n### Cost?\n\nNone." in text


def test_a_missing_iteration_is_404(cast):
    document = exported(cast)
    assert request_as(cast, "editor", "get", url(document, 9)).status_code == 404
