"""The drafting page: /i/<initiative>/d/<document>/draft/."""

import pytest
from django.urls import reverse

from documents.models import FaqAudience
from documents.services.drafting import faq_entry_add, faq_entry_save, section_save
from tests.documents.access import base_version_in
from tests.documents.factories import prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems

pytestmark = pytest.mark.django_db


def draft_url(document, **query):
    url = reverse("draft", args=[document.initiative_id, document.pk])
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return url


def test_outsider_gets_404(cast, client_for):
    document = prfaq_for(cast)
    assert client_for(cast.outsider).get(draft_url(document)).status_code == 404


def test_anonymous_visitor_is_sent_to_sign_in(cast, client):
    document = prfaq_for(cast)
    response = client.get(draft_url(document))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["viewer", "reviewer"])
def test_readers_see_the_draft_without_edit_controls(cast, client_for, role):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")
    section_save(user=cast.editor, section=section, body="Returns in one tap", base_version=1)
    response = client_for(cast.member(role)).get(draft_url(document))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Returns in one tap" in html
    assert "Save iteration" not in html
    assert "?edit=headline" not in html


@pytest.mark.parametrize("role", ["editor", "owner"])
def test_writers_see_every_template_section_with_edit_links(cast, client_for, role):
    document = prfaq_for(cast)
    response = client_for(cast.member(role)).get(draft_url(document))
    assert response.status_code == 200
    html = response.content.decode()
    for key in (
        "headline",
        "subheading",
        "summary",
        "problem",
        "solution",
        "leader_quote",
        "getting_started",
        "customer_quote",
        "call_to_action",
    ):
        assert f'id="section-{key}"' in html
        assert f"?edit={key}" in html
    assert "Save iteration" in html
    assert "External FAQ" in html and "Internal FAQ" in html


def test_edit_query_opens_the_editor_of_that_section_with_its_version(cast, client_for):
    document = prfaq_for(cast)
    section = document.sections.get(key="problem")
    section_save(user=cast.editor, section=section, body="Boxes.", base_version=1)
    html = client_for(cast.editor).get(draft_url(document, edit="problem")).content.decode()
    assert base_version_in(html) == 2
    assert "data-autosave" in html
    assert ">Boxes.</textarea>" in html


def test_readers_cannot_open_an_editor_with_the_edit_query(cast, client_for):
    document = prfaq_for(cast)
    html = client_for(cast.viewer).get(draft_url(document, edit="problem")).content.decode()
    assert "data-autosave" not in html


def test_word_counts_and_a_press_release_warning_are_shown(cast, client_for):
    document = prfaq_for(cast)
    section = document.sections.get(key="summary")
    section_save(user=cast.editor, section=section, body="word " * 600, base_version=1)
    html = client_for(cast.editor).get(draft_url(document)).content.decode()
    assert "600 words" in html
    assert "The press release runs past one page" in html


def test_faq_entries_appear_under_their_audience(cast, client_for):
    document = prfaq_for(cast)
    external = faq_entry_add(
        user=cast.editor, document=document, audience=FaqAudience.EXTERNAL, question="Cost?"
    )
    internal = faq_entry_add(
        user=cast.editor, document=document, audience=FaqAudience.INTERNAL, question="Fraud?"
    )
    html = client_for(cast.editor).get(draft_url(document)).content.decode()
    external_list = html.split('id="faq-list-external"')[1].split("</ol>")[0]
    internal_list = html.split('id="faq-list-internal"')[1].split("</ol>")[0]
    assert f"faq-{external.key}" in external_list and "Cost?" in external_list
    assert f"faq-{internal.key}" in internal_list and "Fraud?" in internal_list


def test_hostile_markdown_in_sections_and_faq_is_defused(cast, client_for):
    document = prfaq_for(cast)
    client = client_for(cast.editor)
    section = document.sections.get(key="solution")
    for name, text in HOSTILE_INPUTS:
        section = section_save(
            user=cast.editor, section=section, body=text, base_version=section.version
        )
        faq_entry_add(
            user=cast.editor, document=document, audience="external", question=text, answer=text
        )
        html = client.get(draft_url(document)).content.decode()
        assert page_problems(html) == [], name
        # The editor shows the text as typed, escaped, inside a textarea.
        editor = client.get(draft_url(document, edit="solution")).content.decode()
        assert page_problems(editor) == [], name


def test_a_rows_kept_html_changes_when_its_text_or_heading_changes(cast, client_for):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")
    headline = section_save(
        user=cast.editor, section=headline, body="Returns in one tap", base_version=1
    )
    entry = faq_entry_add(
        user=cast.editor, document=document, audience=FaqAudience.EXTERNAL, question="Cost?"
    )
    url = draft_url(document)
    assert "Returns in one tap" in client_for(cast.viewer).get(url).content.decode()

    section_save(user=cast.editor, section=headline, body="Returns in two taps", base_version=2)
    entry = faq_entry_save(
        user=cast.editor, entry=entry, question="Price?", answer="Free.", base_version=1
    )

    for user in (cast.viewer, cast.editor):
        content = client_for(user).get(url).content.decode()
        assert "Returns in two taps" in content and "Returns in one tap" not in content
        assert "Price?" in content and "Cost?" not in content
        assert "<p>Free.</p>" in content
    # The kept rows carry no viewer's controls: the editor's are rendered around them.
    assert 'class="item-actions"' not in client_for(cast.viewer).get(url).content.decode()
    editor_page = client_for(cast.editor).get(url).content.decode()
    assert editor_page.count('class="item-actions"') == document.sections.count() + 1
