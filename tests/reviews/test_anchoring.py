import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from documents.rendering import render_markdown
from reviews.anchoring import (
    CONTEXT_CHARS,
    ORDER_STRIDE,
    anchor_targets,
    index_to_utf16,
    resolve_anchor,
    section_plain_text,
    utf16_length,
    utf16_to_index,
)
from tests.reviews.factories import RevisionFactory

# --- section_plain_text --------------------------------------------------------------------


def test_plain_text_strips_tags_and_keeps_the_text_between_blocks():
    html = render_markdown("First *para*graph.\n\nSecond **one**.")

    # The newline between </p> and <p> is a text node in the browser's textContent too.
    assert section_plain_text(html) == "First paragraph.\nSecond one."


def test_plain_text_unescapes_entities_as_the_browser_does():
    html = render_markdown('Fish & chips < 5 € "quoted"')

    assert "&amp;" in html
    assert section_plain_text(html) == 'Fish & chips < 5 € "quoted"'


def test_plain_text_of_lists_links_and_code():
    html = render_markdown("- one\n- [two](https://example.com)\n\n`x < y`")

    assert section_plain_text(html) == "\none\ntwo\n\nx < y"


def test_plain_text_of_nothing_is_empty():
    assert section_plain_text("") == ""


# --- UTF-16 offsets ------------------------------------------------------------------------


def test_utf16_offsets_count_astral_characters_twice():
    text = "a🚀b"

    assert utf16_length(text) == 4
    assert utf16_to_index(text, 0) == 0
    assert utf16_to_index(text, 1) == 1
    assert utf16_to_index(text, 3) == 2
    assert utf16_to_index(text, 4) == 3
    assert index_to_utf16(text, 3) == 4


def test_an_offset_inside_a_surrogate_pair_or_past_the_end_is_no_index():
    assert utf16_to_index("a🚀b", 2) is None
    assert utf16_to_index("ab", 3) is None
    assert utf16_to_index("ab", -1) is None


@given(st.text(max_size=40))
def test_utf16_offsets_round_trip_for_any_text(text):
    for index in range(len(text) + 1):
        assert utf16_to_index(text, index_to_utf16(text, index)) == index


# --- Targets and order ------------------------------------------------------------------------


@pytest.mark.django_db
def test_targets_are_sections_then_external_then_internal_faq():
    revision = RevisionFactory(
        content={
            "sections": [
                {"key": "a", "heading": "A", "body": "x", "part": ""},
                {"key": "b", "heading": "B", "body": "y", "part": ""},
            ],
            # Stored out of order on purpose: the order is by audience, not by list position.
            "faq": [
                {"key": "q-in", "audience": "internal", "question": "In?", "answer": "i"},
                {"key": "q-ex", "audience": "external", "question": "Ex?", "answer": "e"},
            ],
        }
    )

    targets = anchor_targets(revision)

    assert [(t.key, t.index, t.is_faq) for t in targets] == [
        ("a", 0, False),
        ("b", 1, False),
        ("q-ex", 2, True),
        ("q-in", 3, True),
    ]
    assert targets[2].heading == "Ex?"
    assert targets[2].html == "<p>e</p>"


# --- resolve_anchor ----------------------------------------------------------------------------


@pytest.fixture
def revision(db):
    return RevisionFactory()


SUMMARY = (
    "Customers return items from home. Returns are free.\n"
    "A courier collects the parcel & returns are free of charge."
)


def test_the_summary_text_is_what_the_tests_assume(revision):
    html = revision.rendered["summary"]
    assert section_plain_text(html) == SUMMARY


def test_exact_offsets_are_kept(revision):
    start = SUMMARY.index("Returns are free.")

    anchor = resolve_anchor(
        revision, section_key="summary", quote="Returns are free.", start=start, end=start + 17
    )

    assert (anchor.start, anchor.end) == (start, start + 17)
    assert anchor.quote == "Returns are free."
    assert anchor.prefix == SUMMARY[start - CONTEXT_CHARS : start]
    assert anchor.suffix == SUMMARY[start + 17 : start + 17 + CONTEXT_CHARS]
    assert anchor.document_order == 1 * ORDER_STRIDE + start


