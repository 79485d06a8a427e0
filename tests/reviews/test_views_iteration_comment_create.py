"""POST /i/<i>/d/<d>/iterations/<n>/comments/: an asynchronous comment, visible at once."""

import pytest
from django.urls import reverse

from reviews.models import Comment
from tests.documents.access import request_as
from tests.reviews.factories import revision_for

pytestmark = pytest.mark.django_db


def url(revision):
    document = revision.document
    return reverse(
        "iteration_comment_create", args=[document.initiative_id, document.pk, revision.number]
    )


def data(**overrides):
    return {"kind": "question", "body": "Which couriers?", "section_key": "summary"} | overrides


def test_outsider_gets_404(cast):
    revision = revision_for(cast)
    assert request_as(cast, "outsider", "post", url(revision), data()).status_code == 404


def test_a_viewer_gets_403(cast):
    revision = revision_for(cast)
    assert request_as(cast, "viewer", "post", url(revision), data()).status_code == 403
    assert not Comment.objects.exists()


@pytest.mark.parametrize("role", ["reviewer", "editor", "owner"])
def test_reviewers_and_up_comment_and_the_team_sees_it_at_once(cast, role):
    revision = revision_for(cast)
    data_ = data(quote="A courier collects the parcel")
    response = request_as(cast, role, "post", url(revision), data_)
    saved = Comment.objects.get()
    document = revision.document
    iteration = reverse("iteration_detail", args=[document.initiative_id, document.pk, 1])
    assert response["Location"] == f"{iteration}#comment-{saved.pk}"
    assert saved.session is None
    assert Comment.objects.visible_to(cast.viewer).filter(pk=saved.pk).exists()


def test_a_section_that_is_not_in_the_iteration_is_refused(cast):
    revision = revision_for(cast)
    response = request_as(
        cast, "reviewer", "post", url(revision), data(section_key="nope"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()
