from django.conf import settings
from django.db import models
from django.db.models import Q
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
    COMMENT_ADDRESSED = "comment_addressed", "addressed a comment"
    COMMENTS_CARRIED = "comments_carried", "carried comments forward"
    ANDON_PULLED = "andon_pulled", "pulled the Andon cord"
    ANDON_RESET = "andon_reset", "reset the Andon cord"
    MENTIONED = "mentioned", "mentioned someone"
    STATUS_CHANGED = "status_changed", "changed the initiative's status"


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
    # The outbox flag: False until the fan-out has written this event's
    # notifications (see notify.py). Every write path leaves it False, including
    # bulk inserts that bypass activity_record.
    fanned_out = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "activities"
        indexes = [
            models.Index(fields=["team", "-created_at"], name="activity_team_recent"),
            # The fan-out reads only the few rows still waiting.
            models.Index(fields=["id"], condition=Q(fanned_out=False), name="activity_to_fan_out"),
        ]

    def __str__(self):
        return f"{self.actor} {self.get_verb_display()}"


# --- Notifications ----------------------------------------------------------------------


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately (within a few minutes)"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Never (the inbox only)"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


DEFAULT_FREQUENCY = Frequency.DAILY
DEFAULT_HOUR = 8
DEFAULT_WEEKDAY = Weekday.MONDAY


class NotificationPreference(models.Model):
    """How and when one user hears about what happened. Created on first need.

    A user without a row has the defaults (a daily digest at 08:00 local time).
    The last three fields are the e-mail pipeline's bookkeeping, not settings.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_preference",
    )
    frequency = models.CharField(max_length=10, choices=Frequency, default=DEFAULT_FREQUENCY)
    # Local hour (user.time_zone) at which the daily or weekly digest goes out.
    hour = models.PositiveSmallIntegerField(default=DEFAULT_HOUR)
    weekday = models.PositiveSmallIntegerField(choices=Weekday, default=DEFAULT_WEEKDAY)
    updated_at = models.DateTimeField(default=timezone.now)
    # Set when an immediate batch window opens (a send is scheduled); cleared by the send.
    pending_since = models.DateTimeField(null=True, blank=True)
    # The last digest period claimed ("daily:2026-11-23", "weekly:2026-11-23").
    last_period = models.CharField(max_length=40, blank=True)
    # Notifications with an id at or below this arrived while e-mail was off: never e-mailed.
    email_floor = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(frequency__in=Frequency.values), name="preference_valid_frequency"
            ),
            models.CheckConstraint(
                condition=Q(hour__gte=0, hour__lte=23), name="preference_hour_0_23"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6), name="preference_weekday_0_6"
            ),
        ]

    def __str__(self):
        return f"{self.user}: {self.get_frequency_display()}"


class InitiativeMute(models.Model):
    """ "Do not tell me about this initiative", except what is addressed to me personally."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="initiative_mutes"
    )
    initiative = models.ForeignKey(
        "documents.Initiative", on_delete=models.CASCADE, related_name="mutes"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "initiative"], name="mute_unique_user"),
        ]

    def __str__(self):
        return f"{self.user} muted {self.initiative_id}"


class Reason(models.TextChoices):
    """Why a notification reached its recipient; the first five are addressed to them."""

    MENTION = "mention", "You were mentioned"
    THREAD = "thread", "In your thread"
    ASSIGNED = "assigned", "Assigned to you"
    INVITED = "invited", "You are invited"
    PARTICIPANT = "participant", "Your review session"
    ROLE = "role", "Your role"
    CORD = "cord", "Your Andon cord"
    OWNER = "owner", "You own the initiative"
    REVIEWER = "reviewer", "You were invited to review the initiative"
    COMMENTER = "commenter", "You commented on the initiative"
    FOLLOWER = "follower", "You follow the initiative"


# Reasons that reach a user even on an initiative they muted.
PERSONAL_REASONS = (
    Reason.MENTION,
    Reason.THREAD,
    Reason.ASSIGNED,
    Reason.INVITED,
    Reason.PARTICIPANT,
    Reason.ROLE,
    Reason.CORD,
)


class DeliveryKind(models.TextChoices):
    IMMEDIATE = "immediate", "Immediate"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"


