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


class Activity(models.Model):
    """Something that happened, recorded once in the transaction that did it.

    Feeds and (later) digests read these rows; ``payload`` keeps the few names a
    sentence needs so that the feed renders without joining every target.
    """

    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, related_name="activities")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
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
