"""url_for_id writes a row's address as reverse() does, without a reverse() each."""

import pytest
from django.urls import clear_script_prefix, reverse, set_script_prefix

from reviews.models import ActionItem, Comment
from reviews.models.comments import THREAD_ACTIONS
from wbapp.http import url_for_id, url_for_ids, urls_for_id

ROUTES = [
    *THREAD_ACTIONS.values(),
    "action_item_done",
    "session_detail",
    "session_live",
    "session_comment_create",
    "mention_suggest",
]


@pytest.mark.parametrize("name", ROUTES)
@pytest.mark.parametrize("pk", [1, 7, 42, 123456789])
def test_it_gives_what_reverse_gives(name, pk):
    assert url_for_id(name, pk) == reverse(name, args=[pk])


def test_it_follows_the_mount_point():
    set_script_prefix("/workback/")
    try:
        assert url_for_id("comment_resolve", 5) == reverse("comment_resolve", args=[5])
        assert url_for_id("comment_resolve", 5).startswith("/workback/")
    finally:
        clear_script_prefix()
    assert url_for_id("comment_resolve", 5) == reverse("comment_resolve", args=[5])


def test_several_routes_of_one_row_at_once():
    assert urls_for_id({"a": "comment_resolve", "b": "reply_create"}, 9) == {
        "a": reverse("comment_resolve", args=[9]),
        "b": reverse("reply_create", args=[9]),
    }


def test_a_thread_and_an_action_item_know_where_their_controls_post():
    comment = Comment(pk=31)
    assert comment.action_urls == {
        action: reverse(name, args=[31]) for action, name in THREAD_ACTIONS.items()
    }
    assert ActionItem(pk=8).done_url == reverse("action_item_done", args=[8])


@pytest.mark.parametrize(
    ("name", "ids"),
    [
        ("initiative_detail", [3]),
        ("iteration_detail", [3, 14, 2]),
        ("iteration_detail", [918273645546, 1, 918273645546]),
        ("compare", [1, 2, 3, 4]),
    ],
)
def test_several_ids_go_where_reverse_puts_them(name, ids):
    assert url_for_ids(name, *ids) == reverse(name, args=ids)
