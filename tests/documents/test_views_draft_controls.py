"""The drafting page's controls, stamped once per kind of row; its pinned fields and length."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from documents.forms import ImageUploadForm, IterationForm
from documents.lookups import draft_rows
from documents.models import DocumentKind, FaqAudience
from documents.services.drafting import faq_entry_add, section_add, section_save
from documents.services.initiatives import document_create
from documents.views.draft_items import (
    DRAFT,
    KEY_STAND_IN,
    LABEL_STAND_IN,
    draft_items,
    keep_page_shown,
    keep_shown,
    row_addresses,
    stamp_controls,
)
from documents.views.drafting import _length_report
from tests.documents.factories import InitiativeFactory, prfaq_for

pytestmark = pytest.mark.django_db

LABELS = [
    "A <b>bold</b> \"quoted\" & 'single' heading",
    LABEL_STAND_IN,
    KEY_STAND_IN,
    "{{ item.row.key }} {% csrf_token %}",
    "Plain",
]
TOKEN = "t" * 64
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _narrative(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    document = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE)
    for label in LABELS:
        section_add(user=cast.editor, document=document, heading=label)
    for question in ["", *LABELS]:
        faq_entry_add(
            user=cast.editor, document=document, audience=FaqAudience.EXTERNAL, question=question
        )
    return document


def _squeeze(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


def test_stamped_controls_equal_each_rows_own_rendering(cast):
    for document in (_narrative(cast), prfaq_for(cast)):
        sections, faq_entries = draft_rows(document)
        addresses = row_addresses(document)
        items = [*draft_items(sections, addresses), *draft_items(faq_entries, addresses)]
        stamp_controls(items, TOKEN)
        for item in items:
            partial = "section_controls" if item.anchor.startswith("section") else "faq_controls"
            own = render_to_string(f"{DRAFT}#{partial}", {"item": item, "csrf_token": TOKEN})
            assert item.controls == own


def test_every_form_of_the_page_carries_a_valid_csrf_token(cast):
    document = _narrative(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.editor)
    url = reverse("draft", args=[document.initiative_id, document.pk])
    html = client.get(url).content.decode()
    forms = re.findall(
        r'<form[^>]*method="post"[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S
    )
    assert len(forms) > 3 * len(LABELS)
    for _action, body in forms:
        assert len(CSRF_FIELD.findall(body)) == 1
    # The page's token works for its forms: a move, an added question, a removal.
    sections, faq_entries = draft_rows(document)
    token = CSRF_FIELD.search(html).group(1)
    move = reverse("section_move", args=[document.initiative_id, document.pk, sections[0].key])
    assert f'action="{move}"' in html
    response = client.post(move, {"direction": "down", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert draft_rows(document)[0][1].key == sections[0].key
    add = reverse("faq_add", args=[document.initiative_id, document.pk])
    response = client.post(add, {"audience": "internal", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    remove = reverse("faq_remove", args=[document.initiative_id, document.pk, faq_entries[0].key])
    assert f'action="{remove}"' in html
    assert client.post(remove, {"csrfmiddlewaretoken": token}).status_code == 302
    # Without a valid token nothing goes through.
    response = client.post(move, {"direction": "down", "csrfmiddlewaretoken": "x" * 64})
    assert response.status_code == 403


def test_the_written_out_fields_equal_the_forms(cast, client_for):
    document = prfaq_for(cast)
    html = _squeeze(
        client_for(cast.editor)
        .get(reverse("draft", args=[document.initiative_id, document.pk]))
        .content.decode()
    )
    for field in (IterationForm()["note"], ImageUploadForm()["image"]):
        assert _squeeze(str(field.as_field_group())) in html


def test_the_kept_length_report_equals_a_count_and_follows_saves(cast):
    document = prfaq_for(cast)
    sections, faq_entries = draft_rows(document)
    assert _length_report(document, sections, faq_entries) == document.length_report(
        sections, faq_entries
    )
    headline = next(s for s in sections if s.key == "headline")
    section_save(user=cast.editor, section=headline, body="one two three", base_version=1)
    faq_entry_add(
        user=cast.editor, document=document, audience=FaqAudience.INTERNAL, question="Why now?"
    )
    sections, faq_entries = draft_rows(document)
    report = _length_report(document, sections, faq_entries)
    assert report == document.length_report(sections, faq_entries)
    assert report.total_words == 5


def test_a_pages_rows_kept_together_equal_each_rows_own(cast, client_for):
    document = _narrative(cast)
    sections, faq_entries = draft_rows(document)
    addresses = row_addresses(document)

    def items():
        return [*draft_items(sections, addresses), *draft_items(faq_entries, addresses)]

    one_by_one, together = items(), items()
    keep_shown(one_by_one)
    keep_page_shown(together)  # rendered, then
    again = items()
    keep_page_shown(again)  # found
    for a, b, c in zip(one_by_one, together, again, strict=True):
        assert a.shown == b.shown == c.shown
    # A save makes another key: the page shows the new text.
    headline = sections[0]
    section_save(user=cast.editor, section=headline, body="Fresh words", base_version=1)
    url = reverse("draft", args=[document.initiative_id, document.pk])
    assert "Fresh words" in client_for(cast.viewer).get(url).content.decode()
