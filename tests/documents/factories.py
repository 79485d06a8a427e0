"""Factories for initiatives and documents; drafts come from the services.

``DocumentFactory`` makes a bare document row. Tests that need the real
starting sections call ``documents.services.document_create`` (or use
``prfaq_for``), which is what users get.
"""

import factory
from django.core.exceptions import ValidationError

from documents.models import Document, DocumentKind, DraftSection, FaqEntry, Initiative
from documents.services.drafting import section_save
from documents.services.initiatives import document_create
from documents.services.iterations import iteration_save
from tests.factories import TeamFactory, UserFactory


class InitiativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Initiative

    team = factory.SubFactory(TeamFactory)
    owner = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Initiative {n}")


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    initiative = factory.SubFactory(InitiativeFactory)
    kind = DocumentKind.NARRATIVE
    created_by = factory.SelfAttribute("initiative.owner")


class DraftSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DraftSection

    document = factory.SubFactory(DocumentFactory)
    key = factory.Sequence(lambda n: f"s-{n:08x}")
    heading = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    document = factory.SubFactory(DocumentFactory)
    key = factory.Sequence(lambda n: f"q-{n:08x}")
    question = factory.Sequence(lambda n: f"Question {n}?")
    answer = "An answer."
    position = factory.Sequence(lambda n: n)


def prfaq_for(cast, **initiative_kwargs) -> Document:
    """A PR/FAQ from the template in an initiative of the cast's team, owned by the editor."""
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor, **initiative_kwargs)
    return document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.PRFAQ)


def iteration_save_changed(*, user, document: Document, note: str = ""):
    """``iteration_save``, first adding a word to the last section if nothing changed.

    An iteration identical to the one before is refused; tests that save several
    iterations without caring what changed between them use this.
    """
    try:
        return iteration_save(user=user, document=document, note=note)
    except ValidationError as exc:
        if exc.code != "unchanged":
            raise
    section = document.sections.order_by("-position").first()
    if section is None:
        DraftSectionFactory(document=document, body="Changed.")
    else:
        section_save(
            user=user,
            section=section,
            body=f"{section.body} changed".strip(),
            base_version=section.version,
        )
    return iteration_save(user=user, document=document, note=note)
