"""Thread counts per iteration and the outdated list on the iteration pages (carry tags)."""

import pytest
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reviews.models import Comment, StatusCounts
from reviews.services.comments import comment_mark_addressed, comment_resolve
from reviews.templatetags.carry import team_threads
from tests.documents.access import request_as
from tests.reviews.carrying import comment_on, copy_of, prfaq_with, save, write
from tests.reviews.factories import reading_session
from wbapp.accounts.rules import remember_team_role, team_role

pytestmark = pytest.mark.django_db

SUMMARY = "Customers return items from home. Returns are free.\n\nA courier collects the parcel."


@pytest.fixture
def document(cast):
    return prfaq_with(cast, summary=SUMMARY)


@pytest.fixture
def history(cast, document):
    """Iteration 1: three threads, one resolved. Iteration 2: two carried, one of them outdated."""
    first = save(cast, document)
    comment_on(cast.reviewer, first, "summary", "Returns are free")
    gone = comment_on(cast.reviewer, first, "summary", "collects the parcel")
    done = comment_on(cast.reviewer, first, "summary", "Customers")
    comment_resolve(user=cast.reviewer, comment=done)
    write(cast, document, summary="Customers return items from home. Returns are free.")
    second = save(cast, document)
    return first, second, gone


def test_counts_by_status_per_iteration_in_one_query(cast, document, history):
    first, second, _ = history
    comment_mark_addressed(
        user=cast.editor, comment=Comment.objects.get(revision=second, quote="Returns are free")
    )

    with CaptureQueriesContext(connection) as queries:
        counts = (
            team_threads(cast.viewer)
            .filter(revision__document=document)
            .status_counts_by_revision()
        )

    assert len(queries) == 1
    assert counts[first.pk] == StatusCounts(open=2, resolved=1)
    assert counts[second.pk] == StatusCounts(addressed=1, outdated=1)
    assert counts[second.pk].unresolved == 2


def test_private_reading_comments_are_never_counted(cast, document):
    revision = save(cast, document)
    session = reading_session(cast, revision=revision)
    comment_on(cast.reviewer, revision, "summary", "Returns are free", session=session)

    for user in (cast.reviewer, cast.viewer):
        assert team_threads(user).filter(revision=revision).status_counts_by_revision() == {}


def test_outsiders_count_nothing(cast, document, history):
    assert team_threads(cast.outsider).status_counts_by_revision() == {}


def iteration_url(document, number):
    return reverse("iteration_detail", args=[document.initiative_id, document.pk, number])


def test_the_iteration_page_shows_counts_and_the_outdated_thread_once(cast, document, history):
    _, _, gone = history
    lost = copy_of(gone)

    html = request_as(cast, "viewer", "get", iteration_url(document, 2)).content.decode()

    assert "1 open" in html
    assert "1 outdated" in html
    # Listed once, apart from the margin, with its old quote and the links.
    assert html.count("Threads whose passage is gone") == 1
    assert html.count(f'id="comment-{lost.pk}"') == 1
    assert "collects the parcel" in html
    assert reverse("comment_where", args=[lost.pk]) in html
    assert reverse("comment_addressed_redirect", args=[lost.pk]) in html


def test_the_outdated_side_list_links_to_where_it_was(cast, document, history):
    _, second, gone = history
    request = RequestFactory().get("/")
    request.user = cast.viewer

    html = Template("{% load carry %}{% iteration_threads revision %}").render(
        Context({"request": request, "revision": second})
    )

    assert "Outdated: the passage is gone" in html
    assert f'href="{iteration_url(document, 1)}#comment-{gone.pk}"' in html
    assert (
        reverse(
            "comment_addressed", args=[document.initiative_id, document.pk, 2, copy_of(gone).pk]
        )
        in html
    )


def test_a_resolved_outdated_thread_counts_as_resolved(cast, document, history):
    _, _, gone = history
    comment_resolve(user=cast.reviewer, comment=copy_of(gone))

    html = request_as(cast, "viewer", "get", iteration_url(document, 2)).content.decode()

    assert "1 outdated" not in html
    assert "1 resolved" in html


def test_the_iteration_list_shows_counts_per_iteration(cast, document, history):
    url = reverse("iteration_list", args=[document.initiative_id, document.pk])

    html = request_as(cast, "viewer", "get", url).content.decode()

    assert html.count("2 open") == 1  # iteration 1
    assert html.count("1 resolved") == 1
    assert html.count("1 outdated") == 1  # iteration 2


def _queries(client, url):
    client.get(url)  # reads the navigation's teams and unread count into the cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["iteration_detail", "iteration_list"])
def test_the_pages_cost_the_same_for_one_and_forty_threads(cast, client_for, page):
    def measure(n):
        document = prfaq_with(cast, summary=SUMMARY)
        first = save(cast, document)
        for _ in range(n):
            comment_on(cast.reviewer, first, "summary", "collects the parcel")
        write(cast, document, summary="Returns are free.")
        save(cast, document)
        args = [document.initiative_id, document.pk] + ([2] if page == "iteration_detail" else [])
        return _queries(client_for(cast.viewer), reverse(page, args=args))

    # The counts (one aggregate) and, on the iteration page, the outdated list (one query).
    assert measure(1) == measure(40)


def _counts_after_the_lookup(user, revision):
    """An iteration's counts as its page reads them: the user's team role already known."""
    team = revision.document.initiative.team
    remember_team_role(user, team.pk, team_role(user, team))
    return Comment.objects.visible_on(revision, user, team_id=team.pk).revealed().status_counts()


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer", "outsider"])
def test_the_page_counts_what_team_threads_counts(cast, document, history, role):
    first, second, _ = history
    session = reading_session(cast, revision=second)
    comment_on(cast.reviewer, second, "summary", "Returns are free", session=session)
    user = cast.member(role)

    for revision in (first, second):
        expected = (
            team_threads(user)
            .filter(revision=revision)
            .status_counts_by_revision()
            .get(revision.pk, StatusCounts())
        )
        assert _counts_after_the_lookup(user, revision) == expected
        # Without the role known: the same, through the membership join.
        assert Comment.objects.visible_on(revision, user).revealed().status_counts() == expected
    if role == "outsider":
        assert _counts_after_the_lookup(user, first) == StatusCounts()
    else:
        assert _counts_after_the_lookup(user, first) == StatusCounts(open=2, resolved=1)
