"""Saving a section: POST /i/<i>/d/<d>/sections/<key>/save/ — autosave, htmx and plain."""

import json

import pytest
from django.urls import reverse

from documents.services.drafting import section_save
from documents.services.initiatives import document_create
from tests.documents.access import READERS, WRITERS, base_version_in, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(document, key="problem"):
    return reverse("section_save", args=[document.initiative_id, document.pk, key])


def section(document, key="problem"):
    return document.sections.get(key=key)


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "outsider", "post", url(document), {"body": "x", "base_version": 1})
    assert response.status_code == 404
    assert section(document).body == ""


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = prfaq_for(cast)
    response = request_as(cast, role, "post", url(document), {"body": "x", "base_version": 1})
    assert response.status_code == 403
    assert section(document).body == ""


def test_get_is_not_allowed(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "editor", "get", url(document)).status_code == 405


def test_an_unknown_section_is_404(cast):
    document = prfaq_for(cast)
    response = request_as(
        cast, "editor", "post", url(document, "s-00000000"), {"body": "x", "base_version": 1}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", WRITERS)
def test_autosave_returns_the_new_version_preview_and_counts_as_json(cast, role):
    document = prfaq_for(cast)
    response = request_as(
        cast,
        role,
        "post",
        url(document),
        {"body": "Returns take **a week**.", "base_version": 1},
        **JSON,
    )
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["version"] == 2
    assert data["html"] == "<p>Returns take <strong>a week</strong>.</p>"
    assert data["words"] == 4
    assert "4</strong> words" in data["stats_html"]
    saved = section(document)
    assert (saved.body, saved.version, saved.updated_by) == (
        "Returns take **a week**.",
        2,
        cast.member(role),
    )


def test_the_text_is_saved_exactly_as_typed(cast):
    document = prfaq_for(cast)
    body = "  Indented first line\n\n- a list\n\n"
    request_as(cast, "editor", "post", url(document), {"body": body, "base_version": 1}, **JSON)
    assert section(document).body == body


def test_a_plain_post_saves_and_redirects_to_the_section(cast):
    document = prfaq_for(cast)
    response = request_as(
        cast, "editor", "post", url(document), {"body": "Plain.", "base_version": 1}
    )
    assert response.status_code == 302
    assert response["Location"].endswith("/draft/#section-problem")
    assert section(document).body == "Plain."


def test_htmx_gets_the_editor_back_with_the_new_version(cast):
    document = prfaq_for(cast)
    response = request_as(
        cast, "editor", "post", url(document), {"body": "Via htmx.", "base_version": 1}, **HTMX
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert base_version_in(html) == 2
    assert "Saved" in html
    assert "<html" not in html


def _stale(cast, document):
    """The owner saves first; the editor's save still says version 1."""
    section_save(
        user=cast.owner, section=section(document), body="Owner's current text.", base_version=1
    )
    return {"body": "Editor's own words.", "base_version": 1}


def test_a_stale_autosave_gets_409_with_both_texts_and_changes_nothing(cast):
    document = prfaq_for(cast)
    data = _stale(cast, document)
    response = request_as(cast, "editor", "post", url(document), data, **JSON)
    assert response.status_code == 409
    payload = json.loads(response.content)
    assert payload["conflict"] is True
    assert "Editor&#x27;s own words." in payload["html"]
    assert "Owner&#x27;s current text." in payload["html"]
    assert base_version_in(payload["html"]) == 2
    current = section(document)
    assert (current.body, current.version) == ("Owner's current text.", 2)


def test_a_stale_htmx_save_gets_409_and_the_conflict_fragment(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "post", url(document), _stale(cast, document), **HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Your text" in html and "Current text (version 2)" in html
    assert "Editor&#x27;s own words." in html and "Owner&#x27;s current text." in html
    assert "<html" not in html


def test_a_stale_plain_post_gets_the_conflict_page_with_409(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "post", url(document), _stale(cast, document))
    html = response.content.decode()
    assert response.status_code == 409
    assert "<html" in html and "Your text was not saved" in html
    assert "Editor&#x27;s own words.</textarea>" in html
    assert "Owner&#x27;s current text.</textarea>" in html
    # The plain page's merge form posts without htmx, against the current version.
    assert "hx-post" not in html.split('class="conflict-form"')[1].split(">")[0]


def test_saving_the_merged_text_against_the_current_version_succeeds(cast):
    document = prfaq_for(cast)
    _stale(cast, document)
    merged = {"body": "Owner's current text. Editor's own words.", "base_version": 2}
    response = request_as(cast, "editor", "post", url(document), merged, **JSON)
    assert response.status_code == 200
    assert section(document).body == merged["body"]


def test_the_same_text_sent_twice_is_not_a_conflict(cast):
    document = prfaq_for(cast)
    data = {"body": "Retried autosave.", "base_version": 1}
    request_as(cast, "editor", "post", url(document), data, **JSON)
    response = request_as(cast, "editor", "post", url(document), data, **JSON)
    assert response.status_code == 200


def test_a_save_without_a_version_is_400_and_changes_nothing(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "post", url(document), {"body": "x"}, **JSON)
    assert response.status_code == 400
    assert "base_version" in json.loads(response.content)["errors"]
    assert section(document).body == ""


def test_text_with_a_nul_character_is_refused_not_stored(cast):
    document = prfaq_for(cast)
    data = {"body": "java\x00script", "base_version": 1}
    response = request_as(cast, "editor", "post", url(document), data, **JSON)
    assert response.status_code == 400
    assert section(document).body == ""


def test_a_template_section_keeps_its_heading(cast):
    document = prfaq_for(cast)
    data = {"body": "x", "heading": "Renamed", "base_version": 1}
    request_as(cast, "editor", "post", url(document), data, **JSON)
    assert section(document).heading == "Problem"


def test_a_free_sections_heading_is_saved_with_its_text(cast):
    from documents.models import DocumentKind
    from tests.documents.factories import InitiativeFactory

    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    document = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE)
    key = document.sections.first().key
    data = {"body": "Why now.", "heading": "Purpose", "base_version": 1}
    response = request_as(cast, "editor", "post", url(document, key), data, **JSON)
    assert response.status_code == 200
    saved = document.sections.get(key=key)
    assert (saved.heading, saved.body) == ("Purpose", "Why now.")
