"""What is waiting on people: the one rule behind "My reviews" and the digests' "Waiting on you".

Four lists per user, each read for any number of users in ONE query (and, for the
digests, a fifth: ``cords_for``, the "My reviews" page's Andon cords):

- sessions they take part in or facilitate that are upcoming or live, live ones first;
- their own comments an author marked addressed (to verify and resolve), newest first;
- threads they are in (wrote, replied to, or were mentioned in any copy of its chain
  of carried copies) whose latest word is someone else's, latest reply first;
- their open action items, most urgent first.

"My reviews" asks for one user (``dashboard.py``); a digest asks for a chunk of
recipients at once (``wbapp.notifications.contents``), and pays the same four
queries, planned once, for the whole chunk. A row counts for a user only through a
team they belong to now, and only revealed comments are listed (no comment of a
silent read still in progress), as the ``visible_to`` rules say. A thread carried
forward appears once: only its newest copy is listed.
"""

import copy
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse

from documents.models import Initiative
from wbapp.accounts.models import Membership
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

OPEN_PHASES = (SessionPhase.SCHEDULED, SessionPhase.READING, SessionPhase.DISCUSSION)
LIVE_PHASES = (SessionPhase.READING, SessionPhase.DISCUSSION)


@dataclass
class Waiting:
    """What waits on one user; each list in its order, at most the limit asked for."""

    sessions: list[ReviewSession] = field(default_factory=list)
    to_verify: list[Comment] = field(default_factory=list)
    threads: list[Comment] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.sessions or self.to_verify or self.threads or self.action_items)


def thread_url(comment: Comment) -> str:
    """Where a listed thread is shown (needs the ``document_id``/``number`` annotations)."""
    if comment.session_id is not None:
        return reverse("session_detail", args=[comment.session_id]) + f"#comment-{comment.pk}"
    url = reverse(
        "iteration_detail", args=[comment.initiative_id, comment.document_id, comment.number]
    )
    return f"{url}#comment-{comment.pk}"


def _ids(users: Iterable) -> list[int]:
    return [user.pk for user in users if user is not None and user.is_authenticated]


def _member(user_field: str) -> Exists:
    """The row's ``user_field`` is a member of its initiative's team now."""
    return Exists(
        Membership.objects.filter(
            team_id=OuterRef("initiative__team_id"), user_id=OuterRef(user_field)
        )
    )


def _first_per_user(rows: QuerySet, user_field: str, limit: int | None) -> QuerySet:
    """Number the rows per user in the queryset's order, keeping the first ``limit``."""
    if limit is None:
        return rows
    ranked = rows.annotate(
        rank=Window(RowNumber(), partition_by=[F(user_field)], order_by=rows.query.order_by)
    )
    return ranked.filter(rank__lte=limit)


