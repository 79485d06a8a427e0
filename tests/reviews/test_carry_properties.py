"""Properties of re-anchoring (reviews/reanchoring.py), checked on generated documents.

Documents are built from words, rendered with the real Markdown pipeline and
read back as the browser's textContent, exactly as comments are anchored. Three
vocabularies keep the expectations exact:

- filler words, which repeat a lot and may be deleted;
- phrase words, the only words of the phrases comments are made on (a phrase may
  occur several times, and then the comment is on one occurrence);
- inserted words (upper case), which never spell a phrase.

The number of anchors exercised is counted and shown at the end of the run
(tests/reviews/conftest.py).
"""

from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from documents.rendering import render_markdown
from reviews.anchoring import section_plain_text
from reviews.reanchoring import EXACT, Reanchorer, Text
from tests.reviews.carrying import count_anchors

FILLER = ["the", "a", "customer", "returns", "parcel", "from", "home", "and", "refund", "it"]
PHRASE = ["jukebox", "quiz", "vexing", "zigzag", "kayak", "waxy", "jiggly", "buzzword"]
INSERTED = ["ZEBRA", "OKAPI", "YAK", "GNU"]

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass
class Doc:
    """Words, and after which word indices a paragraph ends."""

    words: list[str]
    breaks: frozenset[int] = frozenset()

    def markdown(self, *, emphasis=frozenset(), wraps=frozenset(), spaces=frozenset()) -> str:
        """The words as Markdown: paragraphs, optional emphasis, line wraps, extra spaces."""
        out = []
        for i, word in enumerate(self.words):
            if i in emphasis:
                marker = ("*", "**", "_")[i % 3]
                word = f"{marker}{word}{marker}"
            out.append(word)
            if i == len(self.words) - 1:
                break
            if i in self.breaks:
                out.append("\n\n")
            elif i in wraps:
                out.append("\n")
            elif i in spaces:
                out.append("   ")
            else:
                out.append(" ")
        return "".join(out)

    def text(self, **options) -> Text:
        return Text(section_plain_text(render_markdown(self.markdown(**options))))

    def norm_offset(self, index: int) -> int:
        """Where word ``index`` starts in the whitespace-collapsed text."""
        return sum(len(w) + 1 for w in self.words[:index])


@dataclass(frozen=True)
class Anchor:
    quote: str
    prefix: str
    suffix: str
    start: int
    end: int


def anchor(doc: Doc, text: Text, first: int, last: int) -> Anchor:
    """What the browser would send for a selection of words first..last (inclusive)."""
    a = doc.norm_offset(first)
    b = doc.norm_offset(last) + len(doc.words[last])
    i, j = text.raw_span(a, b)
    assert Text(text.raw[i:j]).norm == " ".join(doc.words[first : last + 1])
    return Anchor(
        quote=text.raw[i:j],
        prefix=text.raw[max(0, i - 32) : i],
        suffix=text.raw[j : j + 32],
        start=text.utf16(i),
        end=text.utf16(j),
    )


def find(old: Text, new: Text, a: Anchor):
    count_anchors()
    return Reanchorer({"s": old}, {"s": new}).find(
        key="s", quote=a.quote, prefix=a.prefix, suffix=a.suffix, start=a.start, end=a.end
    )


def found_at(new: Text, match) -> int:
    """The collapsed-text offset where a match starts."""
    return new.to_norm(match.start)


# --- Strategies ----------------------------------------------------------------------------------


@st.composite
def documents(draw, vocabulary=FILLER + PHRASE, min_size=1):
    words = draw(st.lists(st.sampled_from(vocabulary), min_size=min_size, max_size=60))
    breaks = draw(st.frozensets(st.integers(0, len(words) - 1), max_size=4))
    return Doc(words, breaks)


@st.composite
def phrase_documents(draw, min_occurrences=1, max_occurrences=3):
    """Filler with a phrase (of phrase words only) at 1–3 places; returns (doc, starts, length)."""
    phrase = draw(st.lists(st.sampled_from(PHRASE), min_size=3, max_size=6))
    occurrences = draw(st.integers(min_occurrences, max_occurrences))
    fillers = draw(
        st.lists(
            st.lists(st.sampled_from(FILLER), max_size=10),
            min_size=occurrences + 1,
            max_size=occurrences + 1,
        )
    )
    words, starts = list(fillers[0]), []
    for filler in fillers[1:]:
        starts.append(len(words))
        words += phrase
        words += filler
    breaks = draw(st.frozensets(st.integers(0, len(words) - 1), max_size=4))
    return Doc(words, breaks), starts, len(phrase)


