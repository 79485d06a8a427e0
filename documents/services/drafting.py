"""The working draft: its sections and FAQ entries.

Text saves are guarded per row by ``version`` (a conditional UPDATE); structural
changes (add, move, remove) hold the document lock.
"""

import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..lookups import EDIT
from ..models import Document, DraftSection, FaqAudience, FaqEntry, new_faq_key, new_section_key
from .common import clean_text, lock_document, require, touch_initiative

# What new_faq_key makes.
FAQ_KEY = re.compile(r"q-[0-9a-f]{8}")


class DraftConflict(Exception):
    """A save was made against a version of the draft that is no longer current.

    Nothing was written. ``mine`` (and ``mine_title``: the heading of a section
    or the question of an FAQ entry) hold exactly what the author submitted, so
    the conflict view can show it beside ``current``, the row as it is now, for
    them to merge. ``current`` is None when someone removed the row meanwhile.
    """

    def __init__(self, *, current, mine: str, mine_title: str | None = None):
        self.current = current
        self.mine = mine
        self.mine_title = mine_title
        super().__init__("The draft changed since this text was loaded.")

    @property
    def removed(self) -> bool:
        return self.current is None

    @property
    def current_text(self) -> str:
        if self.current is None:
            return ""
        return self.current.answer if isinstance(self.current, FaqEntry) else self.current.body

    @property
    def current_version(self) -> int | None:
        return None if self.current is None else self.current.version


def section_save(
    *, user, section: DraftSection, body: str, base_version: int, heading: str | None = None
) -> DraftSection:
    """Save a section's text if nobody saved it since ``base_version``.

    The conditional UPDATE is the whole concurrency story: two saves against the
    same version both reach the row, PostgreSQL lets one through, and the other
    finds ``version`` moved on, changes nothing and raises DraftConflict with the
    author's text. A template section's heading is fixed; ``heading`` is ignored there.
    """
    document = section.document
    require(user, EDIT, document.initiative)
    body = clean_text(body)
    heading = None if heading is None else clean_text(heading)
    if section.is_template_section or (heading is not None and not heading.strip()):
        heading = None
    now = timezone.now()
    values = {
        "body": body,
        "version": F("version") + 1,
        "updated_at": now,
        "updated_by": user,
    }
    if heading is not None:
        values["heading"] = heading.strip()
    with transaction.atomic():
        saved = DraftSection.objects.filter(pk=section.pk, version=base_version).update(**values)
        if not saved:
            current = DraftSection.objects.filter(pk=section.pk).first()
            # The same text saved twice (a retried autosave) is not a conflict.
            if (
                current is not None
                and current.body == body
                and (heading is None or current.heading == heading.strip())
            ):
                return current
            raise DraftConflict(current=current, mine=body, mine_title=heading)
        touch_initiative(document.initiative, now)
    section.body = body
    section.version = base_version + 1
    section.updated_at = now
    section.updated_by = user
    if heading is not None:
        section.heading = heading.strip()
    return section


def _require_free_sections(document: Document) -> None:
    if not document.has_free_sections:
        raise ValidationError("The sections of a PR/FAQ come from its template.")


def _renumber(rows: list, field: str = "position") -> list:
    """Give ``rows`` positions 0, 1, 2… in list order; return the rows that changed."""
    changed = []
    for position, row in enumerate(rows):
        if getattr(row, field) != position:
            setattr(row, field, position)
            changed.append(row)
    return changed


def section_add(
    *, user, document: Document, heading: str, body: str = "", position: int | None = None
) -> DraftSection:
    """A new free section at ``position`` (0-based; default: at the end)."""
    require(user, EDIT, document.initiative)
    _require_free_sections(document)
    heading = clean_text(heading).strip()
    body = clean_text(body)
    if not heading:
        raise ValidationError({"heading": "A section needs a heading."})
    now = timezone.now()
    with transaction.atomic():
        lock_document(document)
        rows = list(document.sections.only("pk", "key", "position"))
        keys = {row.key for row in rows}
        key = new_section_key()
        while key in keys:
            key = new_section_key()
        index = len(rows) if position is None else max(0, min(position, len(rows)))
        section = DraftSection(
            document=document,
            key=key,
            heading=heading,
            body=body,
            position=index,
            updated_at=now,
            updated_by=user,
        )
        rows.insert(index, section)
        changed = [row for row in _renumber(rows) if row is not section]
        if changed:
            DraftSection.objects.bulk_update(changed, ["position"])
        section.save()
        touch_initiative(document.initiative, now)
    return section


def section_move(*, user, section: DraftSection, position: int) -> DraftSection:
    """Move a free section to ``position`` (0-based). Its key and text stay as they are."""
    document = section.document
    require(user, EDIT, document.initiative)
    _require_free_sections(document)
    with transaction.atomic():
        lock_document(document)
        rows = list(document.sections.only("pk", "position"))
        row = next((r for r in rows if r.pk == section.pk), None)
        if row is None:
            raise DraftSection.DoesNotExist("This section was removed meanwhile; reload the draft.")
        rows.remove(row)
        rows.insert(max(0, min(position, len(rows))), row)
        changed = _renumber(rows)
        if changed:
            DraftSection.objects.bulk_update(changed, ["position"])
        touch_initiative(document.initiative, timezone.now())
    section.position = row.position
    return section


