"""wbapp/cache.py: one redis-py client per pool, and values kept in this process too."""

import json

from django.core.cache import cache, caches

from wbapp.cache import html_key, kept


def test_every_cache_call_shares_one_redis_client():
    client = cache._cache.get_client()

    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client("some-key") is client


def test_a_kept_value_is_computed_once():
    computed = []

    def compute():
        computed.append(1)
        return "the value"

    assert kept("test:kept", compute, 60) == "the value"
    assert kept("test:kept", compute, 60) == "the value"
    assert computed == [1]


def test_this_process_answers_without_asking_redis():
    kept("test:kept", lambda: "the value", 60)
    cache.delete("test:kept")  # only this process still has it

    assert kept("test:kept", lambda: "computed again", 60) == "the value"


def test_another_process_takes_the_shared_copy():
    kept("test:kept", lambda: "the value", 60)
    caches["process"].clear()  # as a process that never asked

    assert kept("test:kept", lambda: "computed again", 60) == "the value"


def test_an_html_key_names_what_it_shows_and_the_templates_and_code_that_made_it():
    base = html_key(["base.html"], "row", 1, 2)

    assert base == html_key(("base.html",), "row", 1, 2)
    assert base != html_key(["base.html"], "row", 1, 3)  # a new version
    assert base != html_key(["home.html"], "row", 1, 2)  # other templates
    with_code = html_key(["base.html"], "row", 1, 2, code=[json])
    assert with_code != base
    assert with_code == html_key(["base.html"], "row", 1, 2, code=[json])
    assert with_code != html_key(["base.html"], "row", 1, 2, code=[json.decoder])
