"""Review sessions, their participants, comments, replies and action items.

A session freezes one iteration (``revision``) and moves through
scheduled → reading → discussion → closed (or scheduled → cancelled). Every move
is one guarded function in ``services.py``; ``SessionTransition`` keeps the record.

The privacy rule lives in one place, ``CommentQuerySet.visible_to``: a comment
made in a session that is still scheduled or reading is visible to its author
only; every other comment is visible to the members of the initiative's team.
Every page, fragment, feed, count and export reads comments through it.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from wbapp.accounts.rules import known_team_membership

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


class CommentKind(models.TextChoices):
    QUESTION = "question", "Question"
    SUGGESTION = "suggestion", "Suggestion"
    CONCERN = "concern", "Concern"
    BLOCKER = "blocker", "Blocker"


class CommentStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    ADDRESSED = "addressed", "Addressed"
    OUTDATED = "outdated", "Outdated"


# A thread in one of these still needs someone: it is carried forward to the next
# iteration, and a blocker in one of them keeps the initiative from being approved
# ("addressed" is the author's word; only a resolution is the reviewer's).
UNRESOLVED_STATUSES = (CommentStatus.OPEN, CommentStatus.ADDRESSED, CommentStatus.OUTDATED)


class Anchoring(models.TextChoices):
    """How a comment found its words in its iteration (see carry.py)."""

    ORIGINAL = "original", "Made on this iteration"
    EXACT = "exact", "Same words, same section"
    FUZZY = "fuzzy", "Similar words, same section"
    MOVED = "moved", "Found in another section"
    LOST = "lost", "Passage removed"


def _members_of_team(user, team_path: str) -> Q:
    return Q(**{f"{team_path}__memberships__user": user})


# --- Sessions ----------------------------------------------------------------------------


class ReviewSessionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Sessions of initiatives in the teams ``user`` is a member of."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(_members_of_team(user, "initiative__team"))

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


# --- Comments ------------------------------------------------------------------------------


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """THE privacy rule: the comments ``user`` may know exist.

        Team members of the initiative see every comment, except comments made in
        a session that is still scheduled or reading: those only their author sees.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(_members_of_team(user, "initiative__team")).filter(
            Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES) | Q(author=user)
        )

    def visible_on(self, revision, user):
        """Comments on one iteration that ``user`` may see (asynchronous and session)."""
        return self.visible_to(user).filter(revision=revision)

    def visible_in_session(self, session, user):
        """Comments made in ``session`` that ``user`` may see: during the reading, their own.

        The same rule as visible_to. Where the session's lookup already read the
        user's membership of its team (get_session_for_user), it needs no join: the
        phase as loaded decides, and phases only move towards the reveal, so an
        older phase can only show less.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        member = known_team_membership(user, session.initiative.team_id)
        if member is None:
            return self.visible_to(user).filter(session=session)
        if not member:
            return self.none()
        mine = self.filter(session=session)
        return mine if session.phase in REVEALED_PHASES else mine.filter(author=user)

    def open(self):
        return self.filter(status=CommentStatus.OPEN)

    def unresolved(self):
        return self.filter(status__in=UNRESOLVED_STATUSES)

    def revealed(self):
        """Comments the whole team sees: not made in a session still scheduled or reading.

        Counts use this on top of ``visible_to``: a count must not change with the
        viewer's own private comments, nor differ between two members.
        """
        return self.filter(Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES))

    def anchored(self):
        """Comments whose words are in their iteration: the ones a margin can highlight.

        A carried thread whose passage is gone ("lost") keeps its old quote, which is
        not in this iteration's text; it belongs in the outdated list instead.
        """
        return self.exclude(anchoring=Anchoring.LOST)

    def status_counts_by_revision(self) -> dict[int, "StatusCounts"]:
        """{revision id: StatusCounts} for the comments in this queryset, in one query."""
        rows = (
            self.order_by()
            .values("revision_id")
            .annotate(
                **{status: Count("pk", filter=Q(status=status)) for status in CommentStatus.values}
            )
        )
        return {
            row["revision_id"]: StatusCounts(**{s: row[s] for s in CommentStatus.values})
            for row in rows
        }

    def touch(self) -> int:
        """Raise the version of these threads: their cards changed (reviews/rendered.py)."""
        return self.update(version=F("version") + 1)

    def in_document_order(self):
        return self.order_by("document_order", "created_at", "pk")

    def for_display(self, user):
        """Everything a thread shows, in a fixed number of queries however many there are.

        Annotates ``reply_count``, ``plus_one_count``, ``plussed_by_me`` and
        ``continues_on`` (the number of the iteration a carried thread went on to)
        and prefetches the replies with their authors (one more query).
        """
        replies = Reply.objects.select_related("author").order_by("created_at", "pk")
        plus_ones = (
            Reaction.objects.filter(comment=OuterRef("pk"))
            .order_by()
            .values("comment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        reply_counts = (
            Reply.objects.filter(comment=OuterRef("pk"))
            .order_by()
            .values("comment")
            .annotate(n=Count("pk"))
            .values("n")
        )
        mine = Reaction.objects.filter(
            comment=OuterRef("pk"), user_id=user.pk if user is not None else None
        )
        # The iteration a carried thread went on to (its newer copy), None for the newest copy.
        later = Comment.objects.filter(carried_from=OuterRef("pk")).values("revision__number")
        return (
            self.select_related("author", "resolved_by")
            .annotate(
                plus_one_count=Coalesce(Subquery(plus_ones), 0),
                reply_count=Coalesce(Subquery(reply_counts), 0),
                plussed_by_me=Exists(mine),
                continues_on=Subquery(later[:1]),
            )
            .prefetch_related(Prefetch("replies", queryset=replies))
        )


class Comment(models.Model):
    revision = models.ForeignKey(
        "documents.Revision", on_delete=models.CASCADE, related_name="comments"
    )
    # Denormalised from the revision so feeds and the privacy rule join one table less.
    initiative = models.ForeignKey(
        "documents.Initiative", on_delete=models.CASCADE, related_name="comments"
    )
    # Set when made in a session (reading or discussion); None for asynchronous comments.
    session = models.ForeignKey(
        ReviewSession, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_comments"
    )
    kind = models.CharField(max_length=20, choices=CommentKind, default=CommentKind.QUESTION)
    body = models.TextField()
    # Sanitized HTML of ``body``, rendered once at creation and on each edit.
    body_html = models.TextField(editable=False)
    # The anchor: a section (or FAQ entry) key, the quoted words with up to 32
    # characters of context either side, and offsets into the section's plain
    # text in UTF-16 code units, as the browser counts them (see anchoring.py).
    # An empty quote anchors the comment to the whole section.
    section_key = models.SlugField(max_length=40)
    quote = models.TextField(blank=True)
    prefix = models.CharField(max_length=32, blank=True)
    suffix = models.CharField(max_length=32, blank=True)
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    # section index * 1_000_000 + start: ORDER BY this is document order.
    document_order = models.PositiveBigIntegerField(default=0)
    status = models.CharField(max_length=20, choices=CommentStatus, default=CommentStatus.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Raised by every service that changes what the thread shows (an edit, a reply, a
    # status, a +1, an action item, a newer copy): the key of its kept card HTML.
    version = models.PositiveIntegerField(default=1, editable=False)
    # A thread carried forward is a new comment on each iteration (see carry.py):
    # ``origin`` is the first comment of the chain, made on the iteration the
    # thread started on; ``carried_from`` is the copy on the iteration before.
    # One-to-one: a comment is carried at most once.
    origin = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_forward"
    )
    carried_from = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_to"
    )
    anchoring = models.CharField(max_length=10, choices=Anchoring, default=Anchoring.ORIGINAL)
    # An editor or owner said the new text answers it; the commenter verifies and resolves.
    addressed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    addressed_at = models.DateTimeField(null=True, blank=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["document_order", "created_at", "pk"]
        indexes = [
            models.Index(fields=["revision", "document_order"], name="comment_revision_order"),
            models.Index(fields=["session", "document_order"], name="comment_session_order"),
            models.Index(fields=["initiative", "-created_at"], name="comment_initiative_recent"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=CommentKind.values), name="comment_valid_kind"
            ),
            models.CheckConstraint(
                condition=Q(status__in=CommentStatus.values), name="comment_valid_status"
            ),
            models.CheckConstraint(
                condition=Q(end__gte=models.F("start")), name="comment_end_gte_start"
            ),
            models.CheckConstraint(
                condition=Q(anchoring__in=Anchoring.values), name="comment_valid_anchoring"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} by {self.author}"

    @property
    def is_blocker(self) -> bool:
        return self.kind == CommentKind.BLOCKER

    @property
    def is_open(self) -> bool:
        return self.status == CommentStatus.OPEN

    @property
    def is_resolved(self) -> bool:
        return self.status == CommentStatus.RESOLVED

    @property
    def is_addressed(self) -> bool:
        return self.status == CommentStatus.ADDRESSED

    @property
    def is_outdated(self) -> bool:
        return self.status == CommentStatus.OUTDATED

    @property
    def is_carried(self) -> bool:
        """Carried forward from an earlier iteration."""
        return self.origin_id is not None

    @property
    def passage_lost(self) -> bool:
        """Carried onto an iteration that no longer has its words (whatever its status now)."""
        return self.anchoring == Anchoring.LOST


@dataclass(frozen=True)
class StatusCounts:
    """How many threads of an iteration are in each status."""

    open: int = 0
    resolved: int = 0
    addressed: int = 0
    outdated: int = 0

    @property
    def total(self) -> int:
        return self.open + self.resolved + self.addressed + self.outdated

    @property
    def unresolved(self) -> int:
        return self.open + self.addressed + self.outdated


class ReplyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Replies whose comment ``user`` may see (the same rule as for comments)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(comment__in=Comment.objects.visible_to(user).values("pk"))


class Reply(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_replies"
    )
    body = models.TextField()
    body_html = models.TextField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "replies"

    def __str__(self):
        return f"Reply by {self.author}"


class Reaction(models.Model):
    """A "+1" on a comment: one per user and comment."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="reaction_unique_user"),
        ]

    def __str__(self):
        return f"+1 by {self.user}"


# --- Action items -------------------------------------------------------------------------


class ActionItemQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(_members_of_team(user, "initiative__team"))

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


# --- The Andon cord ------------------------------------------------------------------------


class AndonPullQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(_members_of_team(user, "initiative__team"))

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


# --- Mentions ----------------------------------------------------------------------------------


class MentionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Mentions in comments ``user`` may see (the comment privacy rule)."""
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(comment__in=Comment.objects.visible_to(user).values("pk"))


class Mention(models.Model):
    """A team member named with @ in a comment or in a reply to it.

    ``reply`` is None when the mention is in the comment itself. Recorded when the
    text is saved; the "mentioned" activity that notifies them waits for the
    reveal when the comment was made during a silent read.
    """

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    reply = models.ForeignKey(
        Reply, on_delete=models.CASCADE, null=True, blank=True, related_name="mentions"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_mentions"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = MentionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="mention_user_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "user"],
                condition=Q(reply__isnull=True),
                name="mention_unique_in_comment",
            ),
            models.UniqueConstraint(
                fields=["reply", "user"],
                condition=Q(reply__isnull=False),
                name="mention_unique_in_reply",
            ),
        ]

    def __str__(self):
        return f"@{self.user_id} in comment {self.comment_id}"
