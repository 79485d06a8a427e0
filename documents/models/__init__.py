"""Initiatives, their documents, the working draft and immutable iterations.

One module per part: ``initiatives`` (an initiative, its customer answers and
appendix images), ``drafts`` (documents and their working draft, guarded per row
by version) and ``iterations`` (frozen, numbered snapshots of a draft with their
rendered HTML, never changed or deleted). Django looks for an app's models here,
so this package names them; code may import them from here or from their module.
"""

from .drafts import (
    Document,
    DocumentKind,
    DocumentQuerySet,
    DraftSection,
    FaqAudience,
    FaqEntry,
    new_faq_key,
    new_section_key,
)
from .initiatives import (
    ANSWER_FIELDS,
    CUSTOMER_QUESTIONS,
    AppendixImage,
    CustomerAnswer,
    Initiative,
    InitiativeQuerySet,
    InitiativeStatus,
    appendix_upload_to,
)
from .iterations import (
    BODY_FIELDS,
    OUTLINE_KEPT_SECONDS,
    REVISION_PURGE_SETTING,
    IterationFaqEntry,
    IterationSection,
    OutlineEntry,
    Revision,
    RevisionIsImmutable,
    RevisionQuerySet,
    allow_revision_purge,
)

__all__ = [
    "ANSWER_FIELDS",
    "BODY_FIELDS",
    "CUSTOMER_QUESTIONS",
    "OUTLINE_KEPT_SECONDS",
    "REVISION_PURGE_SETTING",
    "AppendixImage",
    "CustomerAnswer",
    "Document",
    "DocumentKind",
    "DocumentQuerySet",
    "DraftSection",
    "FaqAudience",
    "FaqEntry",
    "Initiative",
    "InitiativeQuerySet",
    "InitiativeStatus",
    "IterationFaqEntry",
    "IterationSection",
    "OutlineEntry",
    "Revision",
    "RevisionIsImmutable",
    "RevisionQuerySet",
    "allow_revision_purge",
    "appendix_upload_to",
    "new_faq_key",
    "new_section_key",
]
