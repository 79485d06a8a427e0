"""The session page's margins: kept iteration HTML, and margins that load on demand.

The memo of an iteration and each comment card's body are rendered once and kept
(reviews/rendered.py); what is kept must never carry one viewer's comments, rights
or CSRF token to another. A discussion with more than
LAZY_MARGINS_ABOVE comments sends each margin as a count that loads its threads
when it comes near the screen.
"""

import pickle
import re
import subprocess
import sys

import pytest
import redis
from django.conf import settings
from django.test import Client
from django.urls import reverse

from reviews import rendered
from reviews.models import Comment
from reviews.services.comments import comment_resolve, reply_create
from reviews.services.phases import session_focus
from reviews.views import common as view_common
from tests.reviews.factories import (
    action_item,
    comment,
    discussion_session,
    reading_session,
    team_reviewer,
)

pytestmark = pytest.mark.django_db


def page(client, session, **params):
    return client.get(reverse("session_detail", args=[session.pk]), params)


def margins(client, session, rows):
    return client.get(
        reverse("session_detail", args=[session.pk]),
        {"fragment": "margins", "rows": ",".join(rows)},
        HTTP_HX_REQUEST="true",
    )


@pytest.fixture
def few_before_lazy(monkeypatch):
    """Margins load on demand above two comments (instead of dozens)."""
    monkeypatch.setattr(view_common, "LAZY_MARGINS_ABOVE", 2)


def test_a_long_discussion_sends_counts_that_load_their_margins(cast, client_for, few_before_lazy):
    session = discussion_session(cast)
    for body in ("First on the summary", "Second on the summary"):
        comment(cast.reviewer, session, body=body, section_key="summary")
    comment(cast.editor, session, body="On the headline", section_key="headline")

    html = page(client_for(cast.reviewer), session).content.decode()

    assert "First on the summary" not in html
    assert "On the headline" not in html
    assert f'hx-get="/s/{session.pk}/?fragment=margins&amp;rows=summary&amp;swap=inner"' in html
    assert "2 comments on" in html
    assert "1 comment on" in html


