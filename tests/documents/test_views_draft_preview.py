"""The live preview: POST /i/<i>/d/<d>/draft/preview/."""

import pytest
from django.urls import reverse

from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, fragment_problems

pytestmark = pytest.mark.django_db


def url(document):
    return reverse("draft_preview", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "outsider", "post", url(document), {"body": "x"}).status_code == 404


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = prfaq_for(cast)
    assert request_as(cast, role, "post", url(document), {"body": "x"}).status_code == 403


@pytest.mark.parametrize("role", WRITERS)
def test_writers_get_rendered_markdown(cast, role):
    document = prfaq_for(cast)
    response = request_as(cast, role, "post", url(document), {"body": "# Hi\n\n*there*"})
    assert response.status_code == 200
    assert response.content.decode() == "<h1>Hi</h1>\n<p><em>there</em></p>"


def test_hostile_markdown_is_sanitized_in_the_preview(cast):
    document = prfaq_for(cast)
    for name, text in HOSTILE_INPUTS:
        response = request_as(cast, "editor", "post", url(document), {"body": text})
        if "\x00" in text:
            # Refused before any view (wbapp.bad_input): nothing of it is rendered.
            assert response.status_code == 400, name
            continue
        assert fragment_problems(response.content.decode()) == [], name
