"""What is waiting on each recipient of a batch of digests, for the top of their e-mail.

The lists follow the "My reviews" page's rules (``reviews.dashboard``), so the
digest and the page never disagree about what waits on whom: sessions the user
is invited to or facilitates, threads whose latest word is someone else's, their
own comments marked addressed (to verify), and their open action items. Nothing
is listed from a team the user no longer belongs to, nor any comment of a silent
read still in progress.

The page asks for one user; a digest run asks for hundreds at a time. Planning
the page's four queries costs a few milliseconds each, which is minutes over ten
thousand recipients, so ``waiting_for`` reads the same rows for a whole batch in
a fixed number of queries, each in the page's order, and deals them out in
Python. tests/activity/test_waiting.py holds it to the page's lists.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse

# Rows per list in an e-mail; the page behind each link has the rest.
WAITING_LIMIT = 10


@dataclass(frozen=True)
class WaitingItem:
    kind: str  # "thread", "session", "action_item"
    title: str
    detail: str
    initiative: str
    path: str
    overdue: bool = False


@dataclass(frozen=True)
class Waiting:
    threads: list[WaitingItem] = field(default_factory=list)
    sessions: list[WaitingItem] = field(default_factory=list)
    action_items: list[WaitingItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.threads or self.sessions or self.action_items)


def _excerpt(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def teams_of(user_ids: list[int]) -> dict[int, set[int]]:
    """{user id: the teams they belong to now}."""
    from wbapp.accounts.models import Membership

    teams: dict[int, set[int]] = defaultdict(set)
    for user_id, team_id in Membership.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "team_id"
    ):
        teams[user_id].add(team_id)
    return teams


def _member(user_field: str):
    """The row's ``user_field`` is a member of its initiative's team (the page's ``visible_to``)."""
    from wbapp.accounts.models import Membership

    return Exists(
        Membership.objects.filter(
            team_id=OuterRef("initiative__team_id"), user_id=OuterRef(user_field)
        )
    )


def _first_per_user(rows, user_field: str, limit: int = WAITING_LIMIT):
    """Number the rows per user in the queryset's order, keeping the first ``limit``."""
    ranked = rows.annotate(
        rank=Window(RowNumber(), partition_by=[F(user_field)], order_by=rows.query.order_by)
    )
    return ranked.filter(rank__lte=limit)


def _threads():
    """The newest copy of every revealed thread, with where it lives (``dashboard._threads``)."""
    from reviews.models import REVEALED_PHASES, Comment

    return (
        Comment.objects.filter(Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES))
        .filter(carried_to__isnull=True)
        .select_related("initiative", "author")
        .annotate(document_id=F("revision__document_id"), number=F("revision__number"))
    )


def _to_verify(user_ids: list[int]) -> dict[int, list]:
    """Each user's own comments an author marked addressed, newest first."""
    from reviews.models import CommentStatus

    rows = (
        _threads()
        .filter(author_id__in=user_ids, status=CommentStatus.ADDRESSED)
        .filter(_member("author_id"))
        .order_by("-addressed_at", "-pk")
    )
    found = defaultdict(list)
    for comment in _first_per_user(rows, "author_id"):
        found[comment.author_id].append(comment)
    return found


