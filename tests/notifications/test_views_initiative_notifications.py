"""Following and muting one initiative: GET and POST /i/<initiative>/notifications/."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import InitiativeFactory
from wbapp.activity.models import InitiativeMute

pytestmark = pytest.mark.django_db


def url(initiative):
    return reverse("initiative_notifications", args=[initiative.pk])


@pytest.fixture
def initiative(cast):
    return InitiativeFactory(team=cast.team, owner=cast.editor, title="Self-serve returns")


def test_outsider_gets_404_and_changes_nothing(cast, initiative):
    assert request_as(cast, "outsider", "get", url(initiative)).status_code == 404
    response = request_as(cast, "outsider", "post", url(initiative), {"action": "mute"})
    assert response.status_code == 404
    assert not InitiativeMute.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(client, initiative):
    response = client.post(url(initiative), {"action": "mute"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_every_member_can_mute_and_unmute(cast, initiative, role):
    user = cast.member(role)
    response = request_as(cast, role, "post", url(initiative), {"action": "mute"})
    assert response.status_code == 302
    assert InitiativeMute.objects.filter(user=user, initiative=initiative).exists()
    request_as(cast, role, "post", url(initiative), {"action": "unmute"})
    assert not InitiativeMute.objects.filter(user=user, initiative=initiative).exists()


def test_follow_and_unfollow_change_the_explicit_follow(cast, initiative):
    request_as(cast, "viewer", "post", url(initiative), {"action": "follow"})
    assert initiative.followers.filter(pk=cast.viewer.pk).exists()
    request_as(cast, "viewer", "post", url(initiative), {"action": "unfollow"})
    assert not initiative.followers.filter(pk=cast.viewer.pk).exists()


def test_muting_drops_the_explicit_follow_and_says_what_still_arrives(cast, initiative):
    initiative.followers.add(cast.viewer)
    response = request_as(cast, "viewer", "post", url(initiative), {"action": "mute"})
    assert not initiative.followers.filter(pk=cast.viewer.pk).exists()
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "“Self-serve returns” is muted: only what is addressed to you reaches you."
    ]


def test_the_plain_form_returns_to_next_on_this_site_only(cast, initiative):
    back = reverse("notification_settings")
    response = request_as(cast, "viewer", "post", url(initiative), {"action": "mute", "next": back})
    assert response["Location"] == back
    response = request_as(
        cast, "viewer", "post", url(initiative), {"action": "unmute", "next": "//evil.example/"}
    )
    assert response["Location"] == url(initiative)


def test_an_unknown_action_is_a_400(cast, initiative):
    response = request_as(cast, "viewer", "post", url(initiative), {"action": "delete"})
    assert response.status_code == 400


def test_the_page_explains_why_the_owner_follows(cast, initiative):
    html = " ".join(request_as(cast, "editor", "get", url(initiative)).content.decode().split())
    assert "Following (you own it)" in html
    assert "because you own it" in html
    assert 'value="mute"' in html
    assert 'value="unfollow"' not in html


def test_htmx_loads_the_control_for_the_initiative_page(cast, initiative):
    response = request_as(cast, "viewer", "get", url(initiative), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="initiative-notifications"' in html
    assert re.search(r'name="action"\s+value="mute"', html)
    assert "HX-Request" in response["Vary"]


def test_htmx_mute_returns_the_control_and_the_follow_button_out_of_band(cast, initiative):
    initiative.followers.add(cast.viewer)
    response = request_as(
        cast, "viewer", "post", url(initiative), {"action": "mute"}, HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert 'id="initiative-notifications"' in html
    assert re.search(r'name="action"\s+value="unmute"', html)
    assert "Muted: you hear only what is addressed to you" in html
    assert 'id="follow-form"' in html
    assert 'hx-swap-oob="true"' in html
    assert "0 followers" in html


def test_htmx_from_the_settings_list_gets_its_row_back(cast, initiative):
    response = request_as(
        cast,
        "viewer",
        "post",
        url(initiative),
        {"action": "follow", "fragment": "row"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert html.lstrip().startswith("<th")
    assert "Following" in html
    assert 'value="unfollow"' in html
    assert "follow-form" not in html


@pytest.mark.parametrize(
    "target", ["nosuchview", "home", "evil.example/x", "/ok\r\nSet-Cookie: x=1"]
)
def test_a_next_that_is_not_a_path_on_this_site_returns_to_the_page(cast, initiative, target):
    response = request_as(
        cast, "viewer", "post", url(initiative), {"action": "follow", "next": target}
    )
    assert response.status_code == 302
    assert response["Location"] == url(initiative)
