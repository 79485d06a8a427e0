"""Iterations: immutable, numbered snapshots of a document's draft with their HTML.

Numbered 1, 2, 3… per document, never changed or deleted: the model, its
queryset and a database trigger (migration 0002) all refuse it.
"""

import contextlib
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from wbapp.cache import code_digest, kept

from .. import rendering
from ..rendering import LengthReport, faq_entry_words, length_report, word_count
from ..templates_data import PRESS_RELEASE


class RevisionIsImmutable(Exception):
    """Raised on any attempt to change or delete an iteration."""


@dataclass(frozen=True)
class IterationSection:
    key: str
    heading: str
    body: str
    part: str
    html: str

    @property
    def word_count(self) -> int:
        return word_count(self.body)

    @property
    def is_press_release(self) -> bool:
        return self.part == PRESS_RELEASE


@dataclass(frozen=True)
class IterationFaqEntry:
    key: str
    audience: str
    question: str
    answer: str
    html: str

    @property
    def word_count(self) -> int:
        return faq_entry_words(self)


@dataclass(frozen=True)
class OutlineEntry:
    """A section or FAQ entry of an iteration without its words: what margins and menus need."""

    key: str
    heading: str  # a section's heading, an FAQ entry's question
    part: str  # a section's part ("press_release" or ""); "faq" for an FAQ entry
    audience: str = ""  # an FAQ entry's

    @property
    def is_faq(self) -> bool:
        return self.part == "faq"

    @property
    def is_press_release(self) -> bool:
        return self.part == PRESS_RELEASE


# An iteration never changes, so its outline, read once from the snapshot, holds for good.
OUTLINE_KEPT_SECONDS = 7 * 24 * 60 * 60

BODY_FIELDS = ("content", "rendered")


class RevisionQuerySet(models.QuerySet):
    def summaries(self):
        """Without the snapshot and its HTML: what lists and timelines need."""
        return self.defer(*BODY_FIELDS)

    # Bulk writes would bypass Revision.save() and .delete(); refuse them too.
    def update(self, **kwargs):
        raise RevisionIsImmutable("Iterations cannot be changed.")

    def bulk_update(self, objs, fields, batch_size=None):
        raise RevisionIsImmutable("Iterations cannot be changed.")

    def delete(self):
        raise RevisionIsImmutable("Iterations cannot be deleted.")


class Revision(models.Model):
    """An iteration: an immutable, numbered snapshot of a document's draft."""

    # By name: documents (drafts.py) sit above their iterations.
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="authored_revisions"
    )
    created_at = models.DateTimeField(default=timezone.now)
    note = models.CharField(max_length=500, blank=True)
    # {"sections": [{"key", "heading", "body", "part"}…],
    #  "faq": [{"key", "audience", "question", "answer"}…]}, in document order.
    content = models.JSONField(default=dict)
    word_count = models.PositiveIntegerField(default=0)
    # Words inserted plus words deleted since the previous iteration.
    change_size = models.PositiveIntegerField(default=0)
    # {key: sanitized HTML} for every section body and FAQ answer, rendered once at creation.
    rendered = models.JSONField(default=dict)
    # RESTRICT, not PROTECT: purging a whole document deletes both ends together.
    restored_from = models.ForeignKey(
        "self", on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["number"]
        verbose_name = "iteration"
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="revision_unique_number"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="revision_number_gte_1"),
        ]

    def __str__(self):
        return f"Iteration {self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RevisionIsImmutable("Iterations cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RevisionIsImmutable("Iterations cannot be deleted.")

    def load_body(self) -> None:
        """Read the snapshot and its HTML in one query if a lookup deferred them."""
        if not self.get_deferred_fields().isdisjoint(BODY_FIELDS):
            self.refresh_from_db(fields=BODY_FIELDS)

    def outline(self) -> tuple[OutlineEntry, ...]:
        """Keys and headings in document order: read from the snapshot once, then kept."""

        def read() -> tuple[OutlineEntry, ...]:
            self.load_body()
            sections = [
                OutlineEntry(s["key"], s["heading"], s.get("part", ""))
                for s in self.content.get("sections", [])
            ]
            faq = [
                OutlineEntry(e["key"], e["question"], "faq", e["audience"])
                for e in self.content.get("faq", [])
            ]
            return (*sections, *faq)

        # With the creation time: ids are not reused, but a database built again restarts them.
        key = f"documents:outline:{self.pk}:{self.created_at.timestamp()}"
        return kept(key, read, OUTLINE_KEPT_SECONDS)

    def html_of(self, key: str) -> str:
        """The rendered HTML of one section body or FAQ answer."""
        self.load_body()
        return self.rendered.get(key, "")

    def sections(self) -> list[IterationSection]:
        self.load_body()
        return [
            IterationSection(
                key=s["key"],
                heading=s["heading"],
                body=s["body"],
                part=s.get("part", ""),
                html=self.rendered.get(s["key"], ""),
            )
            for s in self.content.get("sections", [])
        ]

    def faq(self, audience: str | None = None) -> list[IterationFaqEntry]:
        self.load_body()
        return [
            IterationFaqEntry(
                key=e["key"],
                audience=e["audience"],
                question=e["question"],
                answer=e["answer"],
                html=self.rendered.get(e["key"], ""),
            )
            for e in self.content.get("faq", [])
            if audience is None or e["audience"] == audience
        ]

    def length_report(self) -> LengthReport:
        """Word counts and warnings: counted from the snapshot once, then kept.

        The key holds what the counts are made of: the iteration (never changed), the
        document's kind and the code that counts (documents/rendering.py).
        """

        def count() -> LengthReport:
            self.load_body()
            return length_report(
                kind, self.content.get("sections", []), self.content.get("faq", [])
            )

        kind = self.document.kind
        digest = code_digest(rendering)
        key = f"documents:length:{self.pk}:{self.created_at.timestamp()}:{kind}:{digest}"
        return kept(key, count, OUTLINE_KEPT_SECONDS)


# Raised by PostgreSQL on UPDATE or DELETE of documents_revision; see migration 0002.
REVISION_PURGE_SETTING = "workback.allow_revision_purge"


@contextlib.contextmanager
def allow_revision_purge():
    """Let the current transaction delete iterations along with their document.

    The only legitimate way an iteration goes away is with everything around it
    (a team or initiative deleted for good). Use inside ``transaction.atomic``;
    the database trigger refuses the delete otherwise.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config(%s, 'on', true)", [REVISION_PURGE_SETTING])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', true)", [REVISION_PURGE_SETTING])
