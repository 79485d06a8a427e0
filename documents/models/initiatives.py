"""Initiatives: one idea worked backwards, its five customer answers, its appendix images."""

import secrets
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from ..rendering import render_markdown
from .iterations import Revision


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