def _threads_waiting(user_ids: list[int], teams: dict[int, set[int]]) -> dict[int, list]:
    """Unresolved threads each user is in whose latest word is someone else's.

    In a thread means: wrote it, replied to this copy, or was mentioned anywhere in
    its chain of carried copies. The candidates of the whole batch come as small
    tuples in the page's order; who is in which comes from two reads of (thread,
    user) pairs; only the threads an e-mail lists are then read whole.
    """
    from reviews.models import REVEALED_PHASES, Comment, CommentStatus, Mention, Reply

    replied = Reply.objects.filter(author_id__in=user_ids)
    mentioned = Mention.objects.filter(user_id__in=user_ids)
    latest = Reply.objects.filter(comment=OuterRef("pk")).order_by("-created_at", "-pk")
    candidates = list(
        Comment.objects.filter(Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES))
        .filter(carried_to__isnull=True)
        .exclude(status=CommentStatus.RESOLVED)
        .annotate(
            chain=Coalesce("origin_id", "pk"),
            last_reply_by=Subquery(latest.values("author_id")[:1]),
            last_reply_at=Subquery(latest.values("created_at")[:1]),
        )
        .filter(
            Q(author_id__in=user_ids)
            | Q(pk__in=replied.values("comment_id"))
            | Q(chain__in=mentioned.values("comment_id"))
            | Q(chain__in=mentioned.filter(comment__origin__isnull=False).values("comment__origin"))
        )
        .order_by(F("last_reply_at").desc(nulls_last=True), "-created_at", "-pk")
        .values_list("pk", "chain", "author_id", "status", "initiative__team_id", "last_reply_by")
    )
    if not candidates:
        return {}
    # Where each user is in a thread: positions in the page's order.
    position = {row[0]: i for i, row in enumerate(candidates)}
    in_chain = defaultdict(list)
    inside = defaultdict(set)
    for i, (_, chain, author_id, *_) in enumerate(candidates):
        in_chain[chain].append(i)
        inside[author_id].add(i)
    for comment_id, user_id in replied.filter(comment_id__in=list(position)).values_list(
        "comment_id", "author_id"
    ):
        inside[user_id].add(position[comment_id])
    # A mention counts for the whole chain of its comment: the comment itself and its origin.
    for comment_id, origin_id, user_id in mentioned.values_list(
        "comment_id", "comment__origin_id", "user_id"
    ):
        for key in (comment_id, origin_id):
            inside[user_id].update(in_chain.get(key, ()))
    chosen = defaultdict(list)
    for user_id in user_ids:
        for i in sorted(inside.get(user_id, ())):
            pk, _, author_id, status, team_id, last = candidates[i]
            if team_id not in teams.get(user_id, ()):
                continue
            if author_id == user_id and status == CommentStatus.ADDRESSED:
                continue  # listed to verify instead
            if (last is not None and last != user_id) or (last is None and author_id != user_id):
                chosen[user_id].append(pk)
                if len(chosen[user_id]) == WAITING_LIMIT:
                    break
    if not chosen:
        return {}
    comments = (
        _threads()
        .annotate(
            last_reply_by=Subquery(latest.values("author_id")[:1]),
            last_reply_by_name=Subquery(latest.values("author__display_name")[:1]),
            last_reply_by_email=Subquery(latest.values("author__email")[:1]),
        )
        .in_bulk({pk for pks in chosen.values() for pk in pks})
    )
    return {user_id: [comments[pk] for pk in pks] for user_id, pks in chosen.items()}


def _thread_items(to_verify: list, waiting: list) -> list[WaitingItem]:
    from reviews.dashboard import thread_url

    items = [
        WaitingItem(
            kind="thread",
            title=_excerpt(comment.body),
            detail="Marked addressed: verify and resolve",
            initiative=comment.initiative.title,
            path=thread_url(comment),
        )
        for comment in to_verify[:WAITING_LIMIT]
    ]
    for comment in waiting[: WAITING_LIMIT - len(items)]:
        if comment.last_reply_by is not None:
            # The same fallback as User.name, without fetching the user.
            name = comment.last_reply_by_name or (comment.last_reply_by_email or "").split("@")[0]
            detail = f"{name} replied"
        else:
            detail = f"{comment.get_kind_display()} from {comment.author.name}, not answered yet"
        items.append(
            WaitingItem(
                kind="thread",
                title=_excerpt(comment.body),
                detail=detail,
                initiative=comment.initiative.title,
                path=thread_url(comment),
            )
        )
    return items