def section_remove(*, user, section: DraftSection) -> None:
    """Remove a free section from the draft; earlier iterations keep their copy."""
    document = section.document
    require(user, EDIT, document.initiative)
    _require_free_sections(document)
    with transaction.atomic():
        lock_document(document)
        rows = list(document.sections.only("pk", "position"))
        if len(rows) <= 1:
            raise ValidationError("A document keeps at least one section.")
        remaining = [row for row in rows if row.pk != section.pk]
        DraftSection.objects.filter(pk=section.pk).delete()
        changed = _renumber(remaining)
        if changed:
            DraftSection.objects.bulk_update(changed, ["position"])
        touch_initiative(document.initiative, timezone.now())


# --- FAQ entries ----------------------------------------------------------------------------


def faq_entry_add(
    *,
    user,
    document: Document,
    audience: str,
    question: str = "",
    answer: str = "",
    key: str | None = None,
) -> FaqEntry:
    """A new FAQ entry at the end of its audience's list.

    ``key``: the one the editor of a not yet stored question was given (it is
    stored on its first save, so a question added and left blank leaves nothing).
    """
    if audience not in FaqAudience.values:
        raise ValidationError({"audience": f"Unknown FAQ audience “{audience}”."})
    if key is not None and not FAQ_KEY.fullmatch(key):
        raise ValidationError({"key": "Not a question's key."})
    require(user, EDIT, document.initiative)
    now = timezone.now()
    with transaction.atomic():
        lock_document(document)
        existing = list(document.faq_entries.values_list("key", "audience"))
        keys = {key for key, _ in existing}
        if key in keys:
            raise ValidationError({"key": "This question is already saved; reload the page."})
        while key is None or key in keys:
            key = new_faq_key()
        entry = FaqEntry.objects.create(
            document=document,
            key=key,
            audience=audience,
            question=clean_text(question).strip(),
            answer=clean_text(answer),
            position=sum(1 for _, a in existing if a == audience),
            updated_at=now,
            updated_by=user,
        )
        touch_initiative(document.initiative, now)
    return entry


def faq_entry_save(
    *, user, entry: FaqEntry, question: str, answer: str, base_version: int
) -> FaqEntry:
    """Save an FAQ entry if nobody saved it since ``base_version`` (see section_save)."""
    document = entry.document
    require(user, EDIT, document.initiative)
    question = clean_text(question).strip()
    answer = clean_text(answer)
    now = timezone.now()
    with transaction.atomic():
        saved = FaqEntry.objects.filter(pk=entry.pk, version=base_version).update(
            question=question,
            answer=answer,
            version=F("version") + 1,
            updated_at=now,
            updated_by=user,
        )
        if not saved:
            current = FaqEntry.objects.filter(pk=entry.pk).first()
            if current is not None and current.question == question and current.answer == answer:
                return current
            raise DraftConflict(current=current, mine=answer, mine_title=question)
        touch_initiative(document.initiative, now)
    entry.question = question
    entry.answer = answer
    entry.version = base_version + 1
    entry.updated_at = now
    entry.updated_by = user
    return entry


def faq_entry_move(
    *, user, entry: FaqEntry, position: int, audience: str | None = None
) -> FaqEntry:
    """Move an entry to ``position`` (0-based) in its list, or in ``audience``'s list."""
    document = entry.document
    require(user, EDIT, document.initiative)
    audience = audience or entry.audience
    if audience not in FaqAudience.values:
        raise ValidationError({"audience": f"Unknown FAQ audience “{audience}”."})
    with transaction.atomic():
        lock_document(document)
        rows = list(document.faq_entries.only("pk", "audience", "position"))
        row = next((r for r in rows if r.pk == entry.pk), None)
        if row is None:
            raise FaqEntry.DoesNotExist("This question was removed meanwhile; reload the draft.")
        old_list = [r for r in rows if r.audience == row.audience and r is not row]
        new_list = (
            old_list
            if audience == row.audience
            else [r for r in rows if r.audience == audience and r is not row]
        )
        new_list.insert(max(0, min(position, len(new_list))), row)
        row.audience = audience
        changed = {r.pk: r for r in _renumber(new_list)}
        if new_list is not old_list:
            changed.update({r.pk: r for r in _renumber(old_list)})
            changed[row.pk] = row
        if changed:
            FaqEntry.objects.bulk_update(list(changed.values()), ["audience", "position"])
        touch_initiative(document.initiative, timezone.now())
    entry.audience = row.audience
    entry.position = row.position
    return entry


def faq_entry_remove(*, user, entry: FaqEntry) -> None:
    """Remove an FAQ entry from the draft; earlier iterations keep their copy."""
    document = entry.document
    require(user, EDIT, document.initiative)
    with transaction.atomic():
        lock_document(document)
        rows = list(
            document.faq_entries.filter(audience=entry.audience)
            .exclude(pk=entry.pk)
            .only("pk", "position")
        )
        FaqEntry.objects.filter(pk=entry.pk).delete()
        changed = _renumber(rows)
        if changed:
            FaqEntry.objects.bulk_update(changed, ["position"])
        touch_initiative(document.initiative, timezone.now())
