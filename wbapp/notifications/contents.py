"""What a notification e-mail says, worked out for a whole batch of e-mails at once.

A digest run sends thousands of e-mails, and most of what they say is shared:
the followers of an initiative hear of the same events. So a batch reads its
notifications as a stream of small tuples (never whole rows), keeps per
initiative only the lines an e-mail shows, and fetches and describes each of
those activities once for every recipient who sees it (``Lines``). The queries
are the same few for one e-mail or five hundred, for ten events or ten thousand.

A digest opens with what is waiting on its recipient: ``reviews.waiting``'s lists,
the ones "My reviews" shows (Andon cords pulled on initiatives they follow, with
who pulled them and why, first), read for the whole batch and said in the e-mail's
words here.
"""

from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import datetime
from itertools import groupby, islice
from operator import itemgetter

from django.conf import settings
from django.urls import reverse

from reviews.mentions import plain_text
from reviews.models import SessionPhase
from reviews.waiting import cords_for, waiting_for
from wbapp.accounts.models import Membership, User
from wbapp.activity.models import (
    PERSONAL_REASONS,
    Activity,
    DeliveryKind,
    DigestDelivery,
    Notification,
    Reason,
)

from .coalescing import summary
from .lines import ActivityLine, describe, excerpts_for

# Lines shown per initiative; the rest are counted ("and 12 more") and linked.
LINES_PER_GROUP = 8
# Notification tuples fetched per round trip while streaming a batch.
STREAM_CHUNK = 5000
# Lines kept for reuse in one run (about a kilobyte each).
MAX_LINES = 50_000
# Rows per "waiting on you" list in an e-mail; the page behind each link has the rest.
WAITING_LIMIT = 10

REASON_LABELS = dict(Reason.choices)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path if path else ""


@dataclass
class Item:
    line: ActivityLine
    url: str
    reason: str
    personal: bool
    # What a folded notification adds ("3 new messages in this thread").
    summary: str = ""
    # Local time of the event, filled in by the e-mail for its recipient.
    when: str = ""


@dataclass
class Group:
    title: str
    url: str
    items: list[Item] = field(default_factory=list)
    more: int = 0

    @property
    def count(self) -> int:
        return len(self.items) + self.more

    @property
    def path(self) -> str:
        """The group's page on this site (``url`` is absolute, for e-mail)."""
        return self.url.removeprefix(settings.SITE_URL.rstrip("/")) or "/"

    @property
    def has_personal(self) -> bool:
        return any(item.personal for item in self.items)


@dataclass
class Content:
    user: User
    delivery: DigestDelivery
    groups: list[Group]
    waiting: "WaitingSection"
    item_count: int

    @property
    def initiative_count(self) -> int:
        return len(self.groups)


# --- Waiting on you, in the e-mail's words ---------------------------------------------------


@dataclass(frozen=True)
class WaitingItem:
    kind: str  # "cord", "thread", "session", "action_item"
    title: str
    detail: str
    initiative: str
    path: str
    overdue: bool = False


@dataclass(frozen=True)
class WaitingSection:
    cords: list[WaitingItem] = field(default_factory=list)
    threads: list[WaitingItem] = field(default_factory=list)
    sessions: list[WaitingItem] = field(default_factory=list)
    action_items: list[WaitingItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cords or self.threads or self.sessions or self.action_items)


