"""Word-level comparison of two texts (``comparing`` applies it to two iterations).

Texts are split into tokens (words, single
punctuation marks, and the whitespace before each) and compared in two passes:
whole sentences first, then word by word inside the runs of sentences that
differ. The inline output keeps the author's spacing and line breaks.
"""

import difflib
import itertools
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from diff_match_patch import diff_match_patch

from .rendering import WORD_PATTERN

_TOKEN = re.compile(rf"{WORD_PATTERN}|\s+|\S")
# A token and the whitespace before it; possessive, so a failed match never backtracks.
_SPACED_TOKEN = re.compile(rf"(\s*+)({WORD_PATTERN}|\S)")
_WORD = re.compile(WORD_PATTERN)
_SENTENCE_ENDS = frozenset(".!?")

EQUAL, INSERT, DELETE = 0, 1, -1

# Seconds one comparison (every section and FAQ entry of two iterations) may
# spend before the passages it has not reached yet are compared sentence by
# sentence only. Two 3,300-word iterations need a fraction of it, however far
# apart (about 10 ms for the bench's first iteration against its fiftieth).
DIFF_BUDGET = 0.04

# difflib's matcher costs up to a microsecond per pair of equal tokens, one from
# each side: cheap for prose, quadratic for a long run of one repeated token.
# Past this many pairs, Myers' diff (diff-match-patch) takes over: it is fast on
# such texts when they are alike, and stops at the deadline when they are not.
MATCHER_PAIRS = 50_000

_dmp = diff_match_patch()


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _words(run: str) -> int:
    # A run is one stretch of its text, cut where tokens meet: it holds the words its tokens do.
    return len(_WORD.findall(run))


def _split(text: str) -> tuple[list[str], list[str]]:
    """Words and punctuation, and the whitespace before each (plus the trailing run)."""
    # Without the trailing whitespace every match succeeds, and the scan stays linear.
    body = text.rstrip()
    pairs = _SPACED_TOKEN.findall(body)
    return [token for _, token in pairs], [space for space, _ in pairs] + [text[len(body) :]]


def _encode(items: Sequence, vocabulary: dict) -> str:
    chars = []
    for item in items:
        char = vocabulary.get(item)
        if char is None:
            code = 0x100 + len(vocabulary)
            # Skip the surrogate block: lone surrogates are not characters.
            if code >= 0xD800:
                code += 0x800
            char = vocabulary[item] = chr(code)
        chars.append(char)
    return "".join(chars)


def deadline_in(budget: float | None = None) -> float:
    """The ``time.time()`` by which a comparison given ``budget`` seconds must end."""
    # diff-match-patch compares its deadline with time.time(), so every deadline here does.
    return time.time() + (DIFF_BUDGET if budget is None else budget)


def diff_tokens(old: str, new: str) -> list[tuple[int, list[str]]]:
    """(operation, tokens) runs turning ``old`` into ``new``, at word granularity."""
    return _diff_runs(old, new, deadline_in())[0]


def _diff_runs(old: str, new: str, deadline: float) -> tuple[list[tuple[int, list[str]]], bool]:
    """The runs of ``diff_tokens``, and whether the deadline left some of them coarser.

    Only words and punctuation take part in the matching: were whitespace a
    token like the others, a diff could keep a space in common instead of a
    word. Whitespace is put back afterwards, so spacing changes still show.
    """
    if old == new:
        return ([(EQUAL, tokenize(old))] if old else []), False
    old_tokens, old_spaces = _split(old)
    new_tokens, new_spaces = _split(new)
    steps, coarse = _token_steps(old_tokens, old_spaces, new_tokens, new_spaces, deadline)

    runs: list[tuple[int, list[str]]] = []

    def emit(op: int, tokens: list[str]) -> None:
        if not tokens:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1].extend(tokens)
        else:
            runs.append((op, tokens))

    def emit_spaces(old_space: str, new_space: str) -> None:
        if old_space == new_space:
            emit(EQUAL, [old_space] if old_space else [])
        else:
            emit(DELETE, [old_space] if old_space else [])
            emit(INSERT, [new_space] if new_space else [])

    def with_spaces(tokens: list[str], spaces: list[str], start: int, end: int) -> list[str]:
        return [t for k in range(start, end) for t in (spaces[k], tokens[k]) if t]

    i = j = 0
    for op, count in steps:
        if op == DELETE:
            emit(DELETE, with_spaces(old_tokens, old_spaces, i, i + count))
            i += count
        elif op == INSERT:
            emit(INSERT, with_spaces(new_tokens, new_spaces, j, j + count))
            j += count
        else:
            kept: list[str] = []
            for k in range(count):
                old_space, new_space = old_spaces[i + k], new_spaces[j + k]
                if old_space != new_space:
                    emit(EQUAL, kept)
                    kept = []
                    emit_spaces(old_space, new_space)
                elif old_space:
                    kept.append(old_space)
                kept.append(old_tokens[i + k])
            emit(EQUAL, kept)
            i += count
            j += count
    emit_spaces(old_spaces[-1], new_spaces[-1])
    return _join_edits(runs), coarse