def test_wrong_offsets_are_corrected_by_finding_the_quote(revision):
    anchor = resolve_anchor(
        revision, section_key="summary", quote="A courier collects", start=3, end=21
    )

    assert anchor.start == SUMMARY.index("A courier collects")
    assert anchor.quote == "A courier collects"


def test_the_context_picks_between_two_occurrences(revision):
    # "returns are free" appears twice, case aside: "Returns are free." and "returns are free of".
    second = SUMMARY.index("are free of")
    anchor = resolve_anchor(
        revision,
        section_key="summary",
        quote="are free",
        prefix="the parcel & returns ",
        suffix=" of charge.",
    )

    assert anchor.start == second
    assert anchor.suffix.startswith(" of charge.")


def test_without_context_the_occurrence_nearest_the_given_offset_wins(revision):
    first, second = SUMMARY.index("are free"), SUMMARY.index("are free of")

    near_second = resolve_anchor(
        revision, section_key="summary", quote="are free", start=second + 2, end=second + 10
    )
    near_first = resolve_anchor(
        revision, section_key="summary", quote="are free", start=first + 1, end=first + 9
    )

    assert near_second.start == second
    assert near_first.start == first


def test_a_quote_across_paragraphs_matches_despite_different_whitespace(revision):
    # selection.toString() gives a blank line between paragraphs; textContent one newline.
    anchor = resolve_anchor(revision, section_key="summary", quote="are free.\n\nA courier")

    assert anchor.quote == "are free.\nA courier"
    assert anchor.start == SUMMARY.index("are free.\nA courier")


def test_a_quote_that_is_not_in_the_section_is_refused(revision):
    with pytest.raises(ValidationError) as error:
        resolve_anchor(revision, section_key="headline", quote="Returns are free.")

    assert "not in “Headline”" in error.value.message_dict["quote"][0]


def test_an_unknown_section_is_refused(revision):
    with pytest.raises(ValidationError) as error:
        resolve_anchor(revision, section_key="nope", quote="free")

    assert "section_key" in error.value.message_dict


def test_a_blank_quote_is_refused_but_an_empty_one_anchors_the_whole_section(revision):
    with pytest.raises(ValidationError):
        resolve_anchor(revision, section_key="summary", quote="   ")

    anchor = resolve_anchor(revision, section_key="s-risks", quote="")

    assert (anchor.quote, anchor.start, anchor.end) == ("", 0, 0)
    assert anchor.document_order == 2 * ORDER_STRIDE


def test_offsets_after_an_emoji_are_in_utf16_units(revision):
    text = "Fraud may rise. Costs may rise. 🚀 Launch anyway."
    python_start = text.index("Launch")
    utf16_start = python_start + 1  # the rocket is two UTF-16 units

    anchor = resolve_anchor(
        revision,
        section_key="s-risks",
        quote="Launch anyway",
        start=utf16_start,
        end=utf16_start + 13,
    )

    assert (anchor.start, anchor.end) == (utf16_start, utf16_start + 13)
    assert anchor.prefix.endswith("🚀 ")


def test_faq_answers_are_anchorable_after_the_sections(revision):
    anchor = resolve_anchor(revision, section_key="q-int1", quote="3 €")

    assert anchor.quote == "3 €"
    assert anchor.document_order == 4 * ORDER_STRIDE + "About 3 €".index("3")


def test_entities_in_the_html_do_not_shift_the_offsets(revision):
    start = SUMMARY.index("& returns")

    anchor = resolve_anchor(
        revision, section_key="summary", quote="& returns", start=start, end=start + 9
    )

    assert anchor.start == start
