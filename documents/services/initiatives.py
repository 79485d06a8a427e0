"""Initiatives, following them, and their documents."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from ..lookups import EDIT
from ..models import (
    ANSWER_FIELDS,
    Document,
    DocumentKind,
    DraftSection,
    Initiative,
    new_section_key,
)
from ..templates_data import NARRATIVE_SECTIONS, ONEPAGER_SECTIONS, PRFAQ_SECTIONS
from .common import clean_text, require, touch_initiative


def initiative_create(*, user, team, title: str, **answers: str) -> Initiative:
    """A new initiative in ``team`` (editors and owners); its creator owns and follows it."""
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise TypeError(f"Unknown initiative answers: {', '.join(sorted(unknown))}")
    if not user.has_perm("documents.add_initiative", team):
        raise PermissionDenied
    title = clean_text(title).strip()
    if not title:
        raise ValidationError({"title": "An initiative needs a title."})
    with transaction.atomic():
        initiative = Initiative.objects.create(
            team=team,
            title=title,
            owner=user,
            **{name: clean_text(value).strip() for name, value in answers.items()},
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
    require(user, EDIT, initiative)
    changes = {
        name: clean_text(value).strip() for name, value in changes.items() if value is not None
    }
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


def document_create(*, user, initiative: Initiative, kind: str, title: str = "") -> Document:
    """A document with its starting sections: the PR/FAQ template, or free sections."""
    if kind not in DocumentKind.values:
        raise ValidationError({"kind": f"Unknown document kind “{kind}”."})
    require(user, EDIT, initiative)
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
            title=clean_text(title).strip(),
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
