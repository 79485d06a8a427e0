"""Finding a comment's words again in a later iteration (the text side of carry-forward).

Texts are the sections' plain text as the browser's ``textContent`` gives it
(``anchoring.section_plain_text``), and every comparison is made on a copy with
each run of whitespace collapsed to one space. Re-wrapping a paragraph, splitting
it in two or turning it into a list only changes the whitespace between words;
Markdown emphasis never reaches the plain text. So neither can orphan a comment.

For each thread, the first of these that finds the words wins:

1. The exact quote in the same section. When the quote is exactly where the old
   passage lands in the new text (a word diff of the two versions of the section
   tells where), the words did not change: that is the answer. Otherwise the
   occurrence whose surroundings best match the stored prefix and suffix, and
   among equals the one nearest to where the old passage lands.
2. A fuzzy match in the same section: diff-match-patch's bitap matcher
   (``match_main``) run from the places the words are likely to be (where the
   diff puts the old passage; where the stored prefix ends or the suffix starts;
   where pairs of the quote's words or its long words occur), slice by slice,
   then the candidate is checked as a whole against the quote.
3. The exact quote, then a fuzzy match, in the other sections and FAQ answers.
4. Nothing: the passage is gone and the thread is carried as outdated.

Short quotes need more evidence than long ones: a word or two also occurs in
passages that have nothing to do with the comment, so a short quote found away
from where the diff puts it must agree with part of its old surroundings, and is
never matched fuzzily (one changed letter in "rise" makes "rose").
"""

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

from .anchoring import common_prefix_length, common_suffix_length

# diff-match-patch scores a bitap match as
#     errors / len(pattern) + distance from the expected place / Match_Distance
# and accepts it when the score is at most Match_Threshold (0 = perfect).
#
# 0.4 lets a 32-character slice match with up to 12 edited characters (two words
# of a seven-word phrase rewritten) where we expect it, fewer the further it has
# drifted; the whole candidate must then be within the same ratio of the quote by
# Levenshtein distance. The library's default, 0.5, also accepts a different
# sentence made of the same common words: tests/reviews/test_carry.py checks
# that a rewritten passage is outdated at 0.4.
MATCH_THRESHOLD = 0.4
# Bitap keeps one bit per pattern character. The reference implementations stop
# at 32 (Match_MaxBits); Python's integers go further but each step then costs
# in proportion. Long quotes are matched as consecutive 32-character slices,
# which also lets a long passage survive an edit that spoils one slice.
SLICE_CHARS = 32
# The first slice is looked for around a place we have good reason to expect it
# (a diff position or a seed, see _locations), so drifting 128 characters costs
# the whole threshold: at most ~51 characters away when the slice is intact.
FIRST_SLICE_DISTANCE = 128
# Each further slice follows the previous one closely (as dom-anchor-text-quote does).
NEXT_SLICE_DISTANCE = 64
# A word diff of a heavily rewritten section can take long; past this many
# seconds diff-match-patch returns a coarser (still valid) diff, which only
# makes the "where did the old passage go" hint less precise.
DIFF_TIMEOUT_SECONDS = 0.05

# Quotes shorter than this are only matched exactly.
MIN_FUZZY_CHARS = 10
# A quote at least this long is distinctive enough to be found anywhere...
MIN_DISTINCT_CHARS = 12
# ...a shorter one only where the diff puts it, or with this much of its old context.
MIN_CONTEXT_CHARS = 8
# Seeds (word pairs, long words) that occur more often than this say little.
MAX_SEED_OCCURRENCES = 3
# Places tried per section for a fuzzy match, the most promising first. In another
# section a place needs two seeds agreeing: a passage that moved there and was
# edited keeps more than one of its word pairs.
MAX_LOCATIONS = 6
MIN_VOTES_ELSEWHERE = 2
# Before the (costly) bitap and Levenshtein steps, a place must hold at least this
# share of the quote's words of four letters or more: 40% of edited characters
# leave more than half of a passage's words alone unless every word was touched.
MIN_SHARED_WORDS = 0.5
MAX_CANDIDATES = 1_000

