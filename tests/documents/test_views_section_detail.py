"""One section as a fragment: GET /i/<i>/d/<d>/sections/<key>/ (``?edit=1``: its editor)."""

import pytest
from django.urls import reverse

from documents.services.drafting import section_save
from tests.documents.access import READERS, WRITERS, base_version_in, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(document, key="summary", edit=False):
    url = reverse("section_detail", args=[document.initiative_id, document.pk, key])
    return url + ("?edit=1" if edit else "")


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "outsider", "get", url(document), **HTMX).status_code == 404
    assert request_as(cast, "outsider", "get", url(document, edit=True), **HTMX).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_readers_get_the_section_but_403_for_its_editor(cast, role):
    document = prfaq_for(cast)
    assert request_as(cast, role, "get", url(document), **HTMX).status_code == 200
    assert request_as(cast, role, "get", url(document, edit=True), **HTMX).status_code == 403


@pytest.mark.parametrize("role", WRITERS)
def test_writers_get_the_editor_with_text_version_and_preview(cast, role):
    document = prfaq_for(cast)
    summary = document.sections.get(key="summary")
    section_save(user=cast.editor, section=summary, body="*Seattle* — today", base_version=1)
    response = request_as(cast, role, "get", url(document, edit=True), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert ">*Seattle* — today</textarea>" in html
    assert base_version_in(html) == 2
    assert "<em>Seattle</em>" in html  # the preview
    assert "data-save-state" in html and 'aria-live="polite"' in html


def test_the_shown_section_renders_markdown(cast):
    document = prfaq_for(cast)
    summary = document.sections.get(key="summary")
    section_save(user=cast.editor, section=summary, body="**Now**", base_version=1)
    html = request_as(cast, "viewer", "get", url(document), **HTMX).content.decode()
    assert "<strong>Now</strong>" in html
    assert "data-autosave" not in html


def test_without_htmx_it_redirects_to_the_page(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "get", url(document, edit=True))
    assert response.status_code == 302
    assert response["Location"].endswith("/draft/?edit=summary#section-summary")


def test_an_unknown_key_is_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "editor", "get", url(document, "nope"), **HTMX).status_code == 404
