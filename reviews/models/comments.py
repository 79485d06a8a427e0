"""Comments anchored to an iteration's words, their replies, +1s and mentions.

The privacy rule lives in one place, ``CommentQuerySet.visible_to``: a comment
made in a session that is still scheduled or reading is visible to its author
only; every other comment is visible to the members of the initiative's team.
Every page, fragment, feed, count and export reads comments through it.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.functional import cached_property

from documents.models import Revision
from wbapp.accounts.rules import known_team_membership
from wbapp.http import urls_for_id

from .sessions import REVEALED_PHASES, ReviewSession, members_of_team


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


def _shown_to(user) -> Q:
    # Not made in a session still scheduled or reading, unless by ``user``.
    return Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES) | Q(author=user)


class CommentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """THE privacy rule: the comments ``user`` may know exist.

        Team members of the initiative see every comment, except comments made in
        a session that is still scheduled or reading: those only their author sees.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        return self.filter(members_of_team(user, "initiative__team")).filter(_shown_to(user))

    def visible_on(self, revision, user, *, team_id: int | None = None):
        """Comments on one iteration that ``user`` may see (asynchronous and session).

        The same rule as visible_to. ``team_id``: the iteration's team, where the
        caller has it at hand; if a lookup already read the user's membership of it
        (get_revision_for_user), no join for it, as in visible_in_session.
        """
        if user is None or not user.is_authenticated:
            return self.none()
        member = None if team_id is None else known_team_membership(user, team_id)
        if member is None:
            return self.visible_to(user).filter(revision=revision)
        if not member:
            return self.none()
        return self.filter(revision=revision).filter(_shown_to(user))

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

    def status_counts(self) -> "StatusCounts":
        """How many of the comments in this queryset are in each status (one query)."""
        counts = dict(self.order_by().values_list("status").annotate(Count("pk")))
        return StatusCounts(**{status: counts.get(status, 0) for status in CommentStatus.values})

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
    # Raised by reviews.live.changed() for every write that changes what the thread
    # shows (an edit, a reply, a status, a +1, an action item, a newer copy): part
    # of the key of its card's kept HTML (reviews/rendered.py).
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

    @cached_property
    def action_urls(self) -> dict[str, str]:
        """Where the thread's controls post (reply, +1, resolve…), without a reverse() each."""
        return urls_for_id(THREAD_ACTIONS, self.pk)


# The thread's controls (comment_card.html#controls): the route of each.
THREAD_ACTIONS = {
    "reply": "reply_create",
    "resolve": "comment_resolve",
    "reopen": "comment_reopen",
    "plus_one": "comment_plus_one",
    "delete": "comment_delete",
    "mark_addressed": "comment_mark_addressed",
    "action_item": "action_item_create",
}


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


def mark_where_it_was(comments, revision: Revision) -> None:
    """Set ``was_number`` / ``was_id`` on the threads of ``revision`` whose words are gone.

    "Where it was": the newest earlier copy of the thread that still sat on its
    words. One query for all of them (none when no thread lost its words).
    """
    lost = [c for c in comments if c.anchoring == Anchoring.LOST and c.origin_id]
    if not lost:
        return
    roots = {c.origin_id for c in lost}
    rows = (
        Comment.objects.filter(
            Q(pk__in=roots) | Q(origin_id__in=roots),
            revision__document_id=revision.document_id,
            revision__number__lt=revision.number,
        )
        .exclude(anchoring=Anchoring.LOST)
        .values_list("pk", "origin_id", "revision__number")
    )
    newest: dict[int, tuple[int, int]] = {}
    for pk, origin_id, number in rows:
        root = origin_id or pk
        if root not in newest or number > newest[root][0]:
            newest[root] = (number, pk)
    for comment in lost:
        comment.was_number, comment.was_id = newest.get(comment.origin_id, (None, None))
