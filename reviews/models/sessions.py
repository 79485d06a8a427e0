"""Review sessions: their phases, participants and the record of every move."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils import timezone


def members_of_team(user, team_path: str) -> Q:
    return Q(**{f"{team_path}__memberships__user": user})


# Planned length of the discussion after the reading, for calendar entries.
DISCUSSION_MINUTES = 30


class SessionPhase(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    READING = "reading", "Reading"
    DISCUSSION = "discussion", "Discussion"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


# Comments made in a session in these phases are private to their author.
PRIVATE_PHASES = (SessionPhase.SCHEDULED, SessionPhase.READING)


REVEALED_PHASES = (SessionPhase.DISCUSSION, SessionPhase.CLOSED, SessionPhase.CANCELLED)


# A session in these phases is a record: nothing about it changes any more.
FINISHED_PHASES = (SessionPhase.CLOSED, SessionPhase.CANCELLED)


class SessionOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    ITERATE = "iterate", "Iterate"
    SHELVED = "shelved", "Shelved"


class ParticipantRole(models.TextChoices):
    REVIEWER = "reviewer", "Reviewer"
    BAR_RAISER = "bar_raiser", "Bar raiser"
    OBSERVER = "observer", "Observer"


class ReviewSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions of initiatives in the teams ``user`` is a member of."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(members_of_team(user, "initiative__team"))

    def reading_due(self, now=None):
        """Sessions whose reading time is over but whose phase has not moved on yet."""
        return self.filter(phase=SessionPhase.READING, reading_ends_at__lte=now or timezone.now())

    def with_progress(self):
        """Annotate ``participant_count``, ``joined_count`` and ``done_count`` (one join)."""
        return self.annotate(
            participant_count=Count("participants"),
            joined_count=Count("participants", filter=Q(participants__joined_at__isnull=False)),
            done_count=Count("participants", filter=Q(participants__done_at__isnull=False)),
        )


class ReviewSession(models.Model):
    initiative = models.ForeignKey(
        "documents.Initiative", on_delete=models.CASCADE, related_name="sessions"
    )
    document = models.ForeignKey(
        "documents.Document", on_delete=models.CASCADE, related_name="sessions"
    )
    # The frozen iteration under review. RESTRICT rather than PROTECT: an
    # iteration with sessions cannot go on its own, but purging its whole
    # document or initiative takes the sessions with it.
    revision = models.ForeignKey(
        "documents.Revision", on_delete=models.RESTRICT, related_name="sessions"
    )
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    reading_minutes = models.PositiveSmallIntegerField()
    facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="facilitated_sessions"
    )
    phase = models.CharField(max_length=20, choices=SessionPhase, default=SessionPhase.SCHEDULED)
    # Fixed by the server when the reading starts; every browser counts down to it.
    reading_started_at = models.DateTimeField(null=True, blank=True)
    reading_ends_at = models.DateTimeField(null=True, blank=True)
    # Minutes the facilitator added during the reading (planned time stays reading_minutes).
    extended_minutes = models.PositiveSmallIntegerField(default=0)
    discussion_started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=SessionOutcome, blank=True)
    decision_notes = models.TextField(blank=True)
    decision_html = models.TextField(blank=True, editable=False)
    # The thread the facilitator is stepping through in the discussion.
    focused_comment = models.ForeignKey(
        "Comment", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped by every change the live endpoint shows (phase, extension, joins,
    # done marks, focus, revealed comments, replies, resolutions, +1s). Never by
    # a private comment: that would tell the others that someone commented.
    state_version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReviewSessionQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        indexes = [
            models.Index(fields=["initiative", "-starts_at"], name="session_initiative_recent"),
            # The sweep that ends overdue readings reads only this small slice.
            models.Index(
                fields=["reading_ends_at"],
                condition=Q(phase=SessionPhase.READING),
                name="session_reading_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(phase__in=SessionPhase.values), name="session_valid_phase"
            ),
            models.CheckConstraint(
                condition=Q(reading_minutes__gte=1), name="session_reading_minutes_gte_1"
            ),
            # An outcome exactly when the session is closed.
            models.CheckConstraint(
                condition=(Q(phase=SessionPhase.CLOSED) & Q(outcome__in=SessionOutcome.values))
                | (~Q(phase=SessionPhase.CLOSED) & Q(outcome="")),
                name="session_outcome_iff_closed",
            ),
            # Once the reading has started its end time is fixed.
            models.CheckConstraint(
                condition=Q(phase__in=[SessionPhase.SCHEDULED, SessionPhase.CANCELLED])
                | Q(reading_started_at__isnull=False, reading_ends_at__isnull=False),
                name="session_reading_times_set",
            ),
        ]

    def __str__(self):
        return self.title

    # --- Time ---

    @property
    def planned_ends_at(self):
        """End of the meeting as invited: the reading, then the discussion."""
        return self.starts_at + timedelta(minutes=self.reading_minutes + DISCUSSION_MINUTES)

    def reading_seconds_left(self, now=None) -> int:
        """Whole seconds until the reading ends (0 when over or not reading)."""
        if self.phase != SessionPhase.READING or self.reading_ends_at is None:
            return 0
        left = (self.reading_ends_at - (now or timezone.now())).total_seconds()
        return max(0, int(left + 0.999))

    def reading_is_due(self, now=None) -> bool:
        """The reading time is over but the phase has not moved on yet."""
        return (
            self.phase == SessionPhase.READING
            and self.reading_ends_at is not None
            and self.reading_ends_at <= (now or timezone.now())
        )

    @property
    def reading_time_used(self) -> timedelta | None:
        """How long the reading really lasted (for the record)."""
        if self.reading_started_at is None or self.discussion_started_at is None:
            return None
        return self.discussion_started_at - self.reading_started_at

    # --- Phases ---

    @property
    def is_scheduled(self) -> bool:
        return self.phase == SessionPhase.SCHEDULED

    @property
    def is_reading(self) -> bool:
        return self.phase == SessionPhase.READING

    @property
    def is_discussion(self) -> bool:
        return self.phase == SessionPhase.DISCUSSION

    @property
    def is_finished(self) -> bool:
        return self.phase in FINISHED_PHASES

    @property
    def comments_are_private(self) -> bool:
        return self.phase in PRIVATE_PHASES

    # --- The viewer's own participation ---

    def participant_for(self, user) -> "Participant | None":
        """``user``'s participant row in this session, or None; cached on the instance.

        ``lookups.get_session_for_user`` fills the cache from the same query that
        fetched the session, so permission checks cost nothing more.
        """
        if user is None or not user.is_authenticated:
            return None
        cache = self.__dict__.setdefault("_participants_by_user", {})
        if user.pk not in cache:
            cache[user.pk] = self.participants.filter(user=user).first()
        return cache[user.pk]

    def remember_participant(self, user, participant: "Participant | None") -> None:
        self.__dict__.setdefault("_participants_by_user", {})[user.pk] = participant

    def forget_participants(self) -> None:
        self.__dict__.pop("_participants_by_user", None)


class SessionTransition(models.Model):
    """One phase change of a session: who moved it (None: the reading timer), when."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="transitions")
    from_phase = models.CharField(max_length=20, choices=SessionPhase)
    to_phase = models.CharField(max_length=20, choices=SessionPhase)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_phase} → {self.to_phase}"


class Participant(models.Model):
    session = models.ForeignKey(
        ReviewSession, on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_participations"
    )
    role = models.CharField(
        max_length=20, choices=ParticipantRole, default=ParticipantRole.REVIEWER
    )
    invited_at = models.DateTimeField(default=timezone.now)
    # First opened the session once the reading had started.
    joined_at = models.DateTimeField(null=True, blank=True)
    # Pressed "I'm done reading"; None while still reading.
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="participant_unique_user"),
            models.CheckConstraint(
                condition=Q(role__in=ParticipantRole.values), name="participant_valid_role"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"

    @property
    def may_comment(self) -> bool:
        """Observers read and listen; reviewers and bar raisers comment."""
        return self.role != ParticipantRole.OBSERVER

    @property
    def is_done(self) -> bool:
        return self.done_at is not None

    @property
    def has_joined(self) -> bool:
        return self.joined_at is not None
