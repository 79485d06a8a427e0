"""Initiatives, their documents, the working draft and immutable iterations.

A document's draft is its rows of ``DraftSection`` and ``FaqEntry``: one row per
section or question, each with a stable ``key`` (comments anchor to it) and a
``version`` that every save bumps, so that a save made against a stale version
is refused instead of overwriting someone's words (see ``services.section_save``).
An iteration (``Revision``) is a frozen snapshot of the draft with its rendered
HTML, numbered 1, 2, 3… per document, never changed or deleted.
"""

import contextlib
import secrets
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import connection, models
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from wbapp.cache import kept

from .rendering import LengthReport, faq_entry_words, length_report, render_markdown, word_count
from .templates_data import GUIDANCE, PRESS_RELEASE, PRFAQ_KEYS


class InitiativeStatus(models.TextChoices):
    DRAFTING = "drafting", "Drafting"
    IN_REVIEW = "in_review", "In review"
    APPROVED = "approved", "Approved"
    SHELVED = "shelved", "Shelved"


# The five customer questions, in the order they are asked.
CUSTOMER_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("customer", "Who is the customer?"),
    ("problem", "What is the customer problem or opportunity?"),
    ("benefit", "What is the most important customer benefit?"),
    ("evidence", "How do you know what customers need or want?"),
    ("experience", "What does the customer experience look like?"),
)
ANSWER_FIELDS: tuple[str, ...] = tuple(name for name, _ in CUSTOMER_QUESTIONS)


@dataclass(frozen=True)
class CustomerAnswer:
    field: str
    question: str
    text: str

    @cached_property
    def html(self) -> str:
        return render_markdown(self.text)


class InitiativeQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Initiatives of the teams ``user`` is a member of."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(team__memberships__user=user)

    def with_latest_iteration(self):
        """Annotate the newest iteration of any document (number, time, document id).

        One subquery per column keeps the board at a fixed number of queries
        however many iterations an initiative has.
        """
        latest = Revision.objects.filter(document__initiative=OuterRef("pk")).order_by(
            "-created_at", "-pk"
        )
        return self.annotate(
            latest_iteration_number=Subquery(latest.values("number")[:1]),
            latest_iteration_at=Subquery(latest.values("created_at")[:1]),
            latest_iteration_document_id=Subquery(latest.values("document_id")[:1]),
        )


class Initiative(models.Model):
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="owned_initiatives"
    )
    status = models.CharField(
        max_length=20, choices=InitiativeStatus, default=InitiativeStatus.DRAFTING
    )
    customer = models.TextField("who is the customer", blank=True)
    problem = models.TextField("the problem or opportunity", blank=True)
    benefit = models.TextField("the most important benefit", blank=True)
    evidence = models.TextField("how we know what they need", blank=True)
    experience = models.TextField("what the experience looks like", blank=True)
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="followed_initiatives", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Last activity, bumped by the services (drafting, iterations, edits), not auto_now:
    # the board sorts by it and a migration or an admin fix must not count as activity.
    updated_at = models.DateTimeField(default=timezone.now)

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["team", "status", "-updated_at"], name="initiative_board")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=InitiativeStatus.values),
                name="initiative_valid_status",
            ),
        ]

    def __str__(self):
        return self.title

    def answers(self) -> list[CustomerAnswer]:
        """The five customer questions with this initiative's answers, in order."""
        return [
            CustomerAnswer(field=name, question=question, text=getattr(self, name))
            for name, question in CUSTOMER_QUESTIONS
        ]

    @property
    def answered_count(self) -> int:
        return sum(1 for name in ANSWER_FIELDS if getattr(self, name).strip())


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


# --- Iterations ---------------------------------------------------------------------


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

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="revisions")
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
        self.load_body()
        return length_report(
            self.document.kind, self.content.get("sections", []), self.content.get("faq", [])
        )


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


def appendix_upload_to(instance, filename: str) -> str:
    # The stored name never comes from the user; the extension follows the
    # verified image format (set by services.image_upload).
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"appendix/{instance.initiative_id}/{secrets.token_hex(16)}.{extension}"


class AppendixImage(models.Model):
    """An image uploaded for an initiative, served by a view that checks membership."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="appendix_images"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    image = models.FileField(upload_to=appendix_upload_to)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.original_name or f"Image {self.pk}"
