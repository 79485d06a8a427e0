"""Saving an FAQ entry: POST /i/<i>/d/<d>/faq/<key>/save/."""

import pytest
from django.urls import reverse

from documents.services.drafting import faq_entry_add, faq_entry_remove, faq_entry_save
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db

JSON = {"HTTP_ACCEPT": "application/json"}


def entry_for(cast):
    document = prfaq_for(cast)
    entry = faq_entry_add(user=cast.editor, document=document, audience="external")
    return document, entry


def url(document, entry):
    return reverse("faq_save", args=[document.initiative_id, document.pk, entry.key])


def data(**changes):
    return {"question": "Cost?", "answer": "Free.", "base_version": 1} | changes


def test_outsider_gets_404(cast):
    document, entry = entry_for(cast)
    assert request_as(cast, "outsider", "post", url(document, entry), data()).status_code == 404
    entry.refresh_from_db()
    assert entry.question == ""


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document, entry = entry_for(cast)
    assert request_as(cast, role, "post", url(document, entry), data()).status_code == 403
    entry.refresh_from_db()
    assert entry.question == ""


@pytest.mark.parametrize("role", WRITERS)
def test_writers_autosave_question_and_answer(cast, role):
    document, entry = entry_for(cast)
    response = request_as(cast, role, "post", url(document, entry), data(), **JSON)
    assert response.status_code == 200
    assert response.json()["version"] == 2
    entry.refresh_from_db()
    assert (entry.question, entry.answer, entry.version) == ("Cost?", "Free.", 2)


def test_a_plain_post_redirects_to_the_entry(cast):
    document, entry = entry_for(cast)
    response = request_as(cast, "editor", "post", url(document, entry), data())
    assert response["Location"].endswith(f"#faq-{entry.key}")


def test_a_stale_save_gets_409_with_both_questions_and_answers(cast):
    document, entry = entry_for(cast)
    faq_entry_save(
        user=cast.owner,
        entry=entry,
        question="Owner question",
        answer="Owner answer",
        base_version=1,
    )
    mine = data(question="Editor question", answer="Editor answer")
    response = request_as(cast, "editor", "post", url(document, entry), mine, **JSON)
    assert response.status_code == 409
    html = response.json()["html"]
    for text in ("Editor question", "Editor answer", "Owner question", "Owner answer"):
        assert text in html
    entry.refresh_from_db()
    assert entry.answer == "Owner answer"


def test_a_stale_plain_post_gets_the_conflict_page(cast):
    document, entry = entry_for(cast)
    faq_entry_save(
        user=cast.owner, entry=entry, question="Q", answer="Owner answer", base_version=1
    )
    response = request_as(cast, "editor", "post", url(document, entry), data(answer="Mine"))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Your text was not saved" in html and ">Mine</textarea>" in html


def test_saving_into_a_removed_entry_is_404_and_stores_nothing(cast):
    document, entry = entry_for(cast)
    faq_entry_remove(user=cast.owner, entry=entry)
    response = request_as(cast, "editor", "post", url(document, entry), data(answer="Keep me"))
    # The entry is gone: 404 before any save; the autosave script keeps the text on screen.
    assert response.status_code == 404
    assert not document.faq_entries.exists()
