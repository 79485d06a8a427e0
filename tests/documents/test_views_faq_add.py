"""Adding an FAQ entry: POST /i/<i>/d/<d>/faq/add/."""

import re

import pytest
from django.urls import reverse

from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db


def url(document):
    return reverse("faq_add", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "outsider", "post", url(document), {"audience": "external"})
    assert response.status_code == 404
    assert not document.faq_entries.exists()


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = prfaq_for(cast)
    response = request_as(cast, role, "post", url(document), {"audience": "external"})
    assert response.status_code == 403
    assert not document.faq_entries.exists()


@pytest.mark.parametrize(("role", "audience"), [("editor", "external"), ("owner", "internal")])
def test_writers_add_an_entry_and_land_in_its_editor(cast, role, audience):
    document = prfaq_for(cast)
    response = request_as(cast, role, "post", url(document), {"audience": audience})
    entry = document.faq_entries.get()
    assert entry.audience == audience
    assert response["Location"].endswith(f"?edit={entry.key}#faq-{entry.key}")


def _add_with_htmx(cast, document, audience="internal"):
    response = request_as(
        cast, "editor", "post", url(document), {"audience": audience}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    key = re.search(r'id="faq-(q-[0-9a-f]{8})"', html).group(1)
    return html, key


def _save(cast, document, key, base_version, **fields):
    data = {"question": "", "answer": "", "audience": "internal", "base_version": base_version}
    return request_as(
        cast,
        "editor",
        "post",
        reverse("faq_save", args=[document.initiative_id, document.pk, key]),
        data | fields,
        HTTP_ACCEPT="application/json",
    )


def test_htmx_gets_the_editor_of_a_question_not_stored_yet(cast):
    document = prfaq_for(cast)
    html, key = _add_with_htmx(cast, document)
    assert html.strip().startswith("<li")
    assert 'name="question"' in html
    assert re.search(r'name="base_version"\s+value="0"', html)
    assert '<input type="hidden" name="audience" value="internal">' in html
    assert not document.faq_entries.exists()  # "+ Add a question" alone stores nothing


def test_the_first_save_with_words_stores_the_question_and_later_saves_update_it(cast):
    document = prfaq_for(cast)
    _, key = _add_with_htmx(cast, document)

    response = _save(cast, document, key, 0, question="Why now?")

    assert response.status_code == 200 and response.json()["version"] == 1
    entry = document.faq_entries.get()
    assert (entry.key, entry.audience, entry.question) == (key, "internal", "Why now?")
    assert _save(cast, document, key, 1, question="Why now?", answer="Because").status_code == 200
    entry.refresh_from_db()
    assert (entry.answer, entry.version) == ("Because", 2)


def test_a_question_added_and_left_blank_leaves_nothing(cast):
    document = prfaq_for(cast)
    _, key = _add_with_htmx(cast, document)

    # A Save with nothing typed, then Done, then the author leaves.
    assert _save(cast, document, key, 0, question="  ").json()["version"] == 0
    done = request_as(
        cast,
        "editor",
        "get",
        reverse("faq_detail", args=[document.initiative_id, document.pk, key]),
        HTTP_HX_REQUEST="true",
    )

    assert (done.status_code, done.content) == (200, b"")
    assert not document.faq_entries.exists()
    draft = request_as(
        cast, "editor", "get", reverse("draft", args=[document.initiative_id, document.pk])
    )
    assert "Untitled question" not in draft.content.decode()


def test_a_first_save_under_a_made_up_key_is_refused(cast):
    document = prfaq_for(cast)
    assert _save(cast, document, "not-a-key", 0, question="Hi").status_code == 400
    assert not document.faq_entries.exists()


def test_an_unknown_audience_is_400(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "post", url(document), {"audience": "press"})
    assert response.status_code == 400
    assert not document.faq_entries.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_entries_add_up_in_order(cast, role):
    document = prfaq_for(cast)
    for _ in range(3):
        request_as(cast, role, "post", url(document), {"audience": "external"})
    assert list(document.faq_entries.values_list("position", flat=True)) == [0, 1, 2]
