"""POST /c/<id>/plus-one/: "+1" on a thread, and taking it back."""

import pytest
from django.urls import reverse

from reviews.models import Reaction
from tests.documents.access import request_as
from tests.reviews.factories import comment, discussion_session, reading_session

pytestmark = pytest.mark.django_db


def url(thread):
    return reverse("comment_plus_one", args=[thread.pk])


def test_outsider_gets_404(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "outsider", "post", url(thread)).status_code == 404


def test_a_viewer_who_may_not_discuss_gets_403(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    assert request_as(cast, "viewer", "post", url(thread)).status_code == 403
    assert not Reaction.objects.exists()


def test_a_member_adds_and_takes_back_a_plus_one(cast):
    thread = comment(cast.reviewer, discussion_session(cast))
    html = request_as(cast, "owner", "post", url(thread), HTTP_HX_REQUEST="true").content.decode()
    assert Reaction.objects.filter(comment=thread, user=cast.owner).exists()
    assert 'aria-pressed="true"' in html and "+1 · 1" in html
    request_as(cast, "owner", "post", url(thread))
    assert not Reaction.objects.exists()


def test_no_plus_one_on_another_readers_private_comment(cast):
    thread = comment(cast.reviewer, reading_session(cast))
    assert request_as(cast, "editor", "post", url(thread)).status_code == 404
