"""Saving an iteration: POST /i/<i>/d/<d>/iterations/save/."""

import pytest
from django.urls import reverse

from documents.services.drafting import section_save
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db


def url(document):
    return reverse("iteration_save", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "outsider", "post", url(document), {"note": "x"}).status_code == 404
    assert not document.revisions.exists()


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = prfaq_for(cast)
    assert request_as(cast, role, "post", url(document), {"note": "x"}).status_code == 403
    assert not document.revisions.exists()


@pytest.mark.parametrize("role", WRITERS)
def test_writers_save_numbered_iterations_with_their_note(cast, role):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")
    section_save(user=cast.editor, section=headline, body="Returns, solved", base_version=1)
    response = request_as(cast, role, "post", url(document), {"note": "First full draft"})
    assert response.status_code == 302
    assert response["Location"] == reverse("draft", args=[document.initiative_id, document.pk])
    section_save(user=cast.editor, section=headline, body="Returns, solved!", base_version=2)
    request_as(cast, role, "post", url(document), {"note": ""})
    first, second = document.revisions.order_by("number")
    assert (first.number, first.note, first.author) == (1, "First full draft", cast.member(role))
    assert second.number == 2
    assert first.content["sections"][0]["body"] == "Returns, solved"


def test_the_draft_page_then_names_the_latest_iteration(cast, client_for):
    document = prfaq_for(cast)
    client = client_for(cast.editor)
    response = client.post(url(document), {"note": "Ready"}, follow=True)
    html = response.content.decode()
    assert "Iteration 1 saved." in html
    assert reverse("iteration_detail", args=[document.initiative_id, document.pk, 1]) in html


def test_a_note_longer_than_500_characters_is_refused(cast):
    document = prfaq_for(cast)
    request_as(cast, "editor", "post", url(document), {"note": "x" * 501})
    assert not document.revisions.exists()


def test_saving_an_unchanged_draft_shows_why_on_the_form_and_writes_nothing(cast, client_for):
    document = prfaq_for(cast)
    client = client_for(cast.editor)
    client.post(url(document), {"note": "First full draft"})

    response = client.post(url(document), {"note": "Again"})

    assert response.status_code == 409
    html = response.content.decode()
    assert (
        '<p class="message message--error" id="iteration-error" role="alert">'
        "Nothing has changed since iteration 1: edit the draft, then save an iteration.</p>"
    ) in " ".join(html.replace("\n", " ").split()).replace("> ", ">").replace(" <", "<")
    assert 'aria-describedby="id_note_helptext iteration-error"' in html
    assert 'value="Again"' in html  # the note typed is kept
    assert "Iteration 2 saved." not in html
    assert list(document.revisions.values_list("number", flat=True)) == [1]


def test_a_double_click_saves_one_iteration(cast, client_for):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")
    section_save(user=cast.editor, section=headline, body="Returns, solved", base_version=1)
    client = client_for(cast.editor)

    first = client.post(url(document), {"note": "Ready"})
    second = client.post(url(document), {"note": "Ready"})

    assert (first.status_code, second.status_code) == (302, 409)
    assert document.revisions.count() == 1
