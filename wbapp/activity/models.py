from django.conf import settings
from django.db import models
from django.utils import timezone


class Verb(models.TextChoices):
    TEAM_CREATED = "team_created", "created the team"
    MEMBER_INVITED = "member_invited", "invited a member"
    MEMBER_JOINED = "member_joined", "joined the team"
    ROLE_CHANGED = "role_changed", "changed a member's role"
    MEMBER_REMOVED = "member_removed", "removed a member"
    MEMBER_LEFT = "member_left", "left the team"
    INITIATIVE_CREATED = "initiative_created", "created the initiative"
    INITIATIVE_UPDATED = "initiative_updated", "updated the initiative"
    DOCUMENT_CREATED = "document_created", "started a document"
    ITERATION_SAVED = "iteration_saved", "saved an iteration"
    ITERATION_RESTORED = "iteration_restored", "restored an iteration"
    SESSION_SCHEDULED = "session_scheduled", "scheduled a review session"
    SESSION_RESCHEDULED = "session_rescheduled", "rescheduled a review session"
    SESSION_CANCELLED = "session_cancelled", "cancelled a review session"
    SESSION_STARTED = "session_started", "started the reading"
    SESSION_DISCUSSION = "session_discussion", "started the discussion"
    DECISION_RECORDED = "decision_recorded", "recorded a decision"
    COMMENT_ADDED = "comment_added", "commented"
    REPLY_ADDED = "reply_added", "replied to a comment"
    ACTION_ITEM_ASSIGNED = "action_item_assigned", "assigned an action item"


class Activity(models.Model):
    """Something that happened, recorded once in the transaction that did it.

    Feeds and (later) digests read these rows; ``payload`` keeps the few names a
    sentence needs so that the feed renders without joining every target.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Set for everything that happens to one initiative, so that its page and the
    # digests of its followers read one indexed range.
    initiative = models.ForeignKey(
        "documents.Initiative",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    verb = models.CharField(max_length=40, choices=Verb)
    payload = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [models.Index(fields=["team", "-created_at"], name="activity_team_recent")]

    def __str__(self):
        return f"{self.actor} {self.get_verb_display()}"
