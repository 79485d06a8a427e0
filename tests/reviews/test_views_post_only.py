"""GET of a POST-only address: a 405 page in the site's layout that leads back, not a blank one."""

import pytest
from django.test import Client
from django.urls import URLPattern, reverse

from reviews import urls
from tests.reviews.factories import action_item, comment, discussion_session

pytestmark = pytest.mark.django_db

# Every address of reviews/urls.py that only takes a form's POST.
POST_ONLY = {
    "iteration_comment_create",
    "session_cancel",
    "session_start_reading",
    "session_extend",
    "session_start_discussion",
    "session_focus",
    "session_close",
    "participant_done",
    "session_comment_create",
    "reply_create",
    "comment_resolve",
    "comment_reopen",
    "comment_plus_one",
    "comment_delete",
    "action_item_done",
    "andon_pull",
    "andon_reset",
    "initiative_status",
    "comment_mark_addressed",
}


@pytest.fixture
def addresses(cast):
    """Each route of reviews/urls.py, with ids of real rows the editor may see."""
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session)
    item = action_item(cast.editor, thread)
    ids = {
        "session_id": session.pk,
        "comment_id": thread.pk,
        "item_id": item.pk,
        "initiative_id": session.initiative_id,
        "document_id": session.document_id,
        "number": session.revision.number,
        "user_id": cast.viewer.pk,
    }
    routes = {}
    for pattern in urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        wanted = pattern.pattern.regex.groupindex
        routes[pattern.name] = reverse(pattern.name, kwargs={k: ids[k] for k in wanted})
    return session, routes


def test_every_post_only_address_answers_a_get_with_a_405_page_in_the_site_layout(cast, addresses):
    session, routes = addresses
    client = Client()
    client.force_login(cast.editor)
    refused = set()
    for name, url in routes.items():
        response = client.get(url)
        if response.status_code != 405:
            continue
        refused.add(name)
        html = response.content.decode()
        assert response["Allow"] == "POST", name
        assert 'class="site-header"' in html and 'id="main"' in html, name
        assert "Nothing to show at this address" in html, name
        assert 'href="/' in html.split('id="not-allowed-title"', 1)[1], name
    assert refused == POST_ONLY


def test_the_405_page_of_a_session_address_leads_back_to_the_session(cast, addresses):
    session, routes = addresses
    client = Client()
    client.force_login(cast.editor)
    response = client.get(routes["session_close"])
    assert response.status_code == 405
    back = reverse("session_detail", args=[session.pk])
    assert f'href="{back}"' in response.content.decode()
    # Nothing changed: the GET did not close the session.
    session.refresh_from_db()
    assert session.phase == "discussion"


def test_a_signed_out_get_still_goes_to_sign_in(addresses):
    _, routes = addresses
    response = Client().get(routes["session_close"])
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]
