"""Every write to initiatives, documents, drafts and iterations.

Each function takes keyword-only arguments, checks the permission, runs in one
transaction and records activity where a follower would care. Autosaves of the
draft are frequent and small, so they bump the initiative's last-activity time
but do not write activity rows; iterations do.
"""

import warnings

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from . import diffing, signals
from .models import (
    ANSWER_FIELDS,
    AppendixImage,
    Document,
    DocumentKind,
    DraftSection,
    FaqAudience,
    FaqEntry,
    Initiative,
    Revision,
    new_faq_key,
    new_section_key,
)
from .rendering import length_report, render_markdown
from .templates_data import NARRATIVE_SECTIONS, ONEPAGER_SECTIONS, PRFAQ_SECTIONS

EDIT = "documents.edit_initiative"
VIEW = "documents.view_initiative"

MAX_IMAGE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {
    "PNG": ("image/png", "png"),
    "JPEG": ("image/jpeg", "jpg"),
    "GIF": ("image/gif", "gif"),
    "WEBP": ("image/webp", "webp"),
}
NOTE_MAX_LENGTH = Revision._meta.get_field("note").max_length


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


def _text(value: str) -> str:
    """Text as stored: PostgreSQL cannot hold NUL characters, and prose never needs them."""
    return value.replace("\x00", "")


def _require(user, perm: str, initiative: Initiative) -> None:
    if not user.has_perm(perm, initiative):
        raise PermissionDenied


def touch_initiative(initiative: Initiative, now) -> None:
    """Bump the initiative's last activity (one UPDATE, no read)."""
    Initiative.objects.filter(pk=initiative.pk).update(updated_at=now)
    initiative.updated_at = now


def _lock(document: Document) -> None:
    """Serialise structural changes and iterations of one document.

    Text saves do not take this lock: they are guarded per row by version.
    """
    Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").get()


# --- Initiatives ----------------------------------------------------------------------


def initiative_create(*, user, team, title: str, **answers: str) -> Initiative:
    """A new initiative in ``team`` (editors and owners); its creator owns and follows it."""
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown initiative answers: {', '.join(sorted(unknown))}")
    if not user.has_perm("documents.add_initiative", team):
        raise PermissionDenied
    title = _text(title).strip()
    if not title:
        raise ValidationError({"title": "An initiative needs a title."})
    with transaction.atomic():
        initiative = Initiative.objects.create(
            team=team,
            title=title,
            owner=user,
            **{name: _text(value).strip() for name, value in answers.items()},
        )
        initiative.followers.add(user)
        activity_record(
            team=team,
            actor=user,
            verb=Verb.INITIATIVE_CREATED,
            initiative=initiative,
            title=initiative.title,
        )
    return initiative


def initiative_update(*, user, initiative: Initiative, **changes: str) -> Initiative:
    """Change the title and/or any of the five answers; only real changes are saved."""
    unknown = set(changes) - {"title", *ANSWER_FIELDS}
    if unknown:
        raise TypeError(f"Unknown initiative fields: {', '.join(sorted(unknown))}")
    _require(user, EDIT, initiative)
    changes = {name: _text(value).strip() for name, value in changes.items() if value is not None}
    if "title" in changes and not changes["title"]:
        raise ValidationError({"title": "An initiative needs a title."})
    changed = [name for name, value in changes.items() if getattr(initiative, name) != value]
    if not changed:
        return initiative
    with transaction.atomic():
        for name in changed:
            setattr(initiative, name, changes[name])
        initiative.updated_at = timezone.now()
        initiative.save(update_fields=[*changed, "updated_at"])
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.INITIATIVE_UPDATED,
            initiative=initiative,
            title=initiative.title,
            fields=changed,
        )
    return initiative


def initiative_follow(*, user, initiative: Initiative) -> None:
    _require(user, VIEW, initiative)
    initiative.followers.add(user)


def initiative_unfollow(*, user, initiative: Initiative) -> None:
    _require(user, VIEW, initiative)
    initiative.followers.remove(user)


# --- Documents --------------------------------------------------------------------------


