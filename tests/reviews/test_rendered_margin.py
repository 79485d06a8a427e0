"""A margin built in Python (reviews.rendered.margin) says what its template said."""

import pytest
from django.template import Context, Template

from reviews import rendered
from reviews.models import Comment
from reviews.views.common import MemoRow, Viewer
from wbapp.accounts.models import User

# The partial the margin was rendered from before (memo.html "margin_cards").
AS_IT_WAS = Template(
    "{{ row.comments|length }} comment{{ row.comments|length|pluralize }} "
    "on “{{ row.heading|truncatechars:40 }}”"
)


def _card(pk: int) -> Comment:
    # A card already prepared (kept): the margin only adds this viewer's controls.
    comment = Comment(pk=pk, status="resolved")
    comment.kept_card = f'<article id="comment-{pk}"><!--controls--></article>'
    return comment


def _margin(row) -> str:
    viewer = Viewer(user=User(pk=1), mode="record")
    return str(rendered.margin(Context({"viewer": viewer}), row))


@pytest.mark.parametrize(
    "heading",
    ["Summary", "Risks & <unknowns>", "A heading much longer than forty characters, cut short"],
)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_the_heading_counts_the_threads_and_cuts_a_long_title(heading, n):
    row = MemoRow(revision=None, key="s", heading=heading, is_faq=False)
    row.comments = [_card(pk) for pk in range(1, n + 1)]

    html = _margin(row)

    expected = AS_IT_WAS.render(Context({"row": row}))
    assert html.startswith(f'<h4 class="margin-title">{expected}</h4><ol class="margin-list">')
    assert html.count("<li><article id=") == n
    assert "<!--controls-->" not in html
    assert "<unknowns>" not in html


def test_a_row_without_threads_has_an_empty_margin():
    row = MemoRow(revision=None, key="s", heading="Summary", is_faq=False)
    assert _margin(row) == ""
