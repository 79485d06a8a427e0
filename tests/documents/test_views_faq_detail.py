"""One FAQ entry as a fragment: GET /i/<i>/d/<d>/faq/<key>/ (``?edit=1``: its editor)."""

import pytest
from django.urls import reverse

from documents.services.drafting import faq_entry_add
from tests.documents.access import READERS, WRITERS, base_version_in, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def entry_for(cast):
    document = prfaq_for(cast)
    entry = faq_entry_add(
        user=cast.editor,
        document=document,
        audience="external",
        question="What does it cost?",
        answer="Nothing, **ever**.",
    )
    return document, entry


def url(document, entry, edit=False):
    url = reverse("faq_detail", args=[document.initiative_id, document.pk, entry.key])
    return url + ("?edit=1" if edit else "")


def test_outsider_gets_404(cast):
    document, entry = entry_for(cast)
    assert request_as(cast, "outsider", "get", url(document, entry), **HTMX).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_entry_but_get_403_for_its_editor(cast, role):
    document, entry = entry_for(cast)
    response = request_as(cast, role, "get", url(document, entry), **HTMX)
    assert response.status_code == 200
    assert "<strong>ever</strong>" in response.content.decode()
    assert request_as(cast, role, "get", url(document, entry, True), **HTMX).status_code == 403


@pytest.mark.parametrize("role", WRITERS)
def test_writers_get_the_editor(cast, role):
    document, entry = entry_for(cast)
    html = request_as(cast, role, "get", url(document, entry, True), **HTMX).content.decode()
    assert 'value="What does it cost?"' in html
    assert ">Nothing, **ever**.</textarea>" in html
    assert base_version_in(html) == 1


def test_without_htmx_it_redirects_to_the_page(cast):
    document, entry = entry_for(cast)
    response = request_as(cast, "editor", "get", url(document, entry, True))
    assert response["Location"].endswith(f"/draft/?edit={entry.key}#faq-{entry.key}")
