"""Word-level comparison of two iterations, section by section.

Sections and FAQ entries are matched by key, so a renamed or reordered section
is still "the same" section. Texts are split into tokens (words, runs of
whitespace, single punctuation marks) and each distinct token is mapped to one
character, so diff-match-patch's character diff becomes a word diff: fast, and
the inline output keeps the author's spacing and line breaks.
"""

import difflib
import re
from dataclasses import dataclass
from html import escape

from diff_match_patch import diff_match_patch

from .rendering import WORD_PATTERN

_TOKEN = re.compile(rf"{WORD_PATTERN}|\s+|\S")
_WORD = re.compile(WORD_PATTERN)

EQUAL, INSERT, DELETE = 0, 1, -1

UNCHANGED = "unchanged"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"
MOVED = "moved"

_dmp = diff_match_patch()
# A worst case (two unrelated 10,000-word texts) stops at a correct but less
# minimal diff instead of running on.
_dmp.Diff_Timeout = 2.0


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def _words(tokens) -> int:
    return sum(1 for token in tokens if _WORD.fullmatch(token))


def _encode(tokens: list[str], vocabulary: dict[str, str]) -> str:
    chars = []
    for token in tokens:
        char = vocabulary.get(token)
        if char is None:
            code = 0x100 + len(vocabulary)
            # Skip the surrogate block: lone surrogates are not characters.
            if code >= 0xD800:
                code += 0x800
            char = vocabulary[token] = chr(code)
        chars.append(char)
    return "".join(chars)


def _split(text: str) -> tuple[list[str], list[str]]:
    """Words and punctuation, and the whitespace before each (plus the trailing run)."""
    tokens, spaces, pending = [], [], ""
    for token in tokenize(text):
        if token.isspace():
            pending += token
        else:
            tokens.append(token)
            spaces.append(pending)
            pending = ""
    spaces.append(pending)
    return tokens, spaces


def diff_tokens(old: str, new: str) -> list[tuple[int, list[str]]]:
    """(operation, tokens) runs turning ``old`` into ``new``, at word granularity.

    Only words and punctuation take part in the matching: were whitespace a
    token like the others, a diff could keep a space in common instead of a
    word. Whitespace is put back afterwards, so spacing changes still show.
    """
    if old == new:
        return [(EQUAL, tokenize(old))] if old else []
    old_tokens, old_spaces = _split(old)
    new_tokens, new_spaces = _split(new)
    vocabulary: dict[str, str] = {}
    old_chars = _encode(old_tokens, vocabulary)
    new_chars = _encode(new_tokens, vocabulary)
    diffs = _dmp.diff_main(old_chars, new_chars, False) if old_chars or new_chars else []

    runs: list[tuple[int, list[str]]] = []

    def emit(op: int, *tokens: str) -> None:
        tokens = [token for token in tokens if token]
        if not tokens:
            return
        if runs and runs[-1][0] == op:
            runs[-1][1].extend(tokens)
        else:
            runs.append((op, tokens))

    def emit_spaces(old_space: str, new_space: str) -> None:
        if old_space == new_space:
            emit(EQUAL, old_space)
        else:
            emit(DELETE, old_space)
            emit(INSERT, new_space)

    i = j = 0
    for op, chars in diffs:
        for _ in chars:
            if op == EQUAL:
                emit_spaces(old_spaces[i], new_spaces[j])
                emit(EQUAL, old_tokens[i])
                i += 1
                j += 1
            elif op == DELETE:
                emit(DELETE, old_spaces[i], old_tokens[i])
                i += 1
            else:
                emit(INSERT, new_spaces[j], new_tokens[j])
                j += 1
    emit_spaces(old_spaces[-1], new_spaces[-1])
    return _join_edits(runs)


