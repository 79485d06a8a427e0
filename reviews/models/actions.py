"""Action items with an owner, and the Andon cord that stops an initiative."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.dates import MONTHS_3

from wbapp.accounts.models import person_name
from wbapp.http import url_for_id

from .comments import Comment
from .sessions import ReviewSession, members_of_team


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(members_of_team(user, "initiative__team"))

    def open(self):
        return self.filter(done_at__isnull=True)


class ActionItem(models.Model):
    initiative = models.ForeignKey(
        "documents.Initiative", on_delete=models.CASCADE, related_name="action_items"
    )
    session = models.ForeignKey(
        ReviewSession,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="action_items",
    )
    comment = models.ForeignKey(
        Comment, on_delete=models.SET_NULL, null=True, blank=True, related_name="action_items"
    )
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    due_on = models.DateField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ActionItemQuerySet.as_manager()

    class Meta:
        # Open items first, the most urgent on top.
        ordering = [
            models.F("done_at").asc(nulls_first=True),
            models.F("due_on").asc(nulls_last=True),
            "pk",
        ]

    def __str__(self):
        return self.title

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def is_overdue(self) -> bool:
        return (
            self.done_at is None and self.due_on is not None and self.due_on < timezone.localdate()
        )

    @property
    def due_label(self) -> str:
        """The due day as lists show it ("10 Dec"), as ``|date:"j M"`` writes it.

        Written here in a fraction of the filter's time: a discussion lists every
        item of its session (tests/reviews/test_action_item_labels.py pins the two).
        """
        if self.due_on is None:
            return ""
        return f"{self.due_on.day} {MONTHS_3[self.due_on.month].title()}"

    @property
    def done_url(self) -> str:
        """Where its tick posts (a page lists many: no reverse() each)."""
        return url_for_id("action_item_done", self.pk)

    def may_be_ticked_by(self, user, *, team_editor: bool) -> bool:
        """Its owner, its creator, and the team's editors and owners tick it off (or on again).

        ``team_editor``: whether ``user`` is an editor or owner of the item's team.
        The service that ticks asks this, and so does the template that shows the tick.
        """
        return user.pk in (self.owner_id, self.created_by_id) or team_editor


class AndonPullQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(members_of_team(user, "initiative__team"))

    def active(self):
        return self.filter(reset_at__isnull=True)


class AndonPull(models.Model):
    """One pull of an initiative's Andon cord, and (once done) its reset.

    While a pull is active (not reset) the initiative cannot be approved. Rows are
    never deleted: together they are the history of the initiative's stops.
    """

    initiative = models.ForeignKey(
        "documents.Initiative", on_delete=models.CASCADE, related_name="andon_pulls"
    )
    pulled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField()
    pulled_at = models.DateTimeField(default=timezone.now)
    reset_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = models.TextField(blank=True)
    reset_at = models.DateTimeField(null=True, blank=True)

    objects = AndonPullQuerySet.as_manager()

    class Meta:
        ordering = ["-pulled_at", "-pk"]
        verbose_name = "Andon cord pull"
        constraints = [
            # One active pull per initiative: a second "pull" while stopped is refused.
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(reset_at__isnull=True),
                name="andon_one_active_pull",
            ),
            # A reset has its author, its time and a resolution; an active pull has none.
            models.CheckConstraint(
                condition=Q(reset_at__isnull=True, reset_by__isnull=True, resolution="")
                | (Q(reset_at__isnull=False, reset_by__isnull=False) & ~Q(resolution="")),
                name="andon_reset_complete",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="andon_reason_required"),
        ]

    def __str__(self):
        return f"Andon cord on {self.initiative_id} by {self.pulled_by_id}"

    @property
    def is_active(self) -> bool:
        return self.reset_at is None


@dataclass(frozen=True)
class AndonStop:
    """An initiative's active pull as a board card or a "My reviews" row shows it:
    who pulled the cord, why and when (read with the card's or the row's own query)."""

    pulled_by: str
    reason: str
    pulled_at: datetime

    @classmethod
    def of(cls, reason, pulled_at, display_name, email) -> "AndonStop | None":
        """The stop from an active pull's columns and its author's; None when there is none."""
        if reason is None:
            return None
        return cls(person_name(display_name, email), reason, pulled_at)