def _sentence_bounds(tokens: list[str], spaces: list[str]) -> list[int]:
    """Where each sentence (or line) of ``tokens`` starts, then where the last one ends."""
    if not tokens:
        return [0]
    bounds = [0]
    for index in range(1, len(tokens)):
        space = spaces[index]
        if space and (tokens[index - 1] in _SENTENCE_ENDS or "\n" in space):
            bounds.append(index)
    bounds.append(len(tokens))
    return bounds


def _token_steps(
    old_tokens: list[str],
    old_spaces: list[str],
    new_tokens: list[str],
    new_spaces: list[str],
    deadline: float,
) -> tuple[list[tuple[int, int]], bool]:
    """(operation, number of tokens) steps turning ``old_tokens`` into ``new_tokens``.

    Whole sentences are matched first: authors keep most sentences as they are
    or replace them whole, and a word diff over whole sections grows with their
    length times their differences (two far-apart iterations took 150 ms and
    more). Only a run of sentences that differ is then compared word by word
    with the run that took its place. Once ``deadline`` has passed, the runs
    not reached yet stay whole sentences deleted and inserted, and the second
    value says that the result is coarser.
    """
    old_bounds = _sentence_bounds(old_tokens, old_spaces)
    new_bounds = _sentence_bounds(new_tokens, new_spaces)
    old_sentences = [tuple(old_tokens[a:b]) for a, b in itertools.pairwise(old_bounds)]
    new_sentences = [tuple(new_tokens[a:b]) for a, b in itertools.pairwise(new_bounds)]
    sentence_steps, coarse = _steps(old_sentences, new_sentences, deadline)

    steps: list[tuple[int, int]] = []
    i = j = 0  # sentences consumed in old and new
    start_i = start_j = 0  # where the current run of differing sentences began
    # Each kept stretch closes the run of differences before it; the last one is empty.
    for op, count in [*sentence_steps, (EQUAL, 0)]:
        if op == DELETE:
            i += count
            continue
        if op == INSERT:
            j += count
            continue
        old_run = old_tokens[old_bounds[start_i] : old_bounds[i]]
        new_run = new_tokens[new_bounds[start_j] : new_bounds[j]]
        if old_run and new_run and not coarse and time.time() < deadline:
            run_steps, coarse = _steps(old_run, new_run, deadline)
            steps.extend(run_steps)
        else:
            coarse = coarse or bool(old_run and new_run)
            steps.extend([(DELETE, len(old_run)), (INSERT, len(new_run))])
        steps.append((EQUAL, old_bounds[i + count] - old_bounds[i]))
        i += count
        j += count
        start_i, start_j = i, j
    return [(op, count) for op, count in steps if count], coarse


def _steps(a: Sequence, b: Sequence, deadline: float) -> tuple[list[tuple[int, int]], bool]:
    """(operation, length) steps turning ``a`` into ``b``; True if the deadline cut them short."""
    counts = Counter(a)
    if sum(counts[item] for item in b) <= MATCHER_PAIRS:
        steps = []
        matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
        for tag, a_start, a_end, b_start, b_end in matcher.get_opcodes():
            if tag == "equal":
                steps.append((EQUAL, a_end - a_start))
            else:
                steps.extend([(DELETE, a_end - a_start), (INSERT, b_end - b_start)])
        return steps, False
    # diff-match-patch diffs characters: each distinct item becomes one.
    vocabulary: dict = {}
    diffs = _dmp.diff_main(_encode(a, vocabulary), _encode(b, vocabulary), False, deadline)
    # Past the deadline, diff-match-patch returns what it has: correct, less fine.
    return [(op, len(text)) for op, text in diffs], time.time() >= deadline