def _join_edits(runs: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Join edits separated only by whitespace into one deletion and one insertion.

    "<del>quick</del><ins>slow</ins> <del>fox</del><ins>dog</ins>" reads better as
    "<del>quick fox</del><ins>slow dog</ins>". Only whitespace is absorbed, so the
    word counts stay those of the minimal diff (diff-match-patch's semantic
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


def diff_text(old: str, new: str) -> TextDiff:
    """Escaped HTML with <ins>/<del> around changed words; whitespace kept as typed."""
    inline, old_parts, new_parts = [], [], []
    inserted = deleted = 0
    changed = False
    for op, tokens in diff_tokens(old or "", new or ""):
        text = escape("".join(tokens))
        if op == EQUAL:
            inline.append(text)
            old_parts.append(text)
            new_parts.append(text)
        elif op == INSERT:
            changed = True
            inserted += _words(tokens)
            inline.append(f"<ins>{text}</ins>")
            new_parts.append(f"<ins>{text}</ins>")
        else:
            changed = True
            deleted += _words(tokens)
            inline.append(f"<del>{text}</del>")
            old_parts.append(f"<del>{text}</del>")
    return TextDiff(
        html_inline="".join(inline),
        html_old="".join(old_parts),
        html_new="".join(new_parts),
        inserted=inserted,
        deleted=deleted,
        changed=changed,
    )


@dataclass(frozen=True)
class SectionDiff:
    """One section or FAQ entry in a comparison.

    For FAQ entries the "heading" is the question and the body the answer.
    ``status`` is one of unchanged, changed, added, removed, moved; an entry
    that moved *and* changed has status "changed" and ``moved`` True.
    """

    key: str
    kind: str  # "section" or "faq"
    status: str
    heading: str
    heading_html_inline: str
    heading_html_old: str
    heading_html_new: str
    html_inline: str
    html_old: str
    html_new: str
    inserted: int
    deleted: int
    moved: bool = False
    part: str = ""
    audience: str = ""
    old_audience: str = ""
    old_position: int | None = None
    new_position: int | None = None

    @property
    def is_unchanged(self) -> bool:
        return self.status == UNCHANGED

    @property
    def is_faq(self) -> bool:
        return self.kind == "faq"

    @property
    def heading_changed(self) -> bool:
        return self.heading_html_old != self.heading_html_new


def _moved_keys(old_keys: list[str], new_keys: list[str]) -> set[str]:
    """Keys present in both whose relative order changed.

    The longest run of keys kept in order stays put; every other common key
    moved. Absolute positions would call everything after an insertion "moved".
    """
    new_set = set(new_keys)
    old_common = [k for k in old_keys if k in new_set]
    old_set = set(old_keys)
    new_common = [k for k in new_keys if k in old_set]
    matcher = difflib.SequenceMatcher(a=old_common, b=new_common, autojunk=False)
    in_place = set()
    for block in matcher.get_matching_blocks():
        in_place.update(old_common[block.a : block.a + block.size])
    return set(old_common) - in_place


def _display_order(old_keys: list[str], new_keys: list[str]) -> list[str]:
    """New order, with each removed key right after its nearest surviving predecessor."""
    new_set = set(new_keys)
    after: dict[str | None, list[str]] = {}
    anchor = None
    for key in old_keys:
        if key in new_set:
            anchor = key
        else:
            after.setdefault(anchor, []).append(key)
    order = list(after.get(None, []))
    for key in new_keys:
        order.append(key)
        order.extend(after.get(key, []))
    return order


def _compare_items(old_items, new_items, *, kind: str, title: str, body: str) -> list[SectionDiff]:
    old_by_key = {item["key"]: (i, item) for i, item in enumerate(old_items)}
    new_by_key = {item["key"]: (i, item) for i, item in enumerate(new_items)}
    old_keys = [item["key"] for item in old_items]
    new_keys = [item["key"] for item in new_items]
    moved = _moved_keys(old_keys, new_keys)
    # A section heading is a label, an FAQ question is prose: only the latter counts as words.
    title_counts = kind == "faq"

    diffs = []
    for key in _display_order(old_keys, new_keys):
        old_pos, old = old_by_key.get(key, (None, None))
        new_pos, new = new_by_key.get(key, (None, None))
        title_diff = diff_text(old[title] if old else "", new[title] if new else "")
        body_diff = diff_text(old[body] if old else "", new[body] if new else "")
        old_audience = old.get("audience", "") if old else ""
        audience = new.get("audience", "") if new else old_audience
        is_moved = bool(old and new) and (key in moved or old_audience != audience)
        if old is None:
            status = ADDED
        elif new is None:
            status = REMOVED
        elif title_diff.changed or body_diff.changed:
            status = CHANGED
        elif is_moved:
            status = MOVED
        else:
            status = UNCHANGED
        inserted = body_diff.inserted + (title_diff.inserted if title_counts else 0)
        deleted = body_diff.deleted + (title_diff.deleted if title_counts else 0)
        diffs.append(
            SectionDiff(
                key=key,
                kind=kind,
                status=status,
                heading=(new or old)[title],
                heading_html_inline=title_diff.html_inline,
                heading_html_old=title_diff.html_old,
                heading_html_new=title_diff.html_new,
                html_inline=body_diff.html_inline,
                html_old=body_diff.html_old,
                html_new=body_diff.html_new,
                inserted=inserted,
                deleted=deleted,
                moved=is_moved,
                part=(new or old).get("part", ""),
                audience=audience,
                old_audience=old_audience,
                old_position=old_pos,
                new_position=new_pos,
            )
        )
    return diffs


def compare_contents(old: dict | None, new: dict | None) -> list[SectionDiff]:
    """Compare two snapshots (``Revision.content``): sections first, then FAQ entries."""
    old, new = old or {}, new or {}
    return _compare_items(
        old.get("sections", []),
        new.get("sections", []),
        kind="section",
        title="heading",
        body="body",
    ) + _compare_items(
        old.get("faq", []), new.get("faq", []), kind="faq", title="question", body="answer"
    )


def compare_revisions(a, b) -> list[SectionDiff]:
    """Compare iteration ``a`` (the older, usually) with iteration ``b``."""
    return compare_contents(a.content, b.content)


def change_size(old: dict | None, new: dict | None) -> int:
    """Words inserted plus words deleted between two snapshots."""
    return sum(d.inserted + d.deleted for d in compare_contents(old, new))
