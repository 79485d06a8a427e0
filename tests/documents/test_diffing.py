import re

from hypothesis import given
from hypothesis import strategies as st

from documents.diffing import (
    DELETE,
    EQUAL,
    INSERT,
    change_size,
    compare_contents,
    compare_revisions,
    diff_text,
    diff_tokens,
)
from documents.rendering import WORD_PATTERN, word_count

WORD = re.compile(WORD_PATTERN)


def section(key, body, heading=None, part=""):
    return {"key": key, "heading": heading or key.title(), "body": body, "part": part}


def faq(key, question, answer="", audience="external"):
    return {"key": key, "audience": audience, "question": question, "answer": answer}


def content(sections=(), entries=()):
    return {"sections": list(sections), "faq": list(entries)}


def by_key(diffs):
    return {d.key: d for d in diffs}


def test_identical_texts_are_unchanged():
    result = diff_text("Same words here.", "Same words here.")

    assert not result.changed
    assert result.html_inline == "Same words here."
    assert (result.inserted, result.deleted) == (0, 0)


def test_changed_words_are_marked_as_whole_words():
    result = diff_text("The quick brown fox jumps.", "The quick red fox jumps.")

    assert result.html_inline == "The quick <del>brown</del><ins>red</ins> fox jumps."
    assert result.html_old == "The quick <del>brown</del> fox jumps."
    assert result.html_new == "The quick <ins>red</ins> fox jumps."
    assert (result.inserted, result.deleted) == (1, 1)


def test_edits_separated_only_by_spaces_read_as_one_change():
    result = diff_text("The quick brown fox.", "The slow red fox.")

    assert result.html_inline == "The <del>quick brown</del><ins>slow red</ins> fox."
    assert (result.inserted, result.deleted) == (2, 2)


def test_a_word_is_never_split_into_letters():
    result = diff_text("returns are slow", "returning is slow")

    assert "<del>returns are</del>" in result.html_inline
    assert "<ins>returning is</ins>" in result.html_inline


def test_insertions_keep_the_authors_spacing_and_line_breaks():
    result = diff_text("First line.\n\nSecond line.", "First line.\n\nNew line.\n\nSecond line.")

    assert result.html_new == "First line.\n\n<ins>New line.\n\n</ins>Second line."
    assert (result.inserted, result.deleted) == (2, 0)


def test_diff_output_is_escaped():
    result = diff_text("a <b>", "a <script>alert(1)</script>")

    assert "<script" not in result.html_inline
    assert "</script" not in result.html_inline
    assert "&lt;/script" in result.html_inline


def test_whitespace_only_change_is_a_change_of_zero_words():
    result = diff_text("one two", "one  two")

    assert result.changed
    assert (result.inserted, result.deleted) == (0, 0)


@given(st.text(alphabet="ab cd.\n", max_size=60), st.text(alphabet="ab cd.\n", max_size=60))
def test_diff_runs_rebuild_both_texts(old, new):
    runs = diff_tokens(old, new)

    assert "".join("".join(t) for op, t in runs if op in (EQUAL, DELETE)) == old
    assert "".join("".join(t) for op, t in runs if op in (EQUAL, INSERT)) == new


@given(
    st.text(alphabet="ab é’'-.,!\n\t<&", max_size=80),
    st.text(alphabet="ab é’'-.,!\n\t<&", max_size=80),
)
def test_diff_of_any_prose_rebuilds_both_texts_and_counts_every_word(old, new):
    runs = diff_tokens(old, new)
    result = diff_text(old, new)
    kept = sum(1 for op, tokens in runs if op == EQUAL for t in tokens if WORD.fullmatch(t))

    assert "".join("".join(t) for op, t in runs if op in (EQUAL, DELETE)) == old
    assert "".join("".join(t) for op, t in runs if op in (EQUAL, INSERT)) == new
    assert result.changed == (old != new)
    assert kept + result.deleted == word_count(old)
    assert kept + result.inserted == word_count(new)


def test_unchanged_sections_are_reported_as_unchanged():
    snapshot = content([section("headline", "Returns in one click")])

    [diff] = compare_contents(snapshot, snapshot)

    assert diff.status == "unchanged"
    assert diff.is_unchanged
    assert diff.html_inline == "Returns in one click"


def test_changed_section_is_matched_by_key_even_when_renamed():
    old = content([section("s-1", "Old text", heading="Goals")])
    new = content([section("s-1", "New text", heading="Our goals")])

    [diff] = compare_contents(old, new)

    assert diff.status == "changed"
    assert diff.heading == "Our goals"
    assert diff.heading_changed
    assert diff.heading_html_inline == "<del>Goals</del><ins>Our goals</ins>"
    assert diff.html_inline == "<del>Old</del><ins>New</ins> text"
    # Section headings are labels; only body words count.
    assert (diff.inserted, diff.deleted) == (1, 1)