def _sessions(user_ids: list[int], teams: dict[int, set[int]]) -> dict[int, list]:
    """Upcoming and live sessions each user takes part in or facilitates; live first."""
    from reviews.dashboard import LIVE_PHASES, OPEN_PHASES
    from reviews.models import Participant, ReviewSession

    invited = Participant.objects.filter(user_id__in=user_ids, session__phase__in=OPEN_PHASES)
    sessions = list(
        ReviewSession.objects.filter(phase__in=OPEN_PHASES)
        .filter(Q(facilitator_id__in=user_ids) | Q(pk__in=invited.values("session_id")))
        .select_related("initiative")
        .annotate(
            live_rank=Case(
                When(phase__in=LIVE_PHASES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("live_rank", "starts_at", "pk")
    )
    if not sessions:
        return {}
    people = defaultdict(set)
    for session_id, user_id in invited.values_list("session_id", "user_id"):
        people[session_id].add(user_id)
    found = defaultdict(list)
    for session in sessions:
        for user_id in people[session.pk] | {session.facilitator_id}:
            if (
                user_id in teams
                and session.initiative.team_id in teams[user_id]
                and len(found[user_id]) < WAITING_LIMIT
            ):
                found[user_id].append(session)
    return found


def _session_items(user, sessions: list) -> list[WaitingItem]:
    from reviews.models import SessionPhase

    items = []
    for session in sessions:
        role = "You facilitate" if session.facilitator_id == user.pk else "You are invited"
        if session.phase == SessionPhase.READING:
            when = "reading now"
        elif session.phase == SessionPhase.DISCUSSION:
            when = "discussion now"
        else:
            when = session.starts_at.astimezone(user.tzinfo).strftime("%a %d %b, %H:%M")
        items.append(
            WaitingItem(
                kind="session",
                title=session.title,
                detail=f"{role} · {when}",
                initiative=session.initiative.title,
                path=reverse("session_detail", args=[session.pk]),
            )
        )
    return items


def _action_items(user_ids: list[int]) -> dict[int, list]:
    """Each user's open action items, most urgent first (the model's order)."""
    from reviews.models import ActionItem

    rows = (
        ActionItem.objects.filter(owner_id__in=user_ids, done_at__isnull=True)
        .filter(_member("owner_id"))
        .select_related("initiative")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    found = defaultdict(list)
    for item in _first_per_user(rows, "owner_id"):
        found[item.owner_id].append(item)
    return found


def _action_item_items(user, action_items: list, now: datetime) -> list[WaitingItem]:
    today = now.astimezone(user.tzinfo).date()
    items = []
    for item in action_items:
        if item.session_id:
            path = reverse("session_detail", args=[item.session_id])
        else:
            path = reverse("initiative_detail", args=[item.initiative_id])
        overdue = item.due_on is not None and item.due_on < today
        if item.due_on is None:
            detail = "No due date"
        elif overdue:
            detail = f"Overdue since {item.due_on:%a %d %b}"
        else:
            detail = f"Due {item.due_on:%a %d %b}"
        items.append(
            WaitingItem(
                kind="action_item",
                title=item.title,
                detail=detail,
                initiative=item.initiative.title,
                path=path,
                overdue=overdue,
            )
        )
    return items


def waiting_for(users: Iterable, *, now: datetime, teams=None) -> dict[int, Waiting]:
    """{user id: what waits on them}, for any number of users in nine queries at most.

    ``teams``: ``teams_of`` the users, when the caller has it already (one query
    less). "Overdue" and session times are in each user's own time zone.
    """
    users = list(users)
    if not users:
        return {}
    user_ids = [user.pk for user in users]
    if teams is None:
        teams = teams_of(user_ids)
    to_verify = _to_verify(user_ids)
    threads = _threads_waiting(user_ids, teams)
    sessions = _sessions(user_ids, teams)
    action_items = _action_items(user_ids)
    return {
        user.pk: Waiting(
            threads=_thread_items(to_verify.get(user.pk, []), threads.get(user.pk, [])),
            sessions=_session_items(user, sessions.get(user.pk, [])),
            action_items=_action_item_items(user, action_items.get(user.pk, []), now),
        )
        for user in users
    }