@st.composite
def markdown_noise(draw, size: int):
    """Markdown-only and whitespace-only changes: emphasis, re-wrapped lines, extra spaces."""
    indices = st.frozensets(st.integers(0, max(size - 1, 0)), max_size=size)
    return {"emphasis": draw(indices), "wraps": draw(indices), "spaces": draw(indices)}


# --- Properties ----------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_unchanged_text_keeps_every_anchor(data):
    doc = data.draw(documents())
    text = doc.text()
    spans = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(doc.words) - 1), st.integers(0, 5)),
            min_size=1,
            max_size=8,
        )
    )
    for first, extra in spans:
        last = min(first + extra, len(doc.words) - 1)
        a = anchor(doc, text, first, last)

        match = find(text, doc.text(), a)

        assert match is not None and match.how == EXACT
        assert (match.start, match.end) == (text.index(a.start), text.index(a.end))


@SETTINGS
@given(st.data())
def test_insertions_and_deletions_elsewhere_keep_the_quote_at_its_new_place(data):
    doc, starts, length = data.draw(phrase_documents())
    target = data.draw(st.sampled_from(starts))
    old = doc.text()
    a = anchor(doc, old, target, target + length - 1)
    words = list(doc.words)
    for _ in range(data.draw(st.integers(1, 4))):
        if data.draw(st.booleans()) or not any(w in FILLER for w in words):
            # Insert new words anywhere but inside the commented occurrence.
            at = data.draw(
                st.sampled_from(
                    [i for i in range(len(words) + 1) if not target < i < target + length]
                )
            )
            inserted = data.draw(st.lists(st.sampled_from(INSERTED), min_size=1, max_size=6))
            words[at:at] = inserted
            target += len(inserted) if at <= target else 0
        else:
            # Delete a run of filler words.
            fill = [i for i, w in enumerate(words) if w in FILLER]
            start = data.draw(st.sampled_from(fill))
            end = start
            limit = data.draw(st.integers(1, 8))
            while end + 1 < len(words) and words[end + 1] in FILLER and end - start + 1 < limit:
                end += 1
            del words[start : end + 1]
            target -= end - start + 1 if start < target else 0
    new_doc = Doc(words, frozenset(i for i in doc.breaks if i < len(words) - 1))
    new = new_doc.text()

    match = find(old, new, a)

    assert match is not None and match.how == EXACT
    assert found_at(new, match) == new_doc.norm_offset(target)


@SETTINGS
@given(st.data())
def test_a_deleted_passage_makes_the_thread_outdated(data):
    doc, starts, length = data.draw(phrase_documents(max_occurrences=1))
    old = doc.text()
    target = starts[0]
    a = anchor(doc, old, target, target + length - 1)
    # Delete the passage, perhaps with some words either side.
    before = data.draw(st.integers(0, target))
    after = data.draw(st.integers(0, len(doc.words) - target - length))
    words = doc.words[: target - before] + doc.words[target + length + after :]
    new = Doc(words or ["the"]).text()

    assert find(old, new, a) is None


@SETTINGS
@given(st.data())
def test_a_repeated_phrase_keeps_the_right_occurrence(data):
    doc, starts, length = data.draw(phrase_documents(min_occurrences=2, max_occurrences=4))
    which = data.draw(st.integers(0, len(starts) - 1))
    old = doc.text()
    a = anchor(doc, old, starts[which], starts[which] + length - 1)
    # New words at the very start shift every occurrence; the comment keeps its own.
    inserted = data.draw(st.lists(st.sampled_from(INSERTED), max_size=5))
    new_doc = Doc(inserted + doc.words)
    new = new_doc.text(**data.draw(markdown_noise(len(new_doc.words))))

    match = find(old, new, a)

    assert match is not None
    assert found_at(new, match) == new_doc.norm_offset(starts[which] + len(inserted))


@SETTINGS
@given(st.data())
def test_whitespace_and_markdown_only_changes_orphan_nothing(data):
    doc = data.draw(documents())
    old = doc.text(**data.draw(markdown_noise(len(doc.words))))
    new = doc.text(**data.draw(markdown_noise(len(doc.words))))
    spans = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(doc.words) - 1), st.integers(0, 6)),
            min_size=1,
            max_size=6,
        )
    )
    for first, extra in spans:
        last = min(first + extra, len(doc.words) - 1)
        a = anchor(doc, old, first, last)

        match = find(old, new, a)

        assert match is not None and match.how == EXACT
        assert found_at(new, match) == doc.norm_offset(first)
        assert Text(new.raw[match.start : match.end]).norm == Text(a.quote).norm