def test_added_and_removed_sections():
    old = content([section("s-1", "Kept"), section("s-2", "Dropped words")])
    new = content([section("s-1", "Kept"), section("s-3", "Brand new")])

    diffs = compare_contents(old, new)

    assert [(d.key, d.status) for d in diffs] == [
        ("s-1", "unchanged"),
        ("s-2", "removed"),
        ("s-3", "added"),
    ]
    removed, added = diffs[1], diffs[2]
    assert removed.html_old == "<del>Dropped words</del>"
    assert removed.html_new == ""
    assert removed.deleted == 2
    assert added.html_new == "<ins>Brand new</ins>"
    assert added.inserted == 2


def test_removed_section_is_shown_where_it_used_to_be():
    old = content([section("s-1", "a"), section("s-2", "b"), section("s-3", "c")])
    new = content([section("s-1", "a"), section("s-3", "c")])

    assert [d.key for d in compare_contents(old, new)] == ["s-1", "s-2", "s-3"]


def test_removed_first_section_stays_first():
    old = content([section("s-1", "a"), section("s-2", "b")])
    new = content([section("s-2", "b")])

    assert [(d.key, d.status) for d in compare_contents(old, new)] == [
        ("s-1", "removed"),
        ("s-2", "unchanged"),
    ]


def test_moved_faq_entry_is_recognised_by_key():
    old = content(entries=[faq("q-1", "Cost?"), faq("q-2", "When?"), faq("q-3", "Who?")])
    new = content(entries=[faq("q-3", "Who?"), faq("q-1", "Cost?"), faq("q-2", "When?")])

    diffs = by_key(compare_contents(old, new))

    assert diffs["q-3"].status == "moved"
    assert diffs["q-3"].moved
    assert (diffs["q-3"].old_position, diffs["q-3"].new_position) == (2, 0)
    assert diffs["q-1"].status == "unchanged"
    assert diffs["q-2"].status == "unchanged"


def test_an_insertion_before_entries_does_not_make_them_moved():
    old = content(entries=[faq("q-1", "Cost?"), faq("q-2", "When?")])
    new = content(entries=[faq("q-0", "New?"), faq("q-1", "Cost?"), faq("q-2", "When?")])

    diffs = by_key(compare_contents(old, new))

    assert diffs["q-0"].status == "added"
    assert not diffs["q-1"].moved
    assert not diffs["q-2"].moved


def test_entry_moved_and_edited_is_changed_and_flagged_moved():
    old = content(entries=[faq("q-1", "Cost?", "Free"), faq("q-2", "When?")])
    new = content(entries=[faq("q-2", "When?"), faq("q-1", "Cost?", "Free forever")])

    diffs = by_key(compare_contents(old, new))

    moved = diffs["q-1"] if diffs["q-1"].moved else diffs["q-2"]
    assert moved.moved
    assert diffs["q-1"].status == "changed"
    assert diffs["q-1"].inserted == 1


def test_entry_moved_to_the_internal_faq_is_moved():
    old = content(entries=[faq("q-1", "Cost?")])
    new = content(entries=[faq("q-1", "Cost?", audience="internal")])

    [diff] = compare_contents(old, new)

    assert diff.status == "moved"
    assert (diff.old_audience, diff.audience) == ("external", "internal")


def test_faq_questions_count_as_words():
    old = content(entries=[faq("q-1", "How much?", "Free")])
    new = content(entries=[faq("q-1", "How much does it cost?", "Free")])

    [diff] = compare_contents(old, new)

    assert diff.status == "changed"
    assert diff.is_faq
    assert diff.heading == "How much does it cost?"
    assert diff.inserted == 3


def test_sections_come_before_faq_entries():
    snapshot = content([section("headline", "x")], [faq("q-1", "y")])

    assert [d.kind for d in compare_contents(snapshot, snapshot)] == ["section", "faq"]


def test_change_size_counts_words_inserted_and_deleted():
    old = content([section("s-1", "one two three")], [faq("q-1", "Why?", "Because")])
    new = content([section("s-1", "one three four five")], [])

    # section: -two +four +five; faq entry removed: -Why -Because
    assert change_size(old, new) == 5


def test_first_iteration_change_size_is_its_words():
    assert change_size(None, content([section("s-1", "four words in here")])) == 4


def test_compare_revisions_reads_the_snapshots():
    class Rev:
        def __init__(self, body):
            self.content = content([section("s-1", body)])

    [diff] = compare_revisions(Rev("before"), Rev("after"))

    assert diff.html_inline == "<del>before</del><ins>after</ins>"
