"""Comparing two iterations: GET /i/<i>/d/<d>/compare/<a>...<b>/."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from documents import comparing, diffing
from documents.services.drafting import faq_entry_add, faq_entry_move, section_save
from documents.services.iterations import iteration_save
from documents.views.iterations import COMPARE_TEMPLATES
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems
from wbapp.cache import html_key

pytestmark = pytest.mark.django_db


def two_iterations(cast):
    document = prfaq_for(cast)
    problem = document.sections.get(key="problem")
    problem = section_save(
        user=cast.editor, section=problem, body="Returns take a week.", base_version=1
    )
    first = faq_entry_add(
        user=cast.editor, document=document, audience="external", question="Cost?", answer="Free."
    )
    faq_entry_add(
        user=cast.editor, document=document, audience="external", question="Where?", answer="Home."
    )
    iteration_save(user=cast.editor, document=document, note="one")
    section_save(
        user=cast.editor, section=problem, body="Returns take a whole month.", base_version=2
    )
    faq_entry_move(user=cast.editor, entry=first, position=1)
    iteration_save(user=cast.editor, document=document, note="two")
    return document


def url(document, a=1, b=2, mode=""):
    url = reverse("compare", args=[document.initiative_id, document.pk, a, b])
    return url + (f"?mode={mode}" if mode else "")


def test_outsider_gets_404(cast):
    document = two_iterations(cast)
    assert request_as(cast, "outsider", "get", url(document)).status_code == 404


def test_a_missing_iteration_is_404(cast):
    document = two_iterations(cast)
    assert request_as(cast, "editor", "get", url(document, 1, 7)).status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_see_word_level_changes_side_by_side(cast, role):
    document = two_iterations(cast)
    html = request_as(cast, role, "get", url(document)).content.decode()
    assert "<del>week</del>" in html
    assert "<ins>whole month</ins>" in html
    assert "Iteration 1</p>" in html and "Iteration 2</p>" in html  # the two columns
    assert 'aria-current="page">Side by side' in html


def test_inline_mode_shows_one_text_with_both_marks(cast):
    document = two_iterations(cast)
    html = request_as(cast, "viewer", "get", url(document, mode="inline")).content.decode()
    assert "a <del>week</del><ins>whole month</ins>." in html
    assert 'aria-current="page">Inline' in html
    assert "diff-columns" not in html


def test_unchanged_sections_are_collapsed(cast):
    document = two_iterations(cast)
    html = request_as(cast, "viewer", "get", url(document)).content.decode()
    assert '<details class="diff diff--unchanged" id="diff-headline">' in html


def test_moved_faq_entries_are_labelled(cast):
    document = two_iterations(cast)
    html = request_as(cast, "viewer", "get", url(document)).content.decode()
    # "Where?" kept its words but changed places with "Cost?".
    assert "moved" in html and "from 2 to 1" in html


def test_changes_are_announced_in_words_not_only_colour(cast):
    document = two_iterations(cast)
    html = request_as(cast, "viewer", "get", url(document)).content.decode()
    assert "1 part changed" in html or "parts changed" in html
    assert '<span class="diff-status diff-status--changed">changed</span>' in html


def test_hostile_text_is_escaped_in_the_comparison(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="solution")
    iteration_save(user=cast.editor, document=document, note="empty")
    for _name, text in HOSTILE_INPUTS:
        section = section_save(
            user=cast.editor, section=section, body=text, base_version=section.version
        )
        faq_entry_add(
            user=cast.editor, document=document, audience="external", question=text, answer=text
        )
    iteration_save(user=cast.editor, document=document, note="hostile")
    for mode in ("side", "inline"):
        html = request_as(cast, "viewer", "get", url(document, 1, 2, mode)).content.decode()
        assert page_problems(html) == []
        assert "<script>alert" not in html


def article(html: str) -> str:
    start = html.index('<article class="memo compare')
    return html[start : html.index("</article>", start)]


def test_a_repeat_comparison_is_served_from_the_cache_to_every_reader(cast, monkeypatch):
    document = two_iterations(cast)
    first = request_as(cast, "viewer", "get", url(document)).content.decode()

    def not_again(*args):
        raise AssertionError("compared twice")

    monkeypatch.setattr("documents.views.iterations.compare_revisions", not_again)
    again = request_as(cast, "reviewer", "get", url(document)).content.decode()

    assert article(again) == article(first)
    assert "<del>week</del>" in article(again)
    assert "1 part changed" in again or "parts changed" in again  # the counts come along


def test_each_layout_is_cached_apart(cast):
    document = two_iterations(cast)
    side = request_as(cast, "viewer", "get", url(document)).content.decode()
    inline = request_as(cast, "viewer", "get", url(document, mode="inline")).content.decode()

    assert "diff-columns" in side
    assert "diff-columns" not in inline
    assert "a <del>week</del><ins>whole month</ins>." in inline


def test_a_cached_comparison_is_not_shown_to_an_outsider(cast):
    document = two_iterations(cast)
    assert request_as(cast, "viewer", "get", url(document)).status_code == 200
    assert request_as(cast, "outsider", "get", url(document)).status_code == 404


def test_the_same_pair_swapped_is_its_own_comparison(cast):
    document = two_iterations(cast)
    request_as(cast, "viewer", "get", url(document, 1, 2))
    html = request_as(cast, "viewer", "get", url(document, 2, 1)).content.decode()
    assert "<del>whole month</del>" in html
    assert "<ins>week</ins>" in html


def test_a_comparison_cut_short_by_the_deadline_says_it_is_coarser(cast, monkeypatch):
    document = two_iterations(cast)
    note = "some changes are marked as whole sentences"
    assert note not in request_as(cast, "viewer", "get", url(document, 1, 2)).content.decode()

    monkeypatch.setattr("documents.diffing.DIFF_BUDGET", 0)
    html = request_as(cast, "viewer", "get", url(document, 2, 1, "inline")).content.decode()

    assert note in html
    assert "<del>Returns take a whole month.</del><ins>Returns take a week.</ins>" in html


def test_hostile_text_stays_escaped_when_the_comparison_comes_from_the_cache(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="solution")
    iteration_save(user=cast.editor, document=document, note="empty")
    for _name, text in HOSTILE_INPUTS:
        section = section_save(
            user=cast.editor, section=section, body=text, base_version=section.version
        )
    iteration_save(user=cast.editor, document=document, note="hostile")
    request_as(cast, "viewer", "get", url(document))
    html = request_as(cast, "reviewer", "get", url(document)).content.decode()
    assert page_problems(html) == []
    assert "<script>alert" not in html


def test_a_comparison_is_kept_under_html_key_with_the_code_that_makes_it(cast):
    document = two_iterations(cast)
    request_as(cast, "viewer", "get", url(document, 1, 2, "inline"))
    old, new = (document.revisions.get(number=n) for n in (1, 2))

    key = html_key(
        COMPARE_TEMPLATES,
        "compare",
        old.pk,
        old.created_at.timestamp(),
        new.pk,
        new.created_at.timestamp(),
        "inline",
        code=[comparing, diffing],
    )
    assert "<del>week</del>" in cache.get(key)["html"]
