"""Plain helpers for the views' permission tests with the shared cast."""

from django.test import Client

WRITERS = ("owner", "editor")
READERS = ("reviewer", "viewer")


def request_as(cast, role: str, method: str, url: str, data=None, **extra):
    """One request by the cast member ``role`` ("outsider" included), in a fresh client."""
    client = Client()
    client.force_login(cast.member(role))
    return getattr(client, method)(url, data or {}, **extra)


def base_version_in(html: str) -> int:
    """The version an editor or conflict form in ``html`` will save against."""
    import re

    match = re.search(r'name="base_version"\s+value="(\d+)"', html)
    assert match, "no base_version field in the HTML"
    return int(match.group(1))