def test_a_margin_loads_its_own_threads_into_itself(cast, client_for, few_before_lazy):
    session = discussion_session(cast)
    for body in ("First on the summary", "Second on the summary"):
        comment(cast.reviewer, session, body=body, section_key="summary")
    comment(cast.editor, session, body="On the headline", section_key="headline")

    response = client_for(cast.reviewer).get(
        reverse("session_detail", args=[session.pk]),
        {"fragment": "margins", "rows": "summary", "swap": "inner"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "2 comments on" in html
    assert "First on the summary" in html and "Second on the summary" in html
    assert "On the headline" not in html
    assert 'id="margin-summary"' not in html  # the margin's content, not the margin


def test_a_margin_loads_the_threads_of_its_section_only(cast, client_for, few_before_lazy):
    session = discussion_session(cast)
    for body in ("First on the summary", "Second on the summary"):
        comment(cast.reviewer, session, body=body, section_key="summary")
    comment(cast.editor, session, body="On the headline", section_key="headline")

    response = margins(client_for(cast.reviewer), session, ["summary"])

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('id="margin-summary"') == 1
    assert 'hx-swap-oob="true"' in html
    assert "First on the summary" in html and "Second on the summary" in html
    assert "On the headline" not in html
    assert 'id="margin-headline"' not in html


def test_without_javascript_every_margin_can_be_shown(cast, client_for, few_before_lazy):
    session = discussion_session(cast)
    for body in ("First on the summary", "Second on the summary", "Third"):
        comment(cast.reviewer, session, body=body, section_key="summary")

    html = page(client_for(cast.reviewer), session, margins="all").content.decode()

    assert "margin-loading" not in html
    assert "First on the summary" in html and "Third" in html


def test_a_short_discussion_shows_its_margins_with_the_page(cast, client_for):
    session = discussion_session(cast)
    comment(cast.reviewer, session, body="Only this one", section_key="summary")

    html = page(client_for(cast.reviewer), session).content.decode()

    assert "margin-loading" not in html
    assert "Only this one" in html


def test_an_outsider_cannot_load_a_margin(cast, client_for, few_before_lazy):
    session = discussion_session(cast)
    comment(cast.reviewer, session, body="Secret", section_key="summary")
    assert margins(client_for(cast.outsider), session, ["summary"]).status_code == 404


def test_during_the_reading_a_margin_holds_only_the_readers_own_comments(cast, client_for):
    other = team_reviewer(cast)
    session = reading_session(cast, participants=[(cast.reviewer, "reviewer"), (other, "reviewer")])
    comment(cast.reviewer, session, body="Mine", section_key="summary")
    comment(other, session, body="Not yours yet", section_key="summary")

    html = margins(client_for(cast.reviewer), session, ["summary"]).content.decode()

    assert "Mine" in html
    assert "Not yours yet" not in html


def test_the_kept_memo_carries_no_readers_comments_to_another(cast):
    other = team_reviewer(cast)
    session = reading_session(cast, participants=[(cast.reviewer, "reviewer"), (other, "reviewer")])
    comment(cast.reviewer, session, body="My private note", section_key="summary")
    first, second = Client(), Client()
    first.force_login(cast.reviewer)
    second.force_login(other)

    assert "My private note" in page(first, session).content.decode()  # fills the cache
    html = page(second, session).content.decode()

    assert "My private note" not in html
    assert html.count('id="margin-summary"') == 1  # the iteration itself is all there


def test_the_kept_comment_box_carries_each_viewers_own_csrf_token(cast):
    other = team_reviewer(cast)
    session = reading_session(cast, participants=[(cast.reviewer, "reviewer"), (other, "reviewer")])
    first = Client(enforce_csrf_checks=True)
    first.force_login(cast.reviewer)
    page(first, session)  # keeps the blank box
    second = Client(enforce_csrf_checks=True)
    second.force_login(other)
    html = page(second, session).content.decode()
    box = html[html.index('id="comment-box"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', box).group(1)

    response = second.post(
        reverse("session_comment_create", args=[session.pk]),
        {
            "csrfmiddlewaretoken": token,
            "kind": "question",
            "body": "Posted with the kept box",
            "section_key": "summary",
            "quote": "",
        },
    )

    assert response.status_code in (200, 302)
    assert Comment.objects.filter(body="Posted with the kept box").exists()


# --- Kept comment cards --------------------------------------------------------------


def test_a_reply_shows_on_a_kept_card(cast, client_for):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="Is this priced right?")
    client = client_for(cast.editor)
    assert "Is this priced right?" in page(client, session).content.decode()  # kept

    reply_create(user=cast.reviewer, comment=thread, body="Checked with finance")

    assert "Checked with finance" in page(client, session).content.decode()


def test_a_resolution_shows_on_a_kept_card(cast, client_for):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="Is this priced right?")
    client = client_for(cast.editor)
    assert "Resolved" not in page(client, session).content.decode()

    comment_resolve(user=cast.editor, comment=thread)

    assert "Resolved" in page(client, session).content.decode()


def test_a_kept_card_keeps_each_viewers_own_rights(cast):
    session = discussion_session(cast)
    thread = comment(cast.editor, session, body="Editor's question")
    editor, reviewer = Client(), Client()
    editor.force_login(cast.editor)
    reviewer.force_login(cast.reviewer)
    resolve = reverse("comment_resolve", args=[thread.pk])

    assert resolve in page(editor, session).content.decode()  # the author may resolve
    assert resolve not in page(reviewer, session).content.decode()


def test_a_new_display_name_shows_on_kept_cards(cast, client_for):
    session = discussion_session(cast)
    comment(cast.reviewer, session, body="A question")
    client = client_for(cast.editor)
    page(client, session)

    cast.reviewer.display_name = "Rita Renamed"
    cast.reviewer.save(update_fields=["display_name"])

    assert "Rita Renamed" in page(client, session).content.decode()


def test_a_new_display_name_shows_in_the_discussions_shared_values(cast, client_for):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="A question")
    action_item(cast.editor, thread, title="Size the risk", owner=cast.reviewer)
    session_focus(user=cast.editor, session=session, comment=thread)
    client = client_for(cast.viewer)
    page(client, session)  # keeps the focused thread and the action items

    cast.reviewer.display_name = "Rita Renamed"
    cast.reviewer.save(update_fields=["display_name"])

    html = page(client, session).content.decode()
    assert "Now discussing: question by Rita Renamed" in html
    assert "— Rita Renamed" in html  # the action item's owner


