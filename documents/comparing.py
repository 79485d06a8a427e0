"""Two iterations compared section by section, and word by word inside each.

Sections and FAQ entries are matched by key, so a renamed or reordered section
is still "the same" section; each pair of texts is compared by ``diffing``. The
whole comparison shares one deadline (``diffing.DIFF_BUDGET``).
"""

import difflib
from dataclasses import dataclass

from . import diffing
from .diffing import diff_text

UNCHANGED = "unchanged"
CHANGED = "changed"
ADDED = "added"
REMOVED = "removed"
MOVED = "moved"


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
    coarse: bool = False  # compared sentence by sentence in places: see diff_text

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


def _compare_items(
    old_items, new_items, *, kind: str, title: str, body: str, deadline: float
) -> list[SectionDiff]:
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
        title_diff = diff_text(
            old[title] if old else "", new[title] if new else "", deadline=deadline
        )
        body_diff = diff_text(old[body] if old else "", new[body] if new else "", deadline=deadline)
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
                coarse=title_diff.coarse or body_diff.coarse,
            )
        )
    return diffs


def compare_contents(
    old: dict | None, new: dict | None, *, budget: float | None = None
) -> list[SectionDiff]:
    """Compare two snapshots (``Revision.content``): sections first, then FAQ entries.

    The whole comparison shares one ``budget`` in seconds (``DIFF_BUDGET`` by
    default); what it has not reached when that runs out is compared sentence
    by sentence, and flagged ``coarse``.
    """
    old, new = old or {}, new or {}
    deadline = diffing.deadline_in(budget)
    return _compare_items(
        old.get("sections", []),
        new.get("sections", []),
        kind="section",
        title="heading",
        body="body",
        deadline=deadline,
    ) + _compare_items(
        old.get("faq", []),
        new.get("faq", []),
        kind="faq",
        title="question",
        body="answer",
        deadline=deadline,
    )


def compare_revisions(a, b) -> list[SectionDiff]:
    """Compare iteration ``a`` (the older, usually) with iteration ``b``."""
    return compare_contents(a.content, b.content)


def change_size(old: dict | None, new: dict | None) -> int:
    """Words inserted plus words deleted between two snapshots."""
    return sum(d.inserted + d.deleted for d in compare_contents(old, new))
