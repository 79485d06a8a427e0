"""Following an initiative: POST /i/<initiative>/follow/."""

import pytest
from django.urls import reverse

from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory
from wbapp.activity.models import InitiativeMute

pytestmark = pytest.mark.django_db


def url(initiative):
    return reverse("initiative_follow", args=[initiative.pk])


def test_outsider_gets_404(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, "outsider", "post", url(initiative), {"follow": "1"}).status_code == 404
    assert not initiative.followers.exists()


def test_get_is_not_allowed(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    assert request_as(cast, "viewer", "get", url(initiative)).status_code == 405


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_every_member_can_follow_and_unfollow(cast, role):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    user = cast.member(role)
    response = request_as(cast, role, "post", url(initiative), {"follow": "1"})
    assert response.status_code == 302
    assert initiative.followers.filter(pk=user.pk).exists()
    request_as(cast, role, "post", url(initiative), {"follow": "0"})
    assert not initiative.followers.filter(pk=user.pk).exists()


def test_htmx_gets_the_button_back_in_its_new_state(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    response = request_as(
        cast, "viewer", "post", url(initiative), {"follow": "1"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="follow-form"' in html
    assert "Following" in html
    assert "<html" not in html


def test_following_a_muted_initiative_lifts_the_mute(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    InitiativeMute.objects.create(user=cast.reviewer, initiative=initiative)

    request_as(cast, "reviewer", "post", url(initiative), {"follow": "1"})

    assert initiative.followers.filter(pk=cast.reviewer.pk).exists()
    assert not InitiativeMute.objects.filter(user=cast.reviewer, initiative=initiative).exists()
