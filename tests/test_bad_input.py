"""NUL bytes and invalid UTF-8 in the address, a query or a form: a 400 that says so.

One middleware (wbapp.bad_input) turns them away before any view runs, so none
reaches PostgreSQL (which refuses NUL in text) or a view that trusts its text.
"""

import warnings

import pytest
from django.core.cache.backends.base import CacheKeyWarning
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from reviews.models import Comment
from tests.documents.access import request_as
from tests.reviews.factories import discussion_session

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def session(cast):
    return discussion_session(cast)


def test_a_nul_in_the_margins_rows_is_a_400_fragment_for_htmx(cast, session):
    url = reverse("session_detail", args=[session.pk]) + "?fragment=margins&rows=%00"
    response = request_as(cast, "editor", "get", url, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "NUL" in body
    assert "<html" not in body
    # The message lands in the page's message region, not in the fragment's place.
    assert response["HX-Retarget"] == "#messages"


def test_a_nul_in_the_mention_search_is_a_400_page_in_the_sites_layout(cast, session):
    url = reverse("mention_suggest", args=[session.initiative_id]) + "?q=%00"
    response = request_as(cast, "editor", "get", url)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body
    assert "Workback" in body
    assert "NUL" in body


def test_invalid_utf8_in_a_query_is_a_400(cast, session):
    url = reverse("mention_suggest", args=[session.initiative_id]) + "?q=%FF%FE"
    response = request_as(cast, "editor", "get", url)
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


def test_invalid_utf8_in_a_query_parameters_name_is_a_400(cast, session):
    url = reverse("mention_suggest", args=[session.initiative_id]) + "?%C3%28=1"
    assert request_as(cast, "editor", "get", url).status_code == 400


def test_a_nul_in_a_posted_form_is_a_400_and_writes_nothing(cast, session):
    client = Client()
    client.force_login(cast.reviewer)
    url = reverse("session_comment_create", args=[session.pk])
    form = urlencode({"kind": "question", "body": "Why\x00?", "section_key": "summary"})
    response = client.post(url, form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_invalid_utf8_in_a_urlencoded_body_is_a_400(cast, session):
    client = Client()
    client.force_login(cast.reviewer)
    url = reverse("reply_create", args=[1])
    response = client.post(
        url, b"body=%FF%FEoops", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()


def test_a_nul_in_a_multipart_field_is_a_400(cast, session):
    url = reverse("session_comment_create", args=[session.pk])
    client = Client()
    client.force_login(cast.reviewer)
    response = client.post(url, {"kind": "question", "body": "a\x00b", "section_key": "summary"})
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_nul_in_the_address_is_a_400(cast):
    response = request_as(cast, "viewer", "get", "/invitations/ab%00cd/")
    assert response.status_code == 400


def test_ordinary_text_passes(cast, session):
    query = urlencode({"q": "Zoë 🚀 <b>&"})
    url = reverse("mention_suggest", args=[session.initiative_id]) + "?" + query
    assert request_as(cast, "editor", "get", url).status_code == 200


def test_an_address_longer_than_any_server_passes_on_is_a_414(client, session):
    # Anonymous: the sign-in redirect would otherwise carry it as ``next``.
    url = reverse("session_detail", args=[session.pk]) + "?q=" + "x" * 10_000
    response = client.get(url)
    assert response.status_code == 414
    assert "too long" in response.content.decode()


@pytest.mark.parametrize("cookie", ["abcdefgh\x00ijkl", "x" * 5000, "é" * 40])
def test_a_forged_session_cookie_is_no_session_rather_than_a_500(cast, cookie):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = cookie
    response = client.get(reverse("notifications"))
    # Not signed in: to the sign-in page, as without a cookie.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_a_session_cookie_longer_than_any_key_is_not_looked_up(client):
    client.cookies["sessionid"] = "x" * 5000
    with warnings.catch_warnings():
        # The cache would warn of a 5,000-character key had it been asked.
        warnings.simplefilter("error", CacheKeyWarning)
        response = client.get(reverse("notifications"))
    assert response.status_code == 302
