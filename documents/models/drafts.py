"""Documents and their working draft: one row per section or FAQ entry.

Each row has a stable ``key`` (comments anchor to it) and a ``version`` that every
save bumps, so that a save made against a stale version is refused instead of
overwriting someone's words (see ``services.drafting.section_save``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Max
from django.utils import timezone

from ..rendering import LengthReport, faq_entry_words, length_report, word_count
from ..templates_data import GUIDANCE, PRESS_RELEASE, PRFAQ_KEYS
from .initiatives import Initiative


class DocumentKind(models.TextChoices):
    PRFAQ = "prfaq", "PR/FAQ"
    NARRATIVE = "narrative", "Narrative"
    ONEPAGER = "onepager", "One-pager"


class DocumentQuerySet(models.QuerySet):
    def with_iteration_summary(self):
        """Annotate ``iteration_count`` and ``latest_iteration_number`` (no extra queries)."""
        return self.annotate(
            iteration_count=models.Count("revisions"),
            latest_iteration_number=Max("revisions__number"),
        )


class Document(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind)
    title = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=DocumentKind.values), name="document_valid_kind"
            ),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        return self.title or self.get_kind_display()

    @property
    def has_free_sections(self) -> bool:
        """Narratives and one-pagers have sections authors add, move and remove."""
        return self.kind != DocumentKind.PRFAQ

    def length_report(self, sections, faq_entries=()) -> LengthReport:
        """Word counts and warnings for draft rows the caller has already fetched."""
        return length_report(self.kind, sections, faq_entries)


def new_section_key() -> str:
    return f"s-{secrets.token_hex(4)}"


def new_faq_key() -> str:
    return f"q-{secrets.token_hex(4)}"


class DraftSection(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="sections")
    # Stable for the section's whole life: comments and comparisons anchor to it.
    key = models.SlugField(max_length=40)
    part = models.CharField(max_length=20, blank=True, default="")
    heading = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="section_unique_key"),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="section_version_gte_1"
            ),
        ]

    def __str__(self):
        return self.heading

    @property
    def is_template_section(self) -> bool:
        """PR/FAQ template sections cannot be removed, renamed or moved."""
        return self.key in PRFAQ_KEYS

    @property
    def is_press_release(self) -> bool:
        return self.part == PRESS_RELEASE

    @property
    def guidance(self) -> str:
        return GUIDANCE.get(self.key, "")

    @property
    def word_count(self) -> int:
        return word_count(self.body)

    def snapshot(self) -> dict:
        return {"key": self.key, "heading": self.heading, "body": self.body, "part": self.part}


class FaqAudience(models.TextChoices):
    EXTERNAL = "external", "External FAQ"
    INTERNAL = "internal", "Internal FAQ"


class FaqEntry(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="faq_entries")
    key = models.SlugField(max_length=40)
    audience = models.CharField(max_length=10, choices=FaqAudience, default=FaqAudience.EXTERNAL)
    question = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        # External questions first, as the document reads.
        ordering = ["audience", "position", "pk"]
        verbose_name = "FAQ entry"
        verbose_name_plural = "FAQ entries"
        constraints = [
            models.UniqueConstraint(fields=["document", "key"], name="faq_entry_unique_key"),
            models.CheckConstraint(
                condition=models.Q(audience__in=FaqAudience.values), name="faq_entry_valid_audience"
            ),
            models.CheckConstraint(
                condition=models.Q(version__gte=1), name="faq_entry_version_gte_1"
            ),
        ]

    def __str__(self):
        return self.question or "Untitled question"

    @property
    def word_count(self) -> int:
        return faq_entry_words(self)

    def snapshot(self) -> dict:
        return {
            "key": self.key,
            "audience": self.audience,
            "question": self.question,
            "answer": self.answer,
        }