class DeliveryState(models.TextChoices):
    PENDING = "pending", "Claimed, to send"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    SKIPPED = "skipped", "Nothing left to say"


class DigestDelivery(models.Model):
    """One e-mail to one user for one period, claimed before it is sent.

    The unique (user, period) row is the exactly-once guarantee: whoever inserts it
    owns the e-mail; the notifications it covers point at it (set in the same
    transaction), so nothing is covered twice and nothing falls between two e-mails.
    ``pending → sending`` is a conditional UPDATE that takes a lease: "sending"
    belongs to ``lease_owner`` until ``lease_expires_at``. A live lease is never
    taken by another sender; one that expired (its worker died) is taken back and
    the e-mail sent again under the same Message-ID (wbapp/notifications/delivery.py).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries"
    )
    kind = models.CharField(max_length=10, choices=DeliveryKind)
    # "daily:2026-11-23", "weekly:2026-11-23" (the local date the period starts),
    # "immediate:<last notification id>".
    period = models.CharField(max_length=40)
    state = models.CharField(max_length=10, choices=DeliveryState, default=DeliveryState.PENDING)
    # The watermark: the highest notification id this e-mail covers.
    last_notification_id = models.BigIntegerField(default=0)
    item_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # Who holds "sending" (host, process, attempt) and until when; empty/None otherwise.
    lease_owner = models.CharField(max_length=100, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="delivery_unique_period"),
            models.CheckConstraint(
                condition=Q(kind__in=DeliveryKind.values), name="delivery_valid_kind"
            ),
            models.CheckConstraint(
                condition=Q(state__in=DeliveryState.values), name="delivery_valid_state"
            ),
        ]
        indexes = [
            # The sweep re-enqueues the few deliveries left pending.
            models.Index(
                fields=["updated_at"],
                condition=Q(state=DeliveryState.PENDING),
                name="delivery_pending",
            ),
            # The sweep takes back the leases of dead senders.
            models.Index(
                fields=["lease_expires_at"],
                condition=Q(state=DeliveryState.SENDING),
                name="delivery_sending_lease",
            ),
        ]

    def __str__(self):
        return f"{self.period} to {self.user_id} ({self.state})"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_inbox(self):
        """Newest first, with everything a line of the inbox shows (one query)."""
        return self.select_related(
            "activity__actor", "activity__initiative", "activity__team"
        ).order_by("-pk")


class Notification(models.Model):
    """One activity in one recipient's inbox, or several about one thing: unread until read.

    Activities about the same thing (a thread, a session, an iteration: ``topic``)
    fold into one notification while it is unread and no e-mail has covered it
    yet: the fan-out replaces it by a new row that points at the newest activity
    and counts them all (``count``), so the inbox shows "3 new messages" once, at
    the top, and an e-mail tells each thing once.
    """

    # No index of its own: the unique (user, activity) and the inbox's (user, -id)
    # lead with it, and every notification written, and again when an e-mail covers
    # it, would pay for a third.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="notifications")
    reason = models.CharField(max_length=20, choices=Reason)
    # What it is about ("thread:12", "session:3", "iteration:5:2"); blank: stands alone.
    topic = models.CharField(max_length=40, blank=True, default="")
    # How many activities it stands for (folded into it while unread).
    count = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The e-mail that covered it; None while no e-mail has.
    delivery = models.ForeignKey(
        DigestDelivery,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "activity"], name="notification_unique_user"),
            models.CheckConstraint(
                condition=Q(reason__in=Reason.values), name="notification_valid_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-id"], name="notification_inbox"),
            # The live unread count reads only unread rows.
            models.Index(
                fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            # E-mail claims read only what no e-mail has covered yet.
            models.Index(
                fields=["user", "id"],
                condition=Q(delivery__isnull=True),
                name="notification_unsent",
            ),
            # The fan-out folds an activity into the unread, unsent row of its topic.
            models.Index(
                fields=["user", "topic"],
                condition=Q(read_at__isnull=True, delivery__isnull=True) & ~Q(topic=""),
                name="notification_foldable",
            ),
        ]

    def __str__(self):
        return f"{self.activity} → {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def is_personal(self) -> bool:
        return self.reason in PERSONAL_REASONS
