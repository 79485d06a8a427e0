"""GET /i/<i>/d/<d>/iterations/<n>/comments/<c>/addressed/: "How was this addressed?"."""

import pytest
from django.urls import reverse

from tests.documents.access import request_as
from tests.reviews.carrying import comment_on, copy_of, prfaq_with, save, write
from tests.reviews.factories import reading_session

pytestmark = pytest.mark.django_db

SUMMARY = "Customers return items from home. Returns are free.\n\nA courier collects the parcel."


def url(comment):
    revision = comment.revision
    document = revision.document
    return reverse(
        "comment_addressed",
        args=[document.initiative_id, document.pk, revision.number, comment.pk],
    )


@pytest.fixture
def document(cast):
    return prfaq_with(cast, summary=SUMMARY)


@pytest.fixture
def carried(cast, document):
    """A thread on iteration 1 whose passage was edited in iteration 2; its copy."""
    thread = comment_on(
        cast.reviewer, save(cast, document), "summary", "courier collects the parcel"
    )
    write(cast, document, summary=SUMMARY.replace("the parcel", "every parcel"))
    save(cast, document)
    return copy_of(thread)


def test_outsider_gets_404(cast, carried):
    assert request_as(cast, "outsider", "get", url(carried)).status_code == 404


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_member_sees_the_passage_then_and_now(cast, carried, role):
    response = request_as(cast, role, "get", url(carried))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Iteration 1: as commented" in html
    assert '<mark class="comment-mark passage-mark">courier collects the parcel</mark>' in html
    assert "Iteration 2: now" in html
    assert '<mark class="comment-mark passage-mark">courier collects every parcel</mark>' in html
    # The word diff of the passage.
    assert "<del>the</del>" in html
    assert "<ins>every</ins>" in html


def test_a_removed_passage_says_so_and_links_to_where_it_was(cast, document):
    first = save(cast, document)
    thread = comment_on(cast.reviewer, first, "summary", "A courier collects")
    write(cast, document, summary="Customers return items from home. Returns are free.")
    save(cast, document)

    html = request_as(cast, "viewer", "get", url(copy_of(thread))).content.decode()

    assert "Passage removed." in html
    where = reverse("iteration_detail", args=[document.initiative_id, document.pk, 1])
    assert f'href="{where}#comment-{thread.pk}"' in html


def test_a_comment_of_another_iteration_is_404(cast, document, carried):
    document = carried.revision.document
    wrong = reverse("comment_addressed", args=[document.initiative_id, document.pk, 1, carried.pk])

    assert request_as(cast, "viewer", "get", wrong).status_code == 404


def test_someone_elses_private_reading_comment_is_404(cast, document):
    revision = save(cast, document)
    session = reading_session(cast, revision=revision)
    private = comment_on(cast.reviewer, revision, "summary", "Returns are free", session=session)

    assert request_as(cast, "viewer", "get", url(private)).status_code == 404


def test_a_thread_made_on_this_iteration_has_nothing_to_compare(cast, document):
    thread = comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")

    html = request_as(cast, "viewer", "get", url(thread)).content.decode()

    assert "there is no earlier passage to compare" in html


def test_editors_get_the_mark_addressed_form_and_viewers_do_not(cast, carried):
    action = reverse("comment_mark_addressed", args=[carried.pk])

    assert action in request_as(cast, "editor", "get", url(carried)).content.decode()
    assert action not in request_as(cast, "viewer", "get", url(carried)).content.decode()


def test_an_old_copy_points_to_where_the_thread_continues(cast, carried):
    html = request_as(cast, "viewer", "get", url(carried.carried_from)).content.decode()

    assert "This thread continues on" in html
    assert reverse("comment_mark_addressed", args=[carried.carried_from.pk]) not in html


def test_the_short_address_redirects_to_the_page(cast, carried):
    short = reverse("comment_addressed_redirect", args=[carried.pk])

    assert request_as(cast, "viewer", "get", short).url == url(carried)
    assert request_as(cast, "outsider", "get", short).status_code == 404


def test_the_short_address_of_an_old_copy_leads_to_the_newest_one(cast, carried):
    short = reverse("comment_addressed_redirect", args=[carried.carried_from.pk])

    assert request_as(cast, "viewer", "get", short).url == url(carried)


def test_where_it_was_redirects_to_the_last_copy_on_its_words(cast, document):
    first = save(cast, document)
    thread = comment_on(cast.reviewer, first, "summary", "A courier collects")
    write(cast, document, summary="Returns are free.")
    save(cast, document)
    save(cast, document)
    lost_twice = copy_of(copy_of(thread))
    where = reverse("comment_where", args=[lost_twice.pk])

    response = request_as(cast, "viewer", "get", where)

    iteration_1 = reverse("iteration_detail", args=[document.initiative_id, document.pk, 1])
    assert response.url == f"{iteration_1}#comment-{thread.pk}"
    assert request_as(cast, "outsider", "get", where).status_code == 404
