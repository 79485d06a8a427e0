"""Adding an FAQ entry: POST /i/<i>/d/<d>/faq/add/."""

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


def test_htmx_gets_the_editor_of_the_new_entry(cast):
    document = prfaq_for(cast)
    response = request_as(
        cast, "editor", "post", url(document), {"audience": "internal"}, HTTP_HX_REQUEST="true"
    )
    entry = document.faq_entries.get()
    html = response.content.decode()
    assert html.strip().startswith("<li")
    assert f'id="faq-{entry.key}"' in html and 'name="question"' in html


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
