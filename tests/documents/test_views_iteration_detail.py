"""One iteration, read-only: GET /i/<i>/d/<d>/iterations/<n>/."""

import pytest
from django.urls import reverse

from documents.models import Revision
from documents.services.drafting import faq_entry_add, section_save
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import iteration_save_changed, prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems

pytestmark = pytest.mark.django_db


def url(document, number=1):
    return reverse("iteration_detail", args=[document.initiative_id, document.pk, number])


def drafted(cast):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")
    section_save(user=cast.editor, section=headline, body="*Returns* in a tap", base_version=1)
    faq_entry_add(
        user=cast.editor, document=document, audience="external", question="Cost?", answer="None."
    )
    faq_entry_add(
        user=cast.editor, document=document, audience="internal", question="Fraud?", answer="Low."
    )
    iteration_save_changed(user=cast.editor, document=document, note="First")
    return document


def test_outsider_gets_404(cast):
    document = drafted(cast)
    assert request_as(cast, "outsider", "get", url(document)).status_code == 404


def test_a_missing_iteration_is_404(cast):
    document = drafted(cast)
    assert request_as(cast, "editor", "get", url(document, 2)).status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_read_the_iteration_as_a_memo(cast, role):
    document = drafted(cast)
    html = request_as(cast, role, "get", url(document)).content.decode()
    assert "<em>Returns</em> in a tap" in html
    assert "Cost?" in html and "Fraud?" in html
    assert html.index("Press release") < html.index("External FAQ") < html.index("Internal FAQ")
    assert reverse("iteration_export", args=[document.initiative_id, document.pk, 1]) in html
    assert "data-autosave" not in html


@pytest.mark.parametrize(
    ("role", "can_restore"),
    [("viewer", False), ("reviewer", False), ("editor", True), ("owner", True)],
)
def test_restore_is_offered_to_writers_only(cast, role, can_restore):
    document = drafted(cast)
    html = request_as(cast, role, "get", url(document)).content.decode()
    restore = reverse("iteration_restore", args=[document.initiative_id, document.pk, 1])
    assert (restore in html) is can_restore


def test_the_html_comes_from_the_iterations_cache_not_a_new_rendering(cast, monkeypatch):
    document = drafted(cast)

    def no_rendering(text):
        raise AssertionError("an iteration page must not render Markdown")

    monkeypatch.setattr("documents.rendering.render_markdown", no_rendering)
    monkeypatch.setattr("documents.models.initiatives.render_markdown", no_rendering)
    monkeypatch.setattr("documents.views.drafting.render_markdown", no_rendering)
    response = request_as(cast, "viewer", "get", url(document))
    assert response.status_code == 200
    assert "<em>Returns</em> in a tap" in response.content.decode()


def test_previous_and_next_links(cast):
    document = drafted(cast)
    iteration_save_changed(user=cast.editor, document=document, note="Second")
    first = request_as(cast, "viewer", "get", url(document, 1)).content.decode()
    second = request_as(cast, "viewer", "get", url(document, 2)).content.decode()
    assert url(document, 2) in first and "First iteration" in first
    assert url(document, 1) in second and "Latest iteration" in second


def test_hostile_markdown_and_notes_are_defused(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="solution")
    for number, (name, text) in enumerate(HOSTILE_INPUTS, start=1):
        section = section_save(
            user=cast.editor, section=section, body=text, base_version=section.version
        )
        faq_entry_add(
            user=cast.editor, document=document, audience="internal", question=text, answer=text
        )
        iteration_save_changed(user=cast.editor, document=document, note=text[:500])
        html = request_as(cast, "viewer", "get", url(document, number)).content.decode()
        assert page_problems(html) == [], name
    assert Revision.objects.filter(document=document).count() == len(HOSTILE_INPUTS)
