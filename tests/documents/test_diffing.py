import random
import re
import time
from unittest import mock

from hypothesis import given
from hypothesis import strategies as st

from documents import diffing
from documents.comparing import change_size, compare_contents, compare_revisions
from documents.diffing import (
    DELETE,
    EQUAL,
    INSERT,
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


# --- Long texts: sentences first, then words; the deadline ---------------------------------

KEPT = [
    "Today a shopper who wants to return a parcel waits two days for a label.",
    "The pilot cut the time to refund from nine days to two.",
    "Support handled 3,200 contacts a week about returns.",
    "We will run the pilot in two regions before the holiday peak.",
]


def test_a_rewrite_marks_replaced_sentences_and_keeps_the_others_whole():
    old = " ".join(KEPT[:2] + ["Our tenet is simple: the customer never asks."] + KEPT[2:])
    new = " ".join(KEPT[:2] + ["Legal signed off on Tuesday."] + KEPT[2:])

    result = diff_text(old, new)

    assert result.html_inline == (
        f"{KEPT[0]} {KEPT[1]} "
        "<del>Our tenet is simple: the customer never asks</del>"
        "<ins>Legal signed off on Tuesday</ins>. "
        f"{KEPT[2]} {KEPT[3]}"
    )
    assert (result.inserted, result.deleted) == (5, 8)
    assert not result.coarse


def test_an_edited_sentence_among_kept_ones_is_compared_word_by_word():
    old = "\n\n".join([KEPT[0], "The pilot cut the time to refund from nine days to two.", KEPT[2]])
    new = "\n\n".join([KEPT[0], "The pilot cut the time to refund from nine days to one.", KEPT[2]])

    result = diff_text(old, new)

    assert "to <del>two</del><ins>one</ins>." in result.html_inline
    assert (result.inserted, result.deleted) == (1, 1)


def test_sentences_split_and_merged_are_still_compared_word_by_word():
    result = diff_text("We ship it. Then we measure it.", "We ship it, then we measure it.")

    assert result.html_inline == "We ship it<del>. Then</del><ins>, then</ins> we measure it."
    assert (result.inserted, result.deleted) == (1, 1)


def test_a_paragraph_inserted_between_kept_ones_is_one_insertion():
    old = "\n\n".join(KEPT[:2])
    new = "\n\n".join([KEPT[0], KEPT[2] + " " + KEPT[3], KEPT[1]])

    result = diff_text(old, new)

    assert result.html_new == f"{KEPT[0]}\n\n<ins>{KEPT[2]} {KEPT[3]}\n\n</ins>{KEPT[1]}"
    assert result.deleted == 0
    assert result.inserted == word_count(KEPT[2] + " " + KEPT[3])


def test_a_long_run_of_one_repeated_word_is_still_compared_word_by_word():
    # More pairs of equal words than difflib's matcher is allowed: Myers' diff takes over.
    words = ["again"] * 400
    changed = [*words[:200], "once", *words[200:]]
    assert diffing.MATCHER_PAIRS < 400 * 400

    result = diff_text(" ".join(words), " ".join(changed))

    assert (result.inserted, result.deleted) == (1, 0)
    assert "<ins>once </ins>" in result.html_new or "<ins> once</ins>" in result.html_new
    assert not result.coarse


def test_past_the_deadline_changes_are_marked_as_whole_sentences():
    old = " ".join([KEPT[0], "The pilot cut the time to refund from nine days to two.", KEPT[2]])
    new = " ".join([KEPT[0], "The pilot cut the time to refund from nine days to one.", KEPT[2]])

    result = diff_text(old, new, deadline=time.time() - 1)

    assert result.coarse
    assert result.html_inline == (
        f"{KEPT[0]} <del>The pilot cut the time to refund from nine days to two.</del>"
        f"<ins>The pilot cut the time to refund from nine days to one.</ins> {KEPT[2]}"
    )
    assert (result.inserted, result.deleted) == (12, 12)


def test_one_deadline_covers_the_whole_comparison_and_flags_what_it_cut():
    old = content(
        [section("s-1", KEPT[0]), section("s-2", "Refunds take two days.")],
        [faq("q-1", "Cost?", "Free.")],
    )
    new = content(
        [section("s-1", KEPT[0]), section("s-2", "Refunds take one day.")],
        [faq("q-1", "Cost?", "Free for everyone.")],
    )

    fine = by_key(compare_contents(old, new))
    coarse = by_key(compare_contents(old, new, budget=0))

    assert not any(d.coarse for d in fine.values())
    assert fine["s-2"].html_inline == "Refunds take <del>two days</del><ins>one day</ins>."
    assert coarse["s-2"].coarse and coarse["q-1"].coarse
    assert not coarse["s-1"].coarse  # unchanged: nothing to cut
    assert coarse["s-2"].html_inline == (
        "<del>Refunds take two days.</del><ins>Refunds take one day.</ins>"
    )
    assert (coarse["q-1"].inserted, coarse["q-1"].deleted) == (3, 1)


def test_the_default_budget_is_read_when_comparing(monkeypatch):
    monkeypatch.setattr(diffing, "DIFF_BUDGET", 0)
    old, new = content([section("s-1", "Two days.")]), content([section("s-1", "One day.")])

    [diff] = compare_contents(old, new)

    assert diff.coarse


def test_a_pathological_comparison_stops_at_the_deadline_with_a_coarse_result():
    # Two unrelated texts without one sentence end: a single run of 3,000 words each,
    # with too many pairs of equal words for difflib; Myers' diff would take seconds.
    rng = random.Random(7)
    vocabulary = ["the", "a", "of", "to", "we", "refund", "parcel", "carrier", "label"]
    old = " ".join(rng.choice(vocabulary) for _ in range(3_000))
    new = " ".join(rng.choice(vocabulary) for _ in range(3_000))

    result = diff_text(old, new, deadline=time.time() + 0.01)

    assert result.coarse
    assert result.changed and result.deleted and result.inserted


def test_moved_faq_entry_with_a_rewritten_answer_is_matched_by_key():
    answer = " ".join(KEPT)
    rewritten = " ".join([KEPT[0], "Legal signed off on Tuesday.", *KEPT[2:]])
    old = content(
        entries=[faq("q-1", "Cost?", answer), faq("q-2", "When?", "Soon."), faq("q-3", "Who?")]
    )
    new = content(
        entries=[faq("q-2", "When?", "Soon."), faq("q-3", "Who?"), faq("q-1", "Cost?", rewritten)]
    )

    diffs = by_key(compare_contents(old, new))

    assert (diffs["q-1"].status, diffs["q-1"].moved) == ("changed", True)
    assert (diffs["q-1"].old_position, diffs["q-1"].new_position) == (0, 2)
    assert diffs["q-2"].status == diffs["q-3"].status == "unchanged"
    assert diffs["q-1"].html_inline == (
        f"{KEPT[0]} <del>The pilot cut the time to refund from nine days to two</del>"
        f"<ins>Legal signed off on Tuesday</ins>. {KEPT[2]} {KEPT[3]}"
    )


@given(
    st.text(alphabet="ab é.!?\n<&", max_size=80),
    st.text(alphabet="ab é.!?\n<&", max_size=80),
    st.sampled_from([0, 1, diffing.MATCHER_PAIRS]),
    st.booleans(),
)
def test_every_path_rebuilds_both_texts_and_counts_every_word(old, new, pairs, late):
    # difflib or Myers' diff (pairs), in time or past the deadline (late).
    deadline = time.time() + (-1 if late else 10)
    with mock.patch.object(diffing, "MATCHER_PAIRS", pairs):
        result = diff_text(old, new, deadline=deadline)
        runs, _ = diffing._diff_runs(old, new, deadline)
    kept = sum(1 for op, tokens in runs if op == EQUAL for t in tokens if WORD.fullmatch(t))

    assert "".join("".join(t) for op, t in runs if op in (EQUAL, DELETE)) == old
    assert "".join("".join(t) for op, t in runs if op in (EQUAL, INSERT)) == new
    assert result.changed == (old != new)
    assert kept + result.deleted == word_count(old)
    assert kept + result.inserted == word_count(new)
