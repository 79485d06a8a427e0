"""wbapp.http.next_path: the one reading of ``next``, a path on this site or the default."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import RequestFactory

from wbapp.http import next_path

DEFAULT = "/i/1/"


@pytest.mark.parametrize(
    "target",
    [
        "/notifications/",
        "/i/1/?tab=history#andon",
        "/t/returns/initiatives/in-review/",
        "/i/1/%C3%A9t%C3%A9/",
    ],
)
def test_a_path_on_this_site_is_where_the_form_goes_back_to(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert next_path(request, DEFAULT) == target


@pytest.mark.parametrize(
    "target",
    [
        "",
        "nosuchview",
        "home",
        "notifications",
        "evil.example/x",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "http://testserver/i/1/",
        "javascript:alert(1)",
        "/ok\r\nSet-Cookie: x=1",
        "/with space/",
        "/tab\tpath/",
        "x" * 10_000,
    ],
)
def test_anything_else_falls_back_to_the_default(target):
    request = RequestFactory().post("/x/", {"next": target})
    assert next_path(request, DEFAULT) == DEFAULT


def test_the_query_string_is_read_when_the_form_has_none():
    request = RequestFactory().post("/x/?next=/notifications/", {})
    assert next_path(request, DEFAULT) == "/notifications/"


def test_no_other_module_reads_next_or_checks_a_redirect_host_itself():
    reads = re.compile(r"""(GET|POST)(\.get\(|\[)\s*["']next["']|url_has_allowed_host_and_scheme""")
    offenders = [
        str(path.relative_to(settings.BASE_DIR))
        for app in ("wbapp", "documents", "reviews")
        for path in Path(settings.BASE_DIR, app).rglob("*.py")
        if path.name != "http.py" and reads.search(path.read_text())
    ]
    assert offenders == []
