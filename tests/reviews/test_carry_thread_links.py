"""A comment card's carry links (reviews/carry/thread_links.html) and its "Mark addressed" form."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from reviews.models import Comment
from reviews.views.common import Viewer
from tests.reviews.carrying import comment_on, copy_of, prfaq_with, save, write

pytestmark = pytest.mark.django_db


def links(comment, user, *, is_editor, mode="async"):
    shown = Comment.objects.for_display(user).get(pk=comment.pk)
    viewer = Viewer(user=user, mode=mode, is_editor=is_editor)
    return render_to_string(
        "reviews/includes/comment_card.html", {"comment": shown, "viewer": viewer, "user": user}
    )


@pytest.fixture
def document(cast):
    return prfaq_with(cast, summary="Customers return items from home. Returns are free.")


def test_a_carried_thread_links_to_how_it_was_addressed(cast, document):
    thread = comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")
    save(cast, document)

    html = links(copy_of(thread), cast.viewer, is_editor=False)

    assert reverse("comment_addressed_redirect", args=[copy_of(thread).pk]) in html
    assert "Where it was" not in html
    assert "Mark addressed" not in html


def test_an_outdated_thread_links_to_where_it_was(cast, document):
    thread = comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")
    write(cast, document, summary="Customers return items from home.")
    save(cast, document)

    html = links(copy_of(thread), cast.editor, is_editor=True)

    assert reverse("comment_where", args=[copy_of(thread).pk]) in html
    assert reverse("comment_mark_addressed", args=[copy_of(thread).pk]) in html


def test_an_old_copy_says_where_the_thread_continues_and_offers_no_form(cast, document):
    thread = comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")
    save(cast, document)

    html = links(thread, cast.editor, is_editor=True)

    assert "Continues on iteration 2" in html
    assert "Mark addressed" not in html


def test_editors_get_the_form_on_a_new_thread_but_not_during_a_reading(cast, document):
    thread = comment_on(cast.reviewer, save(cast, document), "summary", "Returns are free")

    assert "Mark addressed" in links(thread, cast.editor, is_editor=True)
    assert "Mark addressed" not in links(thread, cast.editor, is_editor=True, mode="reading")
    assert "Mark addressed" not in links(thread, cast.reviewer, is_editor=False)