def _excerpt(text: str, limit: int = 120) -> str:
    """A comment's text as people read it ("@Name" for a chosen name), on one short line."""
    text = " ".join(plain_text(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cord_items(user, pulls: list) -> list[WaitingItem]:
    """Who pulled the cord and when (in the user's zone); the title is why."""
    return [
        WaitingItem(
            kind="cord",
            title=_excerpt(pull.reason, 200),
            detail=(
                f"Andon cord pulled by {pull.pulled_by.name},"
                f" {pull.pulled_at.astimezone(user.tzinfo):%a %d %b, %H:%M}"
            ),
            initiative=pull.initiative.title,
            path=reverse("initiative_detail", args=[pull.initiative_id]),
        )
        for pull in pulls
    ]


def _thread_items(to_verify: list, waiting: list) -> list[WaitingItem]:
    """Comments to verify first, then threads awaiting a reply: WAITING_LIMIT together."""
    items = [
        WaitingItem(
            kind="thread",
            title=_excerpt(comment.body),
            detail="Marked addressed: verify and resolve",
            initiative=comment.initiative.title,
            path=comment.thread_url,
        )
        for comment in to_verify[:WAITING_LIMIT]
    ]
    for comment in waiting[: WAITING_LIMIT - len(items)]:
        if comment.last_reply_by is not None:
            detail = f"{comment.last_reply_by_label} replied"
        else:
            detail = f"{comment.get_kind_display()} from {comment.author.name}, not answered yet"
        items.append(
            WaitingItem(
                kind="thread",
                title=_excerpt(comment.body),
                detail=detail,
                initiative=comment.initiative.title,
                path=comment.thread_url,
            )
        )
    return items


def _session_items(user, sessions: list) -> list[WaitingItem]:
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


def waiting_sections(users, *, now: datetime) -> dict[int, WaitingSection]:
    """{user id: the "Waiting on you" section of their digest}, in five or six queries.

    "Overdue", session times and when a cord was pulled are in each user's own time zone.
    """
    users = list(users)
    if not users:
        return {}
    waiting = waiting_for(users, limit=WAITING_LIMIT)
    cords = cords_for(users, limit=WAITING_LIMIT)
    return {
        user.pk: WaitingSection(
            cords=_cord_items(user, cords.get(user.pk, [])),
            threads=_thread_items(waiting[user.pk].to_verify, waiting[user.pk].threads),
            sessions=_session_items(user, waiting[user.pk].sessions),
            action_items=_action_item_items(user, waiting[user.pk].action_items, now),
        )
        for user in users
    }


def teams_of(user_ids: list[int]) -> dict[int, dict[int, datetime]]:
    """{user id: {each team they belong to now: when they joined it}}."""
    teams: dict[int, dict[int, datetime]] = defaultdict(dict)
    for user_id, team_id, joined_at in Membership.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "team_id", "joined_at"
    ):
        teams[user_id][team_id] = joined_at
    return teams


# --- One batch of e-mails ------------------------------------------------------------------


@dataclass
class _Shortlist:
    """One initiative's notifications, fed in time order.

    Keeps what is addressed to the user (the first LINES_PER_GROUP) and the newest
    of the rest, enough to fill the group; everything else is only counted.
    """

    count: int = 0
    personal: list = field(default_factory=list)
    others: deque = field(default_factory=lambda: deque(maxlen=LINES_PER_GROUP))

    def add(self, row: tuple) -> None:
        self.count += 1
        if row[2] in PERSONAL_REASONS:
            if len(self.personal) < LINES_PER_GROUP:
                self.personal.append(row)
        else:
            self.others.append(row)

    def shown(self) -> list[tuple]:
        room = LINES_PER_GROUP - len(self.personal)
        others = list(self.others)[-room:] if room else []
        return sorted(self.personal + others, key=itemgetter(0))


def _group_key(initiative_id: int | None, team_id: int) -> int:
    """An initiative's id, or minus the team's for what happened to the team itself."""
    return initiative_id or -team_id


class Lines:
    """Each activity fetched and described once, however many e-mails show it.

    One per digest run (or per batch): the followers of an initiative see the
    same newest lines, in whichever chunk they come. Bounded: past MAX_LINES the
    oldest half is forgotten.
    """

    def __init__(self):
        self.lines: dict[int, tuple[ActivityLine, str]] = {}
        self.groups: dict[int, tuple[str, str]] = {}

    def describe(self, activity_ids: set[int]) -> None:
        """Describe the activities not described yet (an activity query, 0–2 excerpt queries)."""
        missing = activity_ids - self.lines.keys()
        if not missing:
            return
        if len(self.lines) + len(missing) > MAX_LINES:
            # Dicts keep insertion order: the first keys are the oldest.
            for pk in list(islice(self.lines, len(self.lines) // 2)):
                del self.lines[pk]
            missing = activity_ids - self.lines.keys()
        activities = Activity.objects.select_related("actor", "initiative", "team").in_bulk(missing)
        excerpts = excerpts_for(activities.values())
        for pk, activity in activities.items():
            line = describe(activity, excerpts)
            self.lines[pk] = (line, absolute(line.path))
            key = _group_key(activity.initiative_id, activity.team_id)
            if key not in self.groups:
                if activity.initiative_id:
                    title = activity.initiative.title
                    url = reverse("initiative_detail", args=[activity.initiative_id])
                else:
                    title = activity.team.name
                    url = reverse("team_board", args=[activity.team.slug])
                self.groups[key] = (title, absolute(url))


# What ``_shortlisted`` reads of each notification, in its order.
_ROW_FIELDS = (
    "delivery_id",
    "activity_id",
    "reason",
    "read_at",
    "activity__initiative_id",
    "activity__team_id",
    "activity__created_at",
    "count",
    "topic",
)


def _shortlists(
    deliveries: dict[int, DigestDelivery], teams: dict[int, dict[int, datetime]]
) -> dict[int, dict[int, _Shortlist]]:
    """{delivery id: {group key: shortlist}} from one streamed query.

    Notifications of teams the user has left since, or of what happened there
    before they (re)joined, are dropped (``teams``: the recipients' current teams
    and when they joined), and an immediate e-mail leaves out what the user has
    already read in the app.
    """
    rows = (
        Notification.objects.filter(delivery_id__in=list(deliveries))
        .order_by("delivery_id", "activity__created_at", "pk")
        .values_list(*_ROW_FIELDS)
    )
    found = {}
    stream = rows.iterator(chunk_size=STREAM_CHUNK)
    for delivery_id, of_delivery in groupby(stream, key=itemgetter(0)):
        groups = _shortlisted(
            of_delivery,
            member_of=teams.get(deliveries[delivery_id].user_id, {}),
            immediate=deliveries[delivery_id].kind == DeliveryKind.IMMEDIATE,
        )
        if groups:
            found[delivery_id] = groups
    return found


def _shortlisted(rows, *, member_of, immediate: bool) -> dict[int, _Shortlist]:
    """One e-mail's notification rows, in time order, as {group key: shortlist}."""
    groups: dict[int, _Shortlist] = {}
    for seq, (
        _, activity_id, reason, read_at, initiative_id, team_id, created_at, count, topic,
    ) in enumerate(rows):  # fmt: skip
        joined_at = member_of.get(team_id)
        if joined_at is None or created_at < joined_at or (immediate and read_at is not None):
            continue
        key = _group_key(initiative_id, team_id)
        shortlist = groups.get(key)
        if shortlist is None:
            shortlist = groups[key] = _Shortlist()
        shortlist.add((seq, activity_id, reason, summary(topic, count)))
    return groups


def _groups(groups_of: dict[int, _Shortlist], lines: Lines) -> list[Group]:
    """An e-mail's groups, from its shortlists and the described lines; personal ones first."""
    groups = []
    for key, shortlist in groups_of.items():
        # An activity deleted since it was streamed takes its notification with it.
        shown = [row for row in shortlist.shown() if row[1] in lines.lines]
        if not shown:
            continue
        title, url = lines.groups[key]
        group = Group(title=title, url=url, more=shortlist.count - len(shown))
        for _, activity_id, reason, said in shown:
            line, link = lines.lines[activity_id]
            group.items.append(
                Item(
                    line=line,
                    url=link,
                    reason=REASON_LABELS.get(reason, reason),
                    personal=reason in PERSONAL_REASONS,
                    summary=said,
                )
            )
        groups.append(group)
    return sorted(groups, key=lambda g: (not g.has_personal, -g.count, g.title))


def _lines_shown(shortlists, lines: Lines) -> None:
    lines.describe(
        {
            row[1]
            for groups in shortlists.values()
            for shortlist in groups.values()
            for row in shortlist.shown()
        }
    )


def preview_content(user, *, kind: str, email_floor: int, now: datetime) -> Content:
    """What the user's next digest would say if it went out now.

    Read as the digest reads it: the notifications no e-mail has covered yet
    (above the floor set while e-mail was off), of the teams the user belongs to
    now, and what waits on them. Nothing is claimed. Only what the user's own
    digest would show: a silent read's comments have no activity before the reveal,
    and the waiting lists show revealed threads only.
    """
    rows = (
        Notification.objects.filter(user=user, delivery__isnull=True, pk__gt=email_floor)
        .order_by("activity__created_at", "pk")
        .values_list(*_ROW_FIELDS)
    )
    member_of = teams_of([user.pk]).get(user.pk, {})
    shortlists = {
        user.pk: _shortlisted(
            rows.iterator(chunk_size=STREAM_CHUNK), member_of=member_of, immediate=False
        )
    }
    lines = Lines()
    _lines_shown(shortlists, lines)
    return Content(
        user=user,
        delivery=DigestDelivery(user=user, kind=kind, period="preview"),
        groups=_groups(shortlists[user.pk], lines),
        waiting=waiting_sections([user], now=now)[user.pk],
        item_count=sum(shortlist.count for shortlist in shortlists[user.pk].values()),
    )


def delivery_contents(
    deliveries, *, now: datetime, lines: Lines | None = None
) -> dict[int, Content | None]:
    """{delivery id: everything its e-mail shows, or None if nothing is left to say}.

    ``deliveries`` come with their user (and preference) selected; ``lines`` holds
    the lines described so far in the run, to reuse and add to. A fixed number of
    queries: the recipients' teams; the notifications; the activities shown that
    are not described yet, and their comment and reply excerpts; and for the
    digests what is waiting on their recipients.
    """
    deliveries = {delivery.pk: delivery for delivery in deliveries}
    if not deliveries:
        return {}
    if lines is None:
        lines = Lines()
    teams = teams_of([delivery.user_id for delivery in deliveries.values()])
    shortlists = _shortlists(deliveries, teams)
    _lines_shown(shortlists, lines)
    digests = [
        delivery.user
        for pk, delivery in deliveries.items()
        if pk in shortlists and delivery.kind != DeliveryKind.IMMEDIATE
    ]
    waiting = waiting_sections(digests, now=now)
    contents: dict[int, Content | None] = dict.fromkeys(deliveries)
    for pk, groups_of in shortlists.items():
        delivery = deliveries[pk]
        contents[pk] = Content(
            user=delivery.user,
            delivery=delivery,
            groups=_groups(groups_of, lines),
            waiting=waiting.get(delivery.user_id, WaitingSection()),
            item_count=sum(shortlist.count for shortlist in groups_of.values()),
        )
    return contents
