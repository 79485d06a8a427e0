"""Restoring an iteration: POST /i/<i>/d/<d>/iterations/<n>/restore/."""

import pytest
from django.urls import reverse

from documents.services.drafting import section_save
from documents.services.iterations import iteration_save
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for
from wbapp.activity.models import Activity

pytestmark = pytest.mark.django_db


def two_iterations(cast):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")
    headline = section_save(user=cast.editor, section=headline, body="Old", base_version=1)
    iteration_save(user=cast.editor, document=document, note="one")
    section_save(user=cast.editor, section=headline, body="New", base_version=2)
    iteration_save(user=cast.editor, document=document, note="two")
    return document


def url(document, number=1):
    return reverse("iteration_restore", args=[document.initiative_id, document.pk, number])


def test_outsider_gets_404(cast):
    document = two_iterations(cast)
    assert request_as(cast, "outsider", "post", url(document)).status_code == 404
    assert document.revisions.count() == 2


@pytest.mark.parametrize("role", READERS)
def test_reviewers_and_viewers_get_403(cast, role):
    document = two_iterations(cast)
    assert request_as(cast, role, "post", url(document)).status_code == 403
    assert document.revisions.count() == 2


def test_get_is_not_allowed(cast):
    document = two_iterations(cast)
    assert request_as(cast, "editor", "get", url(document)).status_code == 405


@pytest.mark.parametrize("role", WRITERS)
def test_restoring_makes_a_new_iteration_and_resets_the_draft(cast, role):
    document = two_iterations(cast)
    response = request_as(cast, role, "post", url(document), {"note": "back to basics"})
    newest = document.revisions.order_by("-number").first()
    assert newest.number == 3
    assert newest.note == "Restored iteration 1: back to basics"
    assert response["Location"] == reverse(
        "iteration_detail", args=[document.initiative_id, document.pk, 3]
    )
    assert document.sections.get(key="headline").body == "Old"
    # The two earlier iterations are untouched.
    assert [r.note for r in document.revisions.order_by("number")][:2] == ["one", "two"]


def test_restoring_the_text_the_latest_iteration_has_is_refused_and_notifies_nobody(
    cast, client_for
):
    document = two_iterations(cast)
    client = client_for(cast.editor)
    client.post(url(document, 1))
    before = Activity.objects.count()

    # Iteration 3 has the text of iteration 1 already, and the draft is unchanged.
    response = client.post(url(document, 1), follow=True)

    assert response.status_code == 200
    assert "Iteration 3 already has the text of iteration 1" in response.content.decode()
    assert document.revisions.count() == 3
    assert Activity.objects.count() == before