def _revealed_threads() -> QuerySet:
    """The newest copy of every revealed thread, with where it lives."""
    return (
        Comment.objects.filter(Q(session__isnull=True) | Q(session__phase__in=REVEALED_PHASES))
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


def sessions_for(users: Iterable, *, limit: int) -> dict[int, list[ReviewSession]]:
    """{user id: upcoming and live sessions they take part in or facilitate}, live first.

    Each session comes with ``iteration_number`` and the user's own ``my_role``
    (None for a facilitator who is not also a participant). The query joins each
    session to its invitations of these users: one row per session and invitee.
    """
    user_ids = _ids(users)
    if not user_ids:
        return {}
    facilitating = Q(facilitator_id__in=user_ids) & _member("facilitator_id")
    rows = (
        ReviewSession.objects.filter(phase__in=OPEN_PHASES)
        .annotate(
            invitation=FilteredRelation(
                "participants", condition=Q(participants__user_id__in=user_ids)
            )
        )
        .annotate(invitee=F("invitation__user_id"), invitee_role=F("invitation__role"))
        .annotate(
            invitee_counts=_member("invitee"),
            facilitator_counts=ExpressionWrapper(facilitating, output_field=BooleanField()),
            iteration_number=F("revision__number"),
            live_rank=Case(
                When(phase__in=LIVE_PHASES, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
        )
        .filter(Q(invitee_counts=True) | Q(facilitator_counts=True))
        .select_related("initiative", "document")
        .order_by("live_rank", "starts_at", "pk")
    )
    found = defaultdict(list)
    for _, of_session in groupby(rows, key=attrgetter("pk")):
        of_session = list(of_session)
        session = of_session[0]
        roles = {row.invitee: row.invitee_role for row in of_session if row.invitee_counts}
        people = set(roles) | ({session.facilitator_id} if session.facilitator_counts else set())
        for user_id in people:
            if len(found[user_id]) < limit:
                # One copy per user: a session two recipients share has a role for each.
                mine = copy.copy(session)
                mine.my_role = roles.get(user_id)
                found[user_id].append(mine)
    return found


def to_verify_for(users: Iterable, *, limit: int) -> dict[int, list[Comment]]:
    """{user id: their own comments an author marked addressed}, newest first."""
    user_ids = _ids(users)
    if not user_ids:
        return {}
    rows = (
        _revealed_threads()
        .filter(author_id__in=user_ids, status=CommentStatus.ADDRESSED)
        .filter(_member("author_id"))
        .order_by("-addressed_at", "-pk")
    )
    found = defaultdict(list)
    for comment in _with_urls(list(_first_per_user(rows, "author_id", limit))):
        found[comment.author_id].append(comment)
    return found


def threads_waiting_for(users: Iterable, *, limit: int) -> dict[int, list[Comment]]:
    """{user id: unresolved threads they are in whose latest word is someone else's}.

    One query returns every thread waiting on at least one of the users; for
    several users, one more says who of them is in which (``_people_in``). A
    user's own comment marked addressed is listed to verify instead. Each thread
    comes with ``thread_url`` and its last reply's author (``last_reply_by``,
    ``last_reply_by_label``, ``last_reply_at``).
    """
    user_ids = _ids(users)
    if not user_ids:
        return {}
    latest = Reply.objects.filter(comment=OuterRef("pk")).order_by("-created_at", "-pk")
    team = OuterRef("initiative__team_id")
    # A carried thread is a chain of copies sharing ``origin`` (the first has none); a
    # mention in any copy, or in a reply to it, puts the user in the thread.
    chain = Coalesce(OuterRef("origin_id"), OuterRef("pk"), output_field=BigIntegerField())
    involving = Mention.objects.filter(user_id__in=user_ids)
    threads = list(
        _revealed_threads()
        .exclude(status=CommentStatus.RESOLVED)
        .annotate(
            chain=Coalesce("origin_id", "pk", output_field=BigIntegerField()),
            last_reply_by=Subquery(latest.values("author_id")[:1]),
            last_reply_at=Subquery(latest.values("created_at")[:1]),
            last_reply_by_name=Subquery(latest.values("author__display_name")[:1]),
            last_reply_by_email=Subquery(latest.values("author__email")[:1]),
            # Whose word is the latest: the last reply's author, else the comment's.
            last_word=Coalesce("last_reply_by", "author_id", output_field=BigIntegerField()),
            author_counts=_member("author_id"),
        )
        # The threads the users are in (read through the indexes on authors,
        # repliers and mentions)...
        .filter(
            Q(author_id__in=user_ids)
            | Q(pk__in=Reply.objects.filter(author_id__in=user_ids).values("comment_id"))
            | Q(chain__in=involving.values("comment_id"))
            | Q(chain__in=involving.filter(comment__origin__isnull=False).values("comment__origin"))
        )
        # ...of which those waiting on one of them: someone in it, a member of its
        # team, has not had the latest word.
        .filter(
            (Q(author_id__in=user_ids, author_counts=True) & ~Q(last_word=F("author_id")))
            | Exists(
                Reply.objects.filter(
                    comment=OuterRef("pk"),
                    author_id__in=user_ids,
                    author__memberships__team_id=team,
                ).exclude(author_id=OuterRef("last_word"))
            )
            | Exists(
                Mention.objects.filter(
                    Q(comment_id=chain) | Q(comment__origin_id=chain),
                    user_id__in=user_ids,
                    user__memberships__team_id=team,
                ).exclude(user_id=OuterRef("last_word"))
            )
        )
        .order_by(F("last_reply_at").desc(nulls_last=True), "-created_at", "-pk")
    )
    if len(user_ids) == 1:
        # Every thread returned is one this user is in: nobody else to tell apart.
        people = {thread.pk: set(user_ids) for thread in threads}
    else:
        people = _people_in(threads, user_ids)
    found = defaultdict(list)
    for comment in _with_urls(threads):
        for user_id in people.get(comment.pk, set()) - {comment.last_word}:
            if user_id == comment.author_id and comment.status == CommentStatus.ADDRESSED:
                continue  # listed to verify instead
            if len(found[user_id]) < limit:
                found[user_id].append(comment)
    return found


def _people_in(threads: list[Comment], user_ids: list[int]) -> dict[int, set[int]]:
    """{thread id: who of ``user_ids`` is in it, as a member of its team}, in one query.

    The author (``author_counts``), whoever replied to this copy, whoever was
    mentioned in any copy of its chain.
    """
    if not threads:
        return {}
    wanted = set(user_ids)
    people = {
        thread.pk: {thread.author_id} & wanted if thread.author_counts else set()
        for thread in threads
    }
    by_chain = defaultdict(list)
    for thread in threads:
        by_chain[thread.chain].append(thread.pk)
    team = F("comment__initiative__team_id")
    replied = (
        Reply.objects.filter(comment_id__in=list(people), author_id__in=user_ids)
        .filter(author__memberships__team_id=team)
        .annotate(kind=Value("reply"), key=F("comment_id"))
        .order_by()
        .values_list("kind", "key", "author_id")
    )
    mentioned = (
        Mention.objects.filter(
            Q(comment_id__in=list(by_chain)) | Q(comment__origin_id__in=list(by_chain))
        )
        .filter(user_id__in=user_ids, user__memberships__team_id=team)
        .annotate(
            kind=Value("mention"),
            key=Coalesce("comment__origin_id", "comment_id", output_field=BigIntegerField()),
        )
        .order_by()
        .values_list("kind", "key", "user_id")
    )
    for kind, key, user_id in replied.union(mentioned, all=True):
        for pk in [key] if kind == "reply" else by_chain.get(key, ()):
            people[pk].add(user_id)
    return people


def action_items_for(users: Iterable, *, limit: int | None) -> dict[int, list[ActionItem]]:
    """{user id: their open action items}, most urgent first (the model's order)."""
    user_ids = _ids(users)
    if not user_ids:
        return {}
    rows = (
        ActionItem.objects.filter(owner_id__in=user_ids, done_at__isnull=True)
        .filter(_member("owner_id"))
        .select_related("initiative", "session", "owner")
        .order_by(F("due_on").asc(nulls_last=True), "pk")
    )
    found = defaultdict(list)
    for item in _first_per_user(rows, "owner_id", limit):
        found[item.owner_id].append(item)
    return found


def waiting_for(users: Iterable, *, limit: int) -> dict[int, Waiting]:
    """{user id: what waits on them}, for one user or many, in four queries."""
    users = list(users)
    sessions = sessions_for(users, limit=limit)
    to_verify = to_verify_for(users, limit=limit)
    threads = threads_waiting_for(users, limit=limit)
    action_items = action_items_for(users, limit=limit)
    return {
        user.pk: Waiting(
            sessions=sessions.get(user.pk, []),
            to_verify=to_verify.get(user.pk, []),
            threads=threads.get(user.pk, []),
            action_items=action_items.get(user.pk, []),
        )
        for user in users
    }


def cords_for(users: Iterable, *, limit: int) -> dict[int, list[AndonPull]]:
    """{user id: active Andon cords on initiatives they follow}, newest pull first.

    The rule of the "My reviews" page (``dashboard.cords_on_followed``), for many
    users: a member of the initiative's team now who follows it explicitly, or as
    its owner, a commenter or a session participant, and has not muted it. One
    query finds the active pulls in the users' teams (there are few); when there are
    any, one more says who of the users follows each pulled initiative. Each pull
    comes with its initiative and who pulled it.
    """
    user_ids = _ids(users)
    if not user_ids:
        return {}
    in_teams = Membership.objects.filter(
        team_id=OuterRef("initiative__team_id"), user_id__in=user_ids
    )
    pulls = list(
        AndonPull.objects.active()
        .filter(Exists(in_teams))
        .select_related("initiative", "pulled_by")
        .order_by("-pulled_at", "-pk")
    )
    if not pulls:
        return {}
    initiatives = {pull.initiative_id: pull.initiative for pull in pulls}
    ids = list(initiatives)

    def rows(queryset, kind: str, initiative: str, user: str):
        return (
            queryset.annotate(rule=Value(kind), of=F(initiative), who=F(user))
            .order_by()
            .values_list("rule", "of", "who")
        )

    teams = {initiative.team_id for initiative in initiatives.values()}
    found = rows(
        Membership.objects.filter(team_id__in=teams, user_id__in=user_ids),
        "member",
        "team_id",
        "user_id",
    ).union(
        rows(
            Initiative.followers.through.objects.filter(
                initiative_id__in=ids, user_id__in=user_ids
            ),
            "follows",
            "initiative_id",
            "user_id",
        ),
        rows(
            Comment.objects.filter(initiative_id__in=ids, author_id__in=user_ids),
            "follows",
            "initiative_id",
            "author_id",
        ),
        rows(
            Participant.objects.filter(session__initiative_id__in=ids, user_id__in=user_ids),
            "follows",
            "session__initiative_id",
            "user_id",
        ),
        rows(
            InitiativeMute.objects.filter(initiative_id__in=ids, user_id__in=user_ids),
            "muted",
            "initiative_id",
            "user_id",
        ),
    )
    members, follows, muted = defaultdict(set), defaultdict(set), defaultdict(set)
    for kind, of, who in found:
        {"member": members, "follows": follows, "muted": muted}[kind][of].add(who)
    for pk, initiative in initiatives.items():
        follows[pk].add(initiative.owner_id)
    cords = defaultdict(list)
    for pull in pulls:
        team = pull.initiative.team_id
        for user_id in sorted(follows[pull.initiative_id] & members[team]):
            if user_id not in muted[pull.initiative_id] and len(cords[user_id]) < limit:
                cords[user_id].append(pull)
    return cords