def document_create(*, user, initiative: Initiative, kind: str, title: str = "") -> Document:
    """A document with its starting sections: the PR/FAQ template, or free sections."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": f"Unknown document kind “{kind}”."})
    _require(user, EDIT, initiative)
    now = timezone.now()
    template = {
        DocumentKind.PRFAQ: PRFAQ_SECTIONS,
        DocumentKind.NARRATIVE: NARRATIVE_SECTIONS,
        DocumentKind.ONEPAGER: ONEPAGER_SECTIONS,
    }[kind]
    with transaction.atomic():
        document = Document.objects.create(
            initiative=initiative,
            kind=kind,
            title=_text(title).strip(),
            created_at=now,
            created_by=user,
        )
        DraftSection.objects.bulk_create(
            DraftSection(
                document=document,
                key=section.key or new_section_key(),
                part=section.part,
                heading=section.heading,
                position=position,
                updated_at=now,
                updated_by=user,
            )
            for position, section in enumerate(template)
        )
        touch_initiative(initiative, now)
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.DOCUMENT_CREATED,
            initiative=initiative,
            document_id=document.pk,
            document_title=document.display_title,
            kind=kind,
        )
    return document


# --- Draft sections -------------------------------------------------------------------------


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
    _require(user, EDIT, document.initiative)
    body = _text(body)
    heading = None if heading is None else _text(heading)
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
    _require(user, EDIT, document.initiative)
    _require_free_sections(document)
    heading = _text(heading).strip()
    body = _text(body)
    if not heading:
        raise ValidationError({"heading": "A section needs a heading."})
    now = timezone.now()
    with transaction.atomic():
        _lock(document)
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
    _require(user, EDIT, document.initiative)
    _require_free_sections(document)
    with transaction.atomic():
        _lock(document)
        rows = list(document.sections.only("pk", "position"))
        row = next((r for r in rows if r.pk == section.pk), None)
        if row is None:
            raise DraftSection.DoesNotExist("The section was removed.")
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
    _require(user, EDIT, document.initiative)
    _require_free_sections(document)
    with transaction.atomic():
        _lock(document)
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
    *, user, document: Document, audience: str, question: str = "", answer: str = ""
) -> FaqEntry:
    """A new FAQ entry at the end of its audience's list."""
    if audience not in FaqAudience.values:
        raise ValidationError({"audience": f"Unknown FAQ audience “{audience}”."})
    _require(user, EDIT, document.initiative)
    now = timezone.now()
    with transaction.atomic():
        _lock(document)
        existing = list(document.faq_entries.values_list("key", "audience"))
        keys = {key for key, _ in existing}
        key = new_faq_key()
        while key in keys:
            key = new_faq_key()
        entry = FaqEntry.objects.create(
            document=document,
            key=key,
            audience=audience,
            question=_text(question).strip(),
            answer=_text(answer),
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
    _require(user, EDIT, document.initiative)
    question = _text(question).strip()
    answer = _text(answer)
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
    _require(user, EDIT, document.initiative)
    audience = audience or entry.audience
    if audience not in FaqAudience.values:
        raise ValidationError({"audience": f"Unknown FAQ audience “{audience}”."})
    with transaction.atomic():
        _lock(document)
        rows = list(document.faq_entries.only("pk", "audience", "position"))
        row = next((r for r in rows if r.pk == entry.pk), None)
        if row is None:
            raise FaqEntry.DoesNotExist("The FAQ entry was removed.")
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
    _require(user, EDIT, document.initiative)
    with transaction.atomic():
        _lock(document)
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


# --- Iterations -------------------------------------------------------------------------------


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
        note=_text(note).strip()[:NOTE_MAX_LENGTH],
        content=content,
        word_count=length_report(document.kind, content["sections"], content["faq"]).total_words,
        change_size=diffing.change_size(previous.content if previous else None, content),
        rendered=_render(content),
        restored_from=restored_from,
    )
    touch_initiative(document.initiative, now)
    # In this transaction: what receivers write (carried comments) commits with the iteration.
    signals.iteration_saved.send(sender=Revision, previous=previous, revision=revision, user=user)
    return revision


def iteration_save(*, user, document: Document, note: str = "") -> Revision:
    """Freeze the draft as the next numbered iteration.

    Numbers are gap-free and unique under concurrency because the number is
    read and written while holding the document's row lock: a second "Save
    iteration" at the same instant waits for the first to commit, then reads
    its number. The unique constraint is the backstop.
    """
    initiative = document.initiative
    _require(user, EDIT, initiative)
    with transaction.atomic():
        _lock(document)
        previous = _latest(document)
        # Two queries however long the document is.
        content = _snapshot(document.sections.all(), document.faq_entries.all())
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
        )
    return revision


def iteration_restore(*, user, revision: Revision, note: str = "") -> Revision:
    """Copy an old iteration back into the draft and save that as a new iteration.

    If the draft holds words that no iteration has, they are first saved as an
    iteration of their own ("Draft before restoring iteration N"): a restore
    never throws text away. Every draft row the restore touches gets a new
    version, so an author still typing on the old text gets a conflict instead
    of overwriting the restore.
    """
    document = revision.document
    initiative = document.initiative
    _require(user, EDIT, initiative)
    now = timezone.now()
    with transaction.atomic():
        _lock(document)
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
        label = f"Restored iteration {revision.number}"
        new = _iteration_create(
            user=user,
            document=document,
            note=f"{label}: {note.strip()}" if note.strip() else label,
            content=_snapshot(document.sections.all(), document.faq_entries.all()),
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


# --- Appendix images ---------------------------------------------------------------------------


def image_upload(*, user, initiative: Initiative, file) -> AppendixImage:
    """Store an appendix image after checking it is what it claims to be."""
    _require(user, EDIT, initiative)
    if file.size > MAX_IMAGE_BYTES:
        raise ValidationError("Images can be at most 5 MB.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns about very large pixel counts; refuse them outright.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            file.seek(0)
            with Image.open(file) as image:
                image_format = image.format
                width, height = image.size
                image.verify()
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ) as exc:
        raise ValidationError("This file is not an image Workback can show.") from exc
    if image_format not in IMAGE_FORMATS:
        raise ValidationError("Upload a PNG, JPEG, GIF or WebP image.")
    content_type, extension = IMAGE_FORMATS[image_format]
    file.seek(0)
    with transaction.atomic():
        appendix_image = AppendixImage(
            initiative=initiative,
            uploaded_by=user,
            original_name=(getattr(file, "name", "") or "")[:200],
            content_type=content_type,
            size=file.size,
            width=width,
            height=height,
        )
        appendix_image.image.save(f"image.{extension}", file, save=False)
        appendix_image.save()
    return appendix_image
