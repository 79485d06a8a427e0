"""documents/kept.py: a draft row's HTML is kept under html_key and follows its row."""

import pytest
from django.core.cache import cache

from documents import kept, rendering
from documents.models import FaqAudience
from documents.services.drafting import faq_entry_add, faq_entry_save, section_save
from tests.documents.factories import prfaq_for
from wbapp.cache import html_key

pytestmark = pytest.mark.django_db


def test_a_rows_html_is_kept_under_html_key_with_the_renderers_digest(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")
    section = section_save(user=cast.editor, section=section, body="**One** tap", base_version=1)

    rendered = kept.draft_html([section])

    key = html_key(
        (),
        "section",
        section.pk,
        section.version,
        section.updated_at.timestamp(),
        code=[rendering],
    )
    assert rendered == {key: "<p><strong>One</strong> tap</p>"}
    assert cache.get(key) == "<p><strong>One</strong> tap</p>"


def test_kept_html_changes_when_the_text_changes(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")
    section = section_save(user=cast.editor, section=section, body="First", base_version=1)
    assert kept.row_html(section) == "<p>First</p>"

    section = section_save(
        user=cast.editor, section=section, body="Second", base_version=section.version
    )

    assert kept.row_html(section) == "<p>Second</p>"
    fresh = type(section).objects.get(pk=section.pk)
    assert kept.row_html(fresh) == "<p>Second</p>"


def test_kept_answer_html_changes_when_the_answer_changes(cast):
    document = prfaq_for(cast)
    entry = faq_entry_add(
        user=cast.editor,
        document=document,
        audience=FaqAudience.EXTERNAL,
        question="Why?",
        answer="Because.",
    )
    assert kept.row_html(entry) == "<p>Because.</p>"

    entry = faq_entry_save(
        user=cast.editor,
        entry=entry,
        question="Why?",
        answer="Because *now*.",
        base_version=entry.version,
    )

    assert kept.row_html(type(entry).objects.get(pk=entry.pk)) == "<p>Because <em>now</em>.</p>"


def test_a_section_and_an_faq_entry_with_the_same_id_are_kept_apart(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")
    section = section_save(user=cast.editor, section=section, body="Section", base_version=1)
    entry = faq_entry_add(
        user=cast.editor, document=document, audience=FaqAudience.EXTERNAL, answer="Entry"
    )
    entry.pk, entry.version, entry.updated_at = section.pk, section.version, section.updated_at

    rendered = kept.draft_html([section, entry])

    assert sorted(rendered.values()) == ["<p>Entry</p>", "<p>Section</p>"]