def test_a_second_load_renders_no_card_again(cast, client_for, monkeypatch):
    session = discussion_session(cast)
    comment(cast.reviewer, session, body="On the summary", section_key="summary")
    comment(cast.editor, session, body="On the headline", section_key="headline")
    client = client_for(cast.owner)
    page(client, session)  # keeps both card bodies
    rendered_again = []
    real_render = rendered._render_card
    monkeypatch.setattr(
        rendered, "_render_card", lambda c: rendered_again.append(c) or real_render(c)
    )

    html = page(client_for(cast.viewer), session).content.decode()

    assert "On the summary" in html
    assert "On the headline" in html
    assert rendered_again == []  # another viewer, the same kept bodies


def test_kept_html_holds_no_form_no_token_and_nothing_of_a_viewer(cast, client_for):
    session = discussion_session(cast)
    comment(cast.reviewer, session, body="On the summary", section_key="summary")
    page(client_for(cast.owner), session)
    client = redis.Redis.from_url(settings.REDIS_URL)

    # Django's Redis cache stores what it keeps pickled.
    kept = [pickle.loads(client.get(key)) for key in client.scan_iter(match="*html:*")]  # noqa: S301

    assert any("On the summary" in html for html in kept)  # the card body
    assert any('id="section-summary"' in html for html in kept)  # the memo
    for html in kept:
        assert "<form" not in html
        assert "csrf" not in html.lower()
        assert "Resolve" not in html and "+1" not in html


def test_a_comment_that_writes_the_controls_marker_takes_no_controls_into_its_text(
    cast, client_for
):
    session = discussion_session(cast)
    thread = comment(cast.reviewer, session, body="Before <!--controls--> after")

    html = page(client_for(cast.owner), session).content.decode()

    card = html[html.index(f'id="comment-{thread.pk}"') :]
    card = card[: card.index("</article>")]
    assert card.count('action="/c/') == card.count("<form")  # only the real controls
    assert card.count("Send reply") == 1


def test_the_forms_on_a_kept_card_carry_each_viewers_own_csrf_token(cast):
    session = discussion_session(cast)
    thread = comment(cast.editor, session, body="Editor's question")
    first = Client(enforce_csrf_checks=True)
    first.force_login(cast.editor)
    page(first, session)  # keeps the card with its forms
    second = Client(enforce_csrf_checks=True)
    second.force_login(cast.reviewer)
    html = page(second, session).content.decode()
    card = html[html.index(f'id="comment-{thread.pk}"') :]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', card).group(1)

    response = second.post(
        reverse("comment_plus_one", args=[thread.pk]), {"csrfmiddlewaretoken": token}
    )

    assert response.status_code in (200, 302)
    assert thread.reactions.filter(user=cast.reviewer).exists()


def test_every_margin_fetched_again_comes_with_its_threads(cast, client_for, few_before_lazy):
    session = discussion_session(cast)
    for body in ("First on the summary", "Second on the summary", "Third"):
        comment(cast.reviewer, session, body=body, section_key="summary")

    # After a change, a page whose margins have all loaded asks for all of them again.
    response = client_for(cast.reviewer).get(
        reverse("session_detail", args=[session.pk]),
        {"fragment": "margins"},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    assert "First on the summary" in html and "Third" in html
    assert "margin-loading" not in html


def test_the_templates_load_in_a_process_that_has_not_loaded_the_urls():
    # A Celery worker renders e-mails without ever importing the URL conf; the template
    # tags (review_tools → rendered) must not need the views to have been imported first.
    script = (
        "import django; django.setup()\n"
        "from django.template.loader import get_template\n"
        "get_template('reviews/session.html')\n"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter and a fixed script
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
