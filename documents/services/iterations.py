"""Iterations: the draft frozen as a numbered snapshot, and an old one restored."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from .. import comparing, signals
from ..lookups import EDIT
from ..models import Document, DraftSection, FaqEntry, Revision
from ..rendering import length_report, render_markdown
from .common import clean_text, lock_document, require, touch_initiative

NOTE_MAX_LENGTH = Revision._meta.get_field("note").max_length


def _snapshot(sections, faq_entries) -> dict:
    return {
        "sections": [s.snapshot() for s in sections],
        "faq": [e.snapshot() for e in faq_entries],
    }


def _render(content: dict) -> dict[str, str]:
    rendered = {s["key"]: render_markdown(s["body"]) for s in content["sections"]}
    rendered.update({e["key"]: render_markdown(e["answer"]) for e in content["faq"]})
    return rendered


def _latest(document: Document) -> Revision | None:
    return document.revisions.order_by("-number").only("document", "number", "content").first()


def _iteration_create(
    *,
    user,
    document: Document,
    note: str,
    content: dict,
    previous: Revision | None,
    restored_from: Revision | None = None,
) -> Revision:
    """The iteration after ``previous``; the caller holds the document lock."""
    now = timezone.now()
    revision = Revision.objects.create(
        document=document,
        number=previous.number + 1 if previous else 1,
        author=user,
        created_at=now,
        note=clean_text(note).strip()[:NOTE_MAX_LENGTH],
        content=content,
        word_count=length_report(document.kind, content["sections"], content["faq"]).total_words,
        change_size=comparing.change_size(previous.content if previous else None, content),
        rendered=_render(content),
        restored_from=restored_from,
    )
    touch_initiative(document.initiative, now)
    # In this transaction: what receivers write (carried comments) commits with the iteration.
    revision.reported = signals.iteration_saved_send(
        previous=previous, revision=revision, user=user
    )
    return revision


def iteration_save(*, user, document: Document, note: str = "") -> Revision:
    """Freeze the draft as the next numbered iteration.

    Numbers are gap-free and unique under concurrency because the number is
    read and written while holding the document's row lock: a second "Save
    iteration" at the same instant waits for the first to commit, then reads
    its number. The unique constraint is the backstop.

    A draft identical to the latest iteration is refused (ValidationError, code
    "unchanged") and nothing is written: an iteration that changed nothing would
    still carry comments forward and notify everyone. The draft is compared
    under the same lock, so a double click saves once and refuses the second.
    """
    initiative = document.initiative
    require(user, EDIT, initiative)
    with transaction.atomic():
        lock_document(document)
        previous = _latest(document)
        # Two queries however long the document is.
        content = _snapshot(document.sections.all(), document.faq_entries.all())
        if previous is not None and previous.content == content:
            raise ValidationError(
                f"Nothing has changed since iteration {previous.number}: "
                "edit the draft, then save an iteration.",
                code="unchanged",
            )
        revision = _iteration_create(
            user=user, document=document, note=note, content=content, previous=previous
        )
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.ITERATION_SAVED,
            initiative=initiative,
            document_id=document.pk,
            document_title=document.display_title,
            number=revision.number,
            note=revision.note,
            # The threads it took over: its notification says so (one, not one per thread).
            carried=revision.reported["carried"],
        )
    return revision


def iteration_restore(*, user, revision: Revision, note: str = "") -> Revision:
    """Copy an old iteration back into the draft and save that as a new iteration.

    If the draft holds words that no iteration has, they are first saved as an
    iteration of their own ("Draft before restoring iteration N"): a restore
    never throws text away. Every draft row the restore touches gets a new
    version, so an author still typing on the old text gets a conflict instead
    of overwriting the restore. Restoring the text the latest iteration already
    has is refused like saving it again (ValidationError, code "unchanged"), and
    nothing is written.
    """
    document = revision.document
    initiative = document.initiative
    require(user, EDIT, initiative)
    now = timezone.now()
    with transaction.atomic():
        lock_document(document)
        # Row locks: a text save racing with the restore waits, then conflicts.
        sections = list(document.sections.select_for_update())
        faq_entries = list(document.faq_entries.select_for_update())
        previous = _latest(document)
        draft = _snapshot(sections, faq_entries)
        if previous is None or previous.content != draft:
            previous = _iteration_create(
                user=user,
                document=document,
                note=f"Draft before restoring iteration {revision.number}",
                content=draft,
                previous=previous,
            )
        _restore_rows(
            model=DraftSection,
            rows=sections,
            items=revision.content.get("sections", []),
            fields=["heading", "body", "part"],
            document=document,
            user=user,
            now=now,
        )
        _restore_rows(
            model=FaqEntry,
            rows=faq_entries,
            items=revision.content.get("faq", []),
            fields=["audience", "question", "answer"],
            document=document,
            user=user,
            now=now,
        )
        content = _snapshot(document.sections.all(), document.faq_entries.all())
        if previous is not None and previous.content == content:
            # Raised inside the transaction: the draft rows written above roll back.
            raise ValidationError(
                f"Iteration {previous.number} already has the text of iteration "
                f"{revision.number}: there is nothing to restore.",
                code="unchanged",
            )
        label = f"Restored iteration {revision.number}"
        new = _iteration_create(
            user=user,
            document=document,
            note=f"{label}: {note.strip()}" if note.strip() else label,
            content=content,
            previous=previous,
            restored_from=revision,
        )
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.ITERATION_RESTORED,
            initiative=initiative,
            document_id=document.pk,
            document_title=document.display_title,
            number=new.number,
            restored_number=revision.number,
            carried=new.reported["carried"],
        )
    return new


def _restore_rows(*, model, rows, items, fields, document, user, now) -> None:
    """Make the draft rows of ``model`` equal to the snapshot ``items`` (keys kept)."""
    by_key = {row.key: row for row in rows}
    positions: dict[str, int] = {}
    to_update, to_create = [], []
    for item in items:
        # Positions count within a list: one list of sections, one per FAQ audience.
        group = item.get("audience", "")
        position = positions.get(group, 0)
        positions[group] = position + 1
        row = by_key.pop(item["key"], None)
        if row is None:
            to_create.append(
                model(
                    document=document,
                    key=item["key"],
                    position=position,
                    updated_at=now,
                    updated_by=user,
                    **{name: item.get(name, "") for name in fields},
                )
            )
            continue
        for name in fields:
            setattr(row, name, item.get(name, ""))
        row.position = position
        row.version += 1
        row.updated_at = now
        row.updated_by = user
        to_update.append(row)
    if by_key:
        model.objects.filter(pk__in=[row.pk for row in by_key.values()]).delete()
    if to_update:
        model.objects.bulk_update(
            to_update, [*fields, "position", "version", "updated_at", "updated_by"]
        )
    if to_create:
        model.objects.bulk_create(to_create)