EXACT, FUZZY, MOVED = "exact", "fuzzy", "moved"

_TOKEN = re.compile(r"\w+|[^\w\s]")
_WORD = re.compile(r"\w+")
# Python's \s is str.isspace(): the same characters the browser collapses here.
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """``text`` with every run of whitespace collapsed to one space."""
    return _SPACE.sub(" ", text)


class Text:
    """A section's plain text, its whitespace-collapsed form, and maps between the two.

    Offsets in ``raw`` are code points; ``utf16()`` and ``index()`` convert to
    and from the UTF-16 code units the browser (and Comment.start/end) count.
    """

    __slots__ = ("raw", "norm", "_n2r", "_r2n", "_astral", "_astral16", "_tokens")

    def __init__(self, raw: str):
        self.raw = raw
        parts: list[str] = []
        n2r: list[int] = []
        r2n: list[int] = [0] * (len(raw) + 1)
        done = 0  # raw characters mapped so far
        for run in _SPACE.finditer(raw):
            start, end = run.span()
            n = len(n2r)
            # The text before the run maps one to one; the run becomes one space.
            n2r.extend(range(done, start))
            r2n[done:start] = range(n, n + start - done)
            parts.append(raw[done:start])
            r2n[start:end] = [n + start - done] * (end - start)
            n2r.append(start)
            parts.append(" ")
            done = end
        n = len(n2r)
        n2r.extend(range(done, len(raw)))
        r2n[done : len(raw)] = range(n, n + len(raw) - done)
        parts.append(raw[done:])
        n2r.append(len(raw))
        r2n[len(raw)] = len(n2r) - 1
        self.norm = "".join(parts)
        self._n2r = n2r
        self._r2n = r2n
        # Characters outside the BMP take two UTF-16 units (emoji, some CJK).
        self._astral = [i for i, char in enumerate(raw) if char > "\uffff"]
        self._astral16 = [i + rank for rank, i in enumerate(self._astral)]
        self._tokens = None

    # --- Offsets ---

    def utf16(self, index: int) -> int:
        """UTF-16 offset of code point ``index`` of ``raw``."""
        return index + bisect_left(self._astral, index)

    def index(self, offset16: int) -> int | None:
        """Code point index of UTF-16 ``offset16``; None outside or inside a surrogate pair."""
        before = bisect_left(self._astral16, offset16)
        if before and self._astral16[before - 1] + 1 == offset16:
            return None
        index = offset16 - before
        return index if 0 <= index <= len(self.raw) else None

    def to_norm(self, index: int) -> int:
        return self._r2n[index]

    def raw_span(self, start: int, end: int) -> tuple[int, int]:
        """The ``raw`` span of the ``norm`` span [start, end)."""
        if end <= start:
            at = self._n2r[start]
            return at, at
        return self._n2r[start], self._n2r[end - 1] + 1

    # --- Words, for the diff ---

    def tokens(self) -> tuple[list[str], list[int], list[int]]:
        """Words and punctuation of ``norm`` with their start and end offsets."""
        if self._tokens is None:
            found = [(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(self.norm)]
            self._tokens = (
                [t for t, _, _ in found],
                [s for _, s, _ in found],
                [e for _, _, e in found],
            )
        return self._tokens


class _Matcher(diff_match_patch):
    def diff_halfMatch(self, text1, text2):
        # This speed-up accepts non-minimal diffs, which can pair a repeated phrase
        # with the wrong copy of itself; where the old words went must be exact.
        # The deadline (Diff_Timeout) still bounds the time.
        return None


@dataclass(frozen=True)
class Match:
    """Where a quote was found: section key, code point span in its raw text, and how."""

    key: str
    start: int
    end: int
    how: str


@dataclass(frozen=True)
class _Candidate:
    start: int  # norm offsets
    end: int
    context: int
    distance: int
    error: float = 0.0
    mapped: bool = False


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


class Reanchorer:
    """Finds quotes of one old iteration's sections in a new iteration's sections.

    ``old`` and ``new`` map section keys to ``Text``, ``new`` in document order.
    Word diffs of changed sections are computed once, on first need.
    """

    def __init__(self, old: dict[str, Text], new: dict[str, Text]):
        self.old = old
        self.new = new
        self._diffs: dict[str, list | None] = {}
        self._vocabulary: dict[str, str] = {}
        self._dmp = _Matcher()
        self._dmp.Match_Threshold = MATCH_THRESHOLD
        self._dmp.Diff_Timeout = DIFF_TIMEOUT_SECONDS

    # --- The search ---

    def find(
        self,
        *,
        key: str,
        quote: str,
        prefix: str = "",
        suffix: str = "",
        start: int | None = None,
        end: int | None = None,
    ) -> Match | None:
        """Where the words of the anchor (``start``/``end`` in UTF-16 units) are now."""
        q = normalise(quote)
        if not q.strip():
            # A comment on a whole section follows its section.
            return Match(key, 0, 0, EXACT) if key in self.new else None
        p, s = normalise(prefix), normalise(suffix)
        text = self.new.get(key)
        mapped = self._mapped(key, quote, start, end) if text is not None else None
        if text is not None:
            found = self._exact(text, q, p, s, mapped)
            if found is not None:
                return self._match(key, text, found, EXACT)
            if len(q.strip()) >= MIN_FUZZY_CHARS:
                found = self._fuzzy(text, q, p, s, mapped)
                if found is not None:
                    return self._match(key, text, found, FUZZY)
        others = [(k, t) for k, t in self.new.items() if k != key]
        best = None
        for other_key, other in others:
            found = self._exact(other, q, p, s, None)
            if found is not None and (best is None or found.context > best[1].context):
                best = (other_key, found)
        if best is None and len(q.strip()) >= MIN_DISTINCT_CHARS:
            for other_key, other in others:
                found = self._fuzzy(other, q, p, s, None, min_votes=MIN_VOTES_ELSEWHERE)
                if found is not None and (best is None or found.error < best[1].error):
                    best = (other_key, found)
        if best is None:
            return None
        other_key, found = best
        return self._match(other_key, self.new[other_key], found, MOVED)

    def _match(self, key: str, text: Text, found: _Candidate, how: str) -> Match:
        start, end = text.raw_span(found.start, found.end)
        return Match(key, start, end, how)

    # --- Where the old passage lands ---

    def _mapped(self, key, quote, start, end) -> tuple[int, int] | None:
        """The new-text (norm) span the word diff maps the old passage to, if known."""
        old, new = self.old.get(key), self.new.get(key)
        if old is None or new is None or start is None or end is None:
            return None
        i, j = old.index(start), old.index(end)
        if i is None or j is None or old.raw[i:j] != quote:
            return None
        a, b = old.to_norm(i), old.to_norm(j)
        # Map the first and last character that are not the collapsed space.
        while a < b and old.norm[a] == " ":
            a += 1
        while b > a and old.norm[b - 1] == " ":
            b -= 1
        if old.norm == new.norm or a == b:
            return a, b
        # The end is mapped through the quote's last character: the boundary after
        # it may belong to text the diff aligned elsewhere.
        start = self._map(key, old, new, a)
        end = min(self._map(key, old, new, b - 1) + 1, len(new.norm))
        return start, max(start, end)

    def _map(self, key: str, old: Text, new: Text, position: int) -> int:
        """The position in ``new`` that old ``position`` corresponds to, word by word."""
        diffs = self._diff(key, old, new)
        tokens, starts, ends = old.tokens()
        new_tokens, new_starts, _ = new.tokens()
        t = bisect_right(starts, position) - 1
        delta = 0
        if t >= 0 and position < ends[t]:
            delta = position - starts[t]
        else:
            t += 1
        nt = self._dmp.diff_xIndex(diffs, t)
        if nt >= len(new_starts):
            return len(new.norm)
        moved = new_starts[nt]
        if delta and t < len(tokens) and new_tokens[nt] == tokens[t]:
            moved += delta
        return moved

    def _diff(self, key: str, old: Text, new: Text) -> list:
        if key not in self._diffs:
            self._diffs[key] = self._dmp.diff_main(
                self._encode(old.tokens()[0]), self._encode(new.tokens()[0]), False
            )
        return self._diffs[key]

    def _encode(self, tokens: list[str]) -> str:
        """One character per distinct word, so the character diff is a word diff."""
        chars = []
        vocabulary = self._vocabulary
        for token in tokens:
            char = vocabulary.get(token)
            if char is None:
                code = 0x100 + len(vocabulary)
                if code >= 0xD800:  # skip the surrogates: they are not characters
                    code += 0x800
                char = vocabulary[token] = chr(code)
            chars.append(char)
        return "".join(chars)

    # --- Exact ---

    def _context(self, norm: str, start: int, end: int, p: str, s: str) -> int:
        before = norm[max(0, start - len(p)) : start]
        return common_suffix_length(before, p) + common_prefix_length(norm[end : end + len(s)], s)

    def _exact(self, text: Text, q, p, s, mapped) -> _Candidate | None:
        norm = text.norm
        lead = len(q) - len(q.lstrip(" "))
        distinct = len(q.strip()) >= MIN_DISTINCT_CHARS
        candidates = []
        at = norm.find(q)
        while at != -1 and len(candidates) < MAX_CANDIDATES:
            is_mapped = mapped is not None and at + lead == mapped[0]
            context = self._context(norm, at, at + len(q), p, s)
            if is_mapped or distinct or context >= MIN_CONTEXT_CHARS:
                distance = abs(at + lead - mapped[0]) if mapped is not None else 0
                candidates.append(_Candidate(at, at + len(q), context, distance, mapped=is_mapped))
            at = norm.find(q, at + 1)
        if not candidates:
            return None
        return min(candidates, key=lambda c: (not c.mapped, -c.context, c.distance, c.start))

    # --- Fuzzy ---

    def _locations(self, norm: str, q: str, p: str, s: str, mapped, min_votes=1) -> list[int]:
        """Where the quote probably starts, the most promising first.

        Seeds are exact pieces that survive small edits: the end of the old
        prefix, the start of the old suffix, pairs of neighbouring words of the
        quote and its long words. A place several seeds agree on comes first.
        """
        seeds: list[tuple[str, int]] = []  # (piece, where the quote starts relative to it)
        tail = p[-16:].lstrip()
        if len(tail) >= 8:
            seeds.append((tail, len(tail)))
        head = s[:16].rstrip()
        if len(head) >= 8:
            seeds.append((head, -len(q)))
        words = list(_WORD.finditer(q))
        for a, b in zip(words, words[1:], strict=False):
            if b.end() - a.start() >= 8:
                seeds.append((q[a.start() : b.end()], -a.start()))
        seeds += [(w.group(), -w.start()) for w in words if len(w.group()) >= 7]
        votes: Counter[int] = Counter()
        for piece, shift in seeds:
            hits = []
            at = norm.find(piece)
            while at != -1 and len(hits) <= MAX_SEED_OCCURRENCES:
                hits.append(at)
                at = norm.find(piece, at + 1)
            if len(hits) > MAX_SEED_OCCURRENCES:
                continue
            for hit in hits:
                # Seeds agreeing within a few characters vote for the same place.
                votes[max(0, hit + shift) // 8 * 8] += 1
        places = [place for place, n in votes.most_common() if n >= min_votes]
        if mapped is not None:
            places.insert(0, mapped[0])
        unique = []
        for place in places:
            if all(abs(place - other) > 8 for other in unique):
                unique.append(place)
        return unique[:MAX_LOCATIONS]

    def _slices(self, q: str) -> list[tuple[int, str]]:
        slices = [(o, q[o : o + SLICE_CHARS]) for o in range(0, len(q), SLICE_CHARS)]
        if len(slices) > 1 and len(slices[-1][1]) < SLICE_CHARS // 2:
            # A short last slice matches too loosely: take the last full 32 characters.
            slices[-1] = (len(q) - SLICE_CHARS, q[-SLICE_CHARS:])
        return slices

    def _bitap(self, norm: str, q: str, location: int) -> tuple[int, int] | None:
        """Place the quote's slices one after the other from ``location``."""
        dmp = self._dmp
        first = last = None  # (where found, offset in the quote, slice length)
        for offset, piece in self._slices(q):
            if last is None:
                dmp.Match_Distance = FIRST_SLICE_DISTANCE
                expected = location + offset
            else:
                dmp.Match_Distance = NEXT_SLICE_DISTANCE
                expected = last[0] + offset - last[1]
            expected = max(0, min(expected, len(norm)))
            # Bitap cannot accept a place further than Threshold * Distance from the
            # expected one, so it only needs that window (and allocates per character
            # of the text it is given, on every error level).
            reach = int(MATCH_THRESHOLD * dmp.Match_Distance) + len(piece)
            low = max(0, expected - reach)
            at = dmp.match_main(norm[low : expected + reach], piece, expected - low)
            if at == -1:
                continue
            at += low
            last = (at, offset, len(piece))
            first = first or last
        if first is None:
            return None
        start = max(0, first[0] - first[1])
        end = min(len(norm), last[0] + len(q) - last[1])
        return (start, end) if end > start else None

    def _snap(self, norm: str, q: str, start: int, end: int) -> tuple[int, int]:
        """Whole words, and no spaces at the ends the quote does not have."""
        while 0 < start < len(norm) and _is_word(norm[start - 1]) and _is_word(norm[start]):
            start -= 1
        while 0 < end < len(norm) and _is_word(norm[end - 1]) and _is_word(norm[end]):
            end += 1
        if not q.startswith(" "):
            while start < end and norm[start] == " ":
                start += 1
        if not q.endswith(" "):
            while end > start and norm[end - 1] == " ":
                end -= 1
        return start, end

    def _error(self, q: str, candidate: str) -> float:
        """Levenshtein distance as a share of the longer text (0 = identical)."""
        dmp = self._dmp
        distance = dmp.diff_levenshtein(dmp.diff_main(q, candidate, False))
        return distance / max(len(q), len(candidate), 1)

    def _shares_words(self, words: list[str], window: str) -> bool:
        """Whether ``window`` holds at least MIN_SHARED_WORDS of ``words`` (cheap)."""
        present = set(_WORD.findall(window.lower()))
        return sum(word in present for word in words) >= MIN_SHARED_WORDS * len(words)

    def _fuzzy(self, text: Text, q, p, s, mapped, min_votes=1) -> _Candidate | None:
        norm = text.norm
        # Short words ("the", "of") are everywhere: they say nothing about a place.
        words = [w for w in _WORD.findall(q.lower()) if len(w) >= 4] or _WORD.findall(q.lower())
        slack = SLICE_CHARS + len(q) // 2
        spans = set()
        if mapped is not None and mapped[1] > mapped[0]:
            spans.add(self._snap(norm, q, *mapped))
        # Where the diff put the old words is tried as it is when it kept enough text
        # there for a match (typos fixed in place change every word they touch); a
        # place a seed suggests, or a passage the diff says was replaced, must first
        # share words with the quote.
        kept = mapped is not None and mapped[1] - mapped[0] >= (1 - MATCH_THRESHOLD) * len(q)
        for location in self._locations(norm, q, p, s, mapped, min_votes):
            window = norm[max(0, location - slack) : location + slack + len(q)]
            trusted = kept and location == mapped[0]
            if not trusted and not self._shares_words(words, window):
                continue
            span = self._bitap(norm, q, location)
            if span is not None:
                spans.add(self._snap(norm, q, *span))
        best = None
        for start, end in spans:
            # The length difference alone is a lower bound of the Levenshtein distance.
            too_long = abs(end - start - len(q)) > MATCH_THRESHOLD * max(end - start, len(q))
            if end <= start or too_long:
                continue
            error = self._error(q, norm[start:end])
            if error > MATCH_THRESHOLD:
                continue
            distance = abs(start - mapped[0]) if mapped is not None else 0
            candidate = _Candidate(
                start, end, self._context(norm, start, end, p, s), distance, error=error
            )
            key = (candidate.error, -candidate.context, candidate.distance, candidate.start)
            if best is None or key < best[0]:
                best = (key, candidate)
        return best[1] if best else None
