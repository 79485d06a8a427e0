"""'My reviews': what is waiting on one user across their teams, in a fixed number of queries.

Four lists, one query each, however many rows they hold:

- sessions the user is invited to (as a participant or as the facilitator) that are
  upcoming or live, live ones first;
- threads waiting on the user: their own comments an author marked addressed (to
  verify and resolve), and threads they are in (wrote, replied to, were mentioned in)
  whose latest word is someone else's;
- their open action items, most urgent first;
- Andon cords pulled on initiatives they follow (explicitly, or as the owner, a
  commenter or a session participant, unless they muted it).

Every list reads through the ``visible_to`` rules, so nothing appears that the user
may not see (in particular no comment of a reading still in progress). A thread
carried forward appears once: only its newest copy is listed.
"""

from dataclasses import dataclass

from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse

from documents.models import Initiative
from wbapp.activity.models import InitiativeMute

from .models import (
    REVEALED_PHASES,
    ActionItem,
    AndonPull,
    Comment,
    CommentStatus,
    Mention,
    Participant,
    Reply,
    ReviewSession,
    SessionPhase,
)

# Enough to act on today; the rest is one click away on the pages each row links to.
LIST_LIMIT = 25
OPEN_PHASES = (SessionPhase.SCHEDULED, SessionPhase.READING, SessionPhase.DISCUSSION)
LIVE_PHASES = (SessionPhase.READING, SessionPhase.DISCUSSION)


@dataclass
class MyReviews:
    sessions: list[ReviewSession]
    to_verify: list[Comment]
    waiting: list[Comment]
    action_items: list[ActionItem]
    cords: list[AndonPull]

    @property
    def is_empty(self) -> bool:
        return not (
            self.sessions or self.to_verify or self.waiting or self.action_items or self.cords
        )


def thread_url(comment: Comment) -> str:
    """Where a listed thread is shown (needs the ``document_id``/``number`` annotations)."""
    if comment.session_id is not None:
        return reverse("session_detail", args=[comment.session_id]) + f"#comment-{comment.pk}"
    url = reverse(
        "iteration_detail", args=[comment.initiative_id, comment.document_id, comment.number]
    )
    return f"{url}#comment-{comment.pk}"


def my_sessions(user) -> list[ReviewSession]:
    """Upcoming and live sessions the user takes part in or facilitates; live first."""
    mine = Participant.objects.filter(session=OuterRef("pk"), user=user)
    return list(
        ReviewSession.objects.visible_to(user)
        .filter(phase__in=OPEN_PHASES)
        .filter(Q(facilitator=user) | Exists(mine))
        .select_related("initiative", "document")
        .annotate(
            iteration_number=F("revision__number"),
            my_role=Subquery(mine.values("role")[:1]),
            live_rank=Case(
                When(phase__in=LIVE_PHASES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .order_by("live_rank", "starts_at", "pk")[:LIST_LIMIT]
    )


def _threads(user):
    """The newest copy of every revealed thread the user may see, with where it lives."""
    return (
        Comment.objects.visible_to(user)
        .filter(Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES))
        .filter(carried_to__isnull=True)
        .select_related("initiative", "author")
        .annotate(document_id=F("revision__document_id"), number=F("revision__number"))
    )


def _with_urls(comments: list[Comment]) -> list[Comment]:
    for comment in comments:
        comment.thread_url = thread_url(comment)
        name = getattr(comment, "last_reply_by_name", "") or ""
        email = getattr(comment, "last_reply_by_email", "") or ""
        # The same fallback as User.name, without fetching the user.
        comment.last_reply_by_label = name or email.split("@", 1)[0]
    return comments


def threads_to_verify(user) -> list[Comment]:
    """The user's comments that an author marked addressed: they verify and resolve."""
    return _with_urls(
        list(
            _threads(user)
            .filter(author=user, status=CommentStatus.ADDRESSED)
            .order_by("-addressed_at", "-pk")[:LIST_LIMIT]
        )
    )


def threads_waiting(user) -> list[Comment]:
    """Unresolved threads the user is in whose latest word is someone else's."""
    latest = Reply.objects.filter(comment=OuterRef("pk")).order_by("-created_at", "-pk")
    # A carried thread is a chain of copies sharing ``origin`` (the first has none);
    # a mention in any copy, or in a reply to it, puts the user in the thread.
    chain = Coalesce(OuterRef("origin_id"), OuterRef("pk"))
    mentioned = Mention.objects.filter(user=user).filter(
        Q(comment_id=chain) | Q(comment__origin_id=chain)
    )
    threads = (
        _threads(user)
        .exclude(status=CommentStatus.RESOLVED)
        # Addressed comments of the user's own are in the list to verify.
        .exclude(author=user, status=CommentStatus.ADDRESSED)
        .annotate(
            last_reply_by=Subquery(latest.values("author_id")[:1]),
            last_reply_at=Subquery(latest.values("created_at")[:1]),
            last_reply_by_name=Subquery(latest.values("author__display_name")[:1]),
            last_reply_by_email=Subquery(latest.values("author__email")[:1]),
        )
        .filter(
            Q(author=user)
            | Exists(Reply.objects.filter(comment=OuterRef("pk"), author=user))
            | Exists(mentioned)
        )
        .filter(
            (Q(last_reply_by__isnull=False) & ~Q(last_reply_by=user.pk))
            | (Q(last_reply_by__isnull=True) & ~Q(author=user))
        )
        .order_by(F("last_reply_at").desc(nulls_last=True), "-created_at", "-pk")
    )
    return _with_urls(list(threads[:LIST_LIMIT]))


def my_action_items(user, *, limit: int | None = LIST_LIMIT) -> list[ActionItem]:
    items = (
        ActionItem.objects.visible_to(user)
        .open()
        .filter(owner=user)
        .select_related("initiative", "session", "owner")
    )
    return list(items[:limit] if limit else items)


def cords_on_followed(user) -> list[AndonPull]:
    """Active Andon cords on initiatives the user follows (as the notifications count it)."""
    follows = (
        Q(initiative__owner=user)
        | Exists(
            Initiative.followers.through.objects.filter(
                initiative_id=OuterRef("initiative_id"), user=user
            )
        )
        | Exists(Comment.objects.filter(initiative_id=OuterRef("initiative_id"), author=user))
        | Exists(
            Participant.objects.filter(session__initiative_id=OuterRef("initiative_id"), user=user)
        )
    )
    muted = InitiativeMute.objects.filter(initiative_id=OuterRef("initiative_id"), user=user)
    return list(
        AndonPull.objects.visible_to(user)
        .active()
        .filter(follows)
        .exclude(Exists(muted))
        .select_related("initiative", "pulled_by")
        .order_by("-pulled_at", "-pk")[:LIST_LIMIT]
    )


def my_reviews(user) -> MyReviews:
    """Everything the "My reviews" page lists, in five queries."""
    return MyReviews(
        sessions=my_sessions(user),
        to_verify=threads_to_verify(user),
        waiting=threads_waiting(user),
        action_items=my_action_items(user),
        cords=cords_on_followed(user),
    )
