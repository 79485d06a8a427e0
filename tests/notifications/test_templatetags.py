"""{% follow_panel %}: the Follow button and notification settings on the initiative page."""

import pytest
from django.urls import reverse

from tests.documents.access import request_as
from tests.documents.factories import InitiativeFactory
from wbapp.notifications.follows import follower_counts, follower_counts_orm

pytestmark = pytest.mark.django_db


def test_the_initiative_page_shows_the_follow_button_and_loads_the_mute_control(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    initiative.followers.add(cast.viewer, cast.editor)

    html = request_as(
        cast, "viewer", "get", reverse("initiative_detail", args=[initiative.pk])
    ).content.decode()

    follow = reverse("initiative_follow", args=[initiative.pk])
    assert f'hx-post="{follow}"' in html
    assert 'aria-pressed="true"' in html and "2 followers" in html
    settings = reverse("initiative_notifications", args=[initiative.pk])
    assert f'hx-get="{settings}"' in html and 'hx-trigger="load"' in html


def test_muting_swaps_the_follow_button_out_of_band(cast):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    initiative.followers.add(cast.viewer)

    response = request_as(
        cast,
        "viewer",
        "post",
        reverse("initiative_notifications", args=[initiative.pk]),
        {"action": "mute"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert 'id="follow-form"' in html and 'hx-swap-oob="true"' in html
    assert 'aria-pressed="false"' in html and "0 followers" in html


@pytest.mark.parametrize("followers", [(), ("viewer",), ("viewer", "editor", "reviewer")])
def test_the_written_follower_counts_equal_the_orms(cast, followers):
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    other = InitiativeFactory(team=cast.team, owner=cast.editor)
    other.followers.add(cast.viewer, cast.editor)
    initiative.followers.add(*(cast.member(role) for role in followers))
    for user in (cast.viewer, cast.editor, cast.owner):
        assert follower_counts(user, initiative) == follower_counts_orm(user, initiative)
    assert follower_counts(cast.viewer, initiative) == (len(followers), int("viewer" in followers))
