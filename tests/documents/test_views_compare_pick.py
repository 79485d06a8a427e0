"""The compare form: GET /i/<i>/d/<d>/compare/?a=&b= redirects to the comparison."""

import pytest
from django.urls import reverse

from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import iteration_save_changed, prfaq_for

pytestmark = pytest.mark.django_db


def url(document):
    return reverse("compare_pick", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "outsider", "get", url(document), {"a": 1, "b": 2}).status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_are_sent_to_the_comparisons_address(cast, role):
    document = prfaq_for(cast)
    iteration_save_changed(user=cast.editor, document=document)
    iteration_save_changed(user=cast.editor, document=document)
    response = request_as(cast, role, "get", url(document), {"a": 1, "b": 2})
    assert response["Location"] == reverse(
        "compare", args=[document.initiative_id, document.pk, 1, 2]
    )


def test_missing_numbers_go_back_to_the_list(cast):
    document = prfaq_for(cast)
    response = request_as(cast, "editor", "get", url(document), {"a": "x"})
    assert response["Location"] == reverse(
        "iteration_list", args=[document.initiative_id, document.pk]
    )