def _join_edits(runs: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Join edits separated only by whitespace into one deletion and one insertion.

    "<del>quick</del><ins>slow</ins> <del>fox</del><ins>dog</ins>" reads better as
    "<del>quick fox</del><ins>slow dog</ins>". Only whitespace is absorbed, so the
    word counts stay those of the word diff (diff-match-patch's semantic
    cleanup would also swallow short words and inflate them).
    """
    joined: list[tuple[int, list[str]]] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def append(op, tokens):
        if not tokens:
            return
        if joined and joined[-1][0] == op:
            joined[-1][1].extend(tokens)
        else:
            joined.append((op, list(tokens)))

    def flush():
        # Whitespace both sides begin or end with is not part of the change.
        head = tail = 0
        while (
            head < min(len(deleted), len(inserted))
            and deleted[head] == inserted[head]
            and deleted[head].isspace()
        ):
            head += 1
        while (
            tail < min(len(deleted), len(inserted)) - head
            and deleted[-1 - tail] == inserted[-1 - tail]
            and deleted[-1 - tail].isspace()
        ):
            tail += 1
        append(EQUAL, deleted[:head])
        append(DELETE, deleted[head : len(deleted) - tail])
        append(INSERT, inserted[head : len(inserted) - tail])
        append(EQUAL, deleted[len(deleted) - tail :] if tail else [])
        deleted.clear()
        inserted.clear()

    for index, (op, tokens) in enumerate(runs):
        if op == DELETE:
            deleted.extend(tokens)
        elif op == INSERT:
            inserted.extend(tokens)
        elif (
            (deleted or inserted)
            and index + 1 < len(runs)
            and all(token.isspace() for token in tokens)
        ):
            deleted.extend(tokens)
            inserted.extend(tokens)
        else:
            flush()
            append(op, tokens)
    flush()
    return _slide_whitespace(joined)


def _slide_whitespace(runs: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Start an insertion or deletion after its whitespace, not before it.

    "one.<ins>\n\nTwo.</ins>\n\nThree." and "one.\n\n<ins>Two.\n\n</ins>Three."
    are the same change; the second marks a whole paragraph, as a reader sees it.
    """
    for index in range(1, len(runs) - 1):
        op, tokens = runs[index]
        before, after = runs[index - 1], runs[index + 1]
        if (
            op != EQUAL
            and before[0] == EQUAL
            and after[0] == EQUAL
            and tokens[0].isspace()
            and after[1][0] == tokens[0]
        ):
            space = tokens.pop(0)
            before[1].append(space)
            tokens.append(after[1].pop(0))
            if not after[1]:
                after[1].append("")
    return [(op, tokens) for op, tokens in runs if any(tokens)]


@dataclass(frozen=True)
class TextDiff:
    html_inline: str
    html_old: str
    html_new: str
    inserted: int
    deleted: int
    changed: bool
    coarse: bool = False  # some changes marked as whole sentences: the deadline passed


def diff_text(old: str, new: str, *, deadline: float | None = None) -> TextDiff:
    """Escaped HTML with <ins>/<del> around changed words; whitespace kept as typed.

    ``deadline`` (a ``time.time()`` value) is shared by the texts of one
    comparison; by default the text gets ``DIFF_BUDGET`` to itself.
    """
    inline, old_parts, new_parts = [], [], []
    inserted = deleted = 0
    changed = False
    runs, coarse = _diff_runs(old or "", new or "", deadline or deadline_in())
    for op, tokens in runs:
        run = "".join(tokens)
        text = escape(run)
        if op == EQUAL:
            inline.append(text)
            old_parts.append(text)
            new_parts.append(text)
        elif op == INSERT:
            changed = True
            inserted += _words(run)
            inline.append(f"<ins>{text}</ins>")
            new_parts.append(f"<ins>{text}</ins>")
        else:
            changed = True
            deleted += _words(run)
            inline.append(f"<del>{text}</del>")
            old_parts.append(f"<del>{text}</del>")
    return TextDiff(
        html_inline="".join(inline),
        html_old="".join(old_parts),
        html_new="".join(new_parts),
        inserted=inserted,
        deleted=deleted,
        changed=changed,
        coarse=coarse,
    )
