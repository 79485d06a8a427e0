"""Reordering FAQ entries: POST /i/<i>/d/<d>/faq/<key>/move/."""

import pytest
from django.urls import reverse

from documents.models import FaqEntry
from documents.services.drafting import faq_entry_add, faq_entry_remove
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for

pytestmark = pytest.mark.django_db


def three_entries(cast):
    document = prfaq_for(cast)
    entries = [
        faq_entry_add(user=cast.editor, document=document, audience="external", question=f"Q{n}")
        for n in range(3)
    ]
    return document, entries


def order(document):
    return list(
        document.faq_entries.filter(audience="external")
        .order_by("position")
        .values_list("question", flat=True)
    )


def url(document, entry):
    return reverse("faq_move", args=[document.initiative_id, document.pk, entry.key])


def test_outsider_gets_404(cast):
    document, entries = three_entries(cast)
    response = request_as(cast, "outsider", "post", url(document, entries[1]), {"direction": "up"})
    assert response.status_code == 404
    assert order(document) == ["Q0", "Q1", "Q2"]


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document, entries = three_entries(cast)
    response = request_as(cast, role, "post", url(document, entries[1]), {"direction": "up"})
    assert response.status_code == 403
    assert order(document) == ["Q0", "Q1", "Q2"]


@pytest.mark.parametrize("role", WRITERS)
def test_writers_move_entries_up_and_down(cast, role):
    document, entries = three_entries(cast)
    response = request_as(cast, role, "post", url(document, entries[2]), {"direction": "up"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#faq-{entries[2].key}")
    assert order(document) == ["Q0", "Q2", "Q1"]
    request_as(cast, role, "post", url(document, entries[0]), {"direction": "down"})
    assert order(document) == ["Q2", "Q0", "Q1"]


def test_moving_the_first_entry_up_changes_nothing(cast):
    document, entries = three_entries(cast)
    request_as(cast, "editor", "post", url(document, entries[0]), {"direction": "up"})
    assert order(document) == ["Q0", "Q1", "Q2"]


def test_the_script_and_htmx_get_short_answers(cast):
    document, entries = three_entries(cast)
    response = request_as(
        cast,
        "editor",
        "post",
        url(document, entries[1]),
        {"direction": "down"},
        HTTP_ACCEPT="application/json",
    )
    assert response.json() == {"moved": True}
    response = request_as(
        cast,
        "editor",
        "post",
        url(document, entries[1]),
        {"direction": "up"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 204
    assert order(document) == ["Q0", "Q1", "Q2"]


@pytest.mark.parametrize("htmx", [False, True])
def test_moving_a_question_removed_meanwhile_is_a_404_that_says_so(cast, monkeypatch, htmx):
    document, entries = three_entries(cast)
    looked_up = entries[1]

    def removed_after_the_lookup(document, key):
        # Another editor removes it between this request's lookup and its move.
        faq_entry_remove(user=cast.owner, entry=FaqEntry.objects.get(pk=looked_up.pk))
        return looked_up

    monkeypatch.setattr("documents.views.drafting.get_faq_entry", removed_after_the_lookup)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = request_as(
        cast, "editor", "post", url(document, looked_up), {"direction": "up"}, **extra
    )
    assert response.status_code == 404
    assert "removed" in response.content.decode()
    assert order(document) == ["Q0", "Q2"]
