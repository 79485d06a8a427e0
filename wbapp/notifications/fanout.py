"""From an activity to the inboxes of the people it concerns (the outbox pattern).

Every Activity row is inserted with ``fanned_out=False``, whoever inserts it:
``activity_record`` or a bulk insert such as the reveal of a silent read's
comments. ``fan_out_pending`` then writes one Notification per recipient and
flips the flag, in its own transaction, right after the writer's commit (a task
enqueued by name by ``activity_record`` once the change commits; in-process
without Redis) and again from a one-minute sweep for anything a lost task left behind.

Why not inside the writer's transaction: the writers' query budgets and lock
times stay as they are, bulk inserts are covered without touching their code,
and one fan-out handles a whole batch (a reveal of 300 comments) in the same
dozen queries as a single event. The flag makes it durable: a crash between the
commit and the fan-out delays notifications, it never loses them.

Who hears about an activity:

- personal recipients named by the payload (the people invited to a session,
  the owner of an action item, the author of the thread replied to, the people
  mentioned, the member whose role changed, whoever pulled a cord being reset)
  and the participants of the session it is about — even on an initiative they
  muted;
- the followers of its initiative: explicit followers (``Initiative.followers``)
  and, by default, its owner, everyone who commented on it and everyone invited
  to one of its sessions — unless they muted it;
- only current members of the activity's team who had joined it when it
  happened (a newcomer is not told the team's backlog), and never its actor.

A recipient's notifications about one thread, session or iteration fold into
one while unread (coalescing.py): the fan-out writes the folded row.

Immediate e-mails: a notification opens its recipient's two-minute batch window,
except one about a session that is live (reading or discussion) for one of its
participants or its facilitator: they are in the room, and the session's page
tells them as it happens. What it says waits, in the inbox, for the next e-mail
(the decision opens one when the session closes), which tells the session once.
"""

from collections import defaultdict
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from documents.models import Initiative
from reviews.models import Comment, Participant, Reply, ReviewSession, SessionPhase
from wbapp import jobs
from wbapp.accounts.models import Membership
from wbapp.activity.models import (
    PERSONAL_REASONS,
    Activity,
    Frequency,
    InitiativeMute,
    Notification,
    NotificationPreference,
    Reason,
)

from .coalescing import SESSION_VERBS, topic_of
from .inbox import forget_unread_counts

# Activities fanned out per transaction.
FAN_OUT_BATCH = 500
# A burst of events within this window is one immediate e-mail.
IMMEDIATE_WINDOW = timedelta(minutes=2)
# A batch window open longer than this lost its task; the next event opens a new one.
STALE_WINDOW = timedelta(minutes=10)

# The order of precedence when one person has several reasons to hear of one event.
REASON_RANK = {reason: rank for rank, reason in enumerate(Reason.values)}

LIVE_PHASES = frozenset({SessionPhase.READING, SessionPhase.DISCUSSION})

# Verbs that only their personal recipients hear of (the comment itself already
# reached the followers through its own "comment_added").
PERSONAL_ONLY_VERBS = frozenset({"mentioned"})


def _ids(value) -> list[int]:
    if isinstance(value, int) and not isinstance(value, bool):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def _personal_from_payload(activity: Activity) -> list[tuple[int, str]]:
    """(user id, reason) pairs the payload names, without any query."""
    p = activity.payload
    verb = activity.verb
    pairs: list[tuple[int, str]] = []
    pairs += [(uid, Reason.MENTION) for uid in _ids(p.get("mentioned_ids"))]
    pairs += [(uid, Reason.MENTION) for uid in _ids(p.get("mentioned_id"))]
    if verb in ("reply_added", "comment_addressed"):
        pairs += [(uid, Reason.THREAD) for uid in _ids(p.get("comment_author_id"))]
    if verb == "action_item_assigned":
        pairs += [(uid, Reason.ASSIGNED) for uid in _ids(p.get("owner_id"))]
    if verb == "session_scheduled":
        pairs += [(uid, Reason.INVITED) for uid in _ids(p.get("participant_ids"))]
        pairs += [(uid, Reason.INVITED) for uid in _ids(p.get("facilitator_id"))]
    if verb == "session_rescheduled":
        pairs += [(uid, Reason.INVITED) for uid in _ids(p.get("invited_ids"))]
    if verb == "andon_reset":
        pairs += [(uid, Reason.CORD) for uid in _ids(p.get("pulled_by_id"))]
    if verb == "role_changed":
        pairs += [(uid, Reason.ROLE) for uid in _ids(p.get("member_id"))]
    return pairs


class _Context:
    """Who relates to the initiatives, sessions and threads of one batch (fixed queries)."""

    def __init__(self, activities: list[Activity]):
        initiative_ids = {a.initiative_id for a in activities if a.initiative_id}
        team_ids = {a.team_id for a in activities}
        thread_ids = {
            a.payload["comment_id"]
            for a in activities
            if a.verb == "reply_added" and isinstance(a.payload.get("comment_id"), int)
        }
        self.followers: dict[int, dict[int, str]] = defaultdict(dict)
        self.session_people: dict[int, set[int]] = defaultdict(set)
        self.muted: set[tuple[int, int]] = set()
        self.thread_people: dict[int, set[int]] = defaultdict(set)
        self.live_sessions: set[int] = set()

        def follow(initiative_id, user_id, reason):
            known = self.followers[initiative_id].get(user_id)
            if known is None or REASON_RANK[reason] < REASON_RANK[known]:
                self.followers[initiative_id][user_id] = reason

        if initiative_ids:
            through = Initiative.followers.through
            for initiative_id, user_id in through.objects.filter(
                initiative_id__in=initiative_ids
            ).values_list("initiative_id", "user_id"):
                follow(initiative_id, user_id, Reason.FOLLOWER)
            for initiative_id, owner_id in Initiative.objects.filter(
                pk__in=initiative_ids
            ).values_list("pk", "owner_id"):
                follow(initiative_id, owner_id, Reason.OWNER)
            for initiative_id, author_id in (
                Comment.objects.filter(initiative_id__in=initiative_ids)
                .order_by()
                .values_list("initiative_id", "author_id")
                .distinct()
            ):
                follow(initiative_id, author_id, Reason.COMMENTER)
            # Invited to any session of the initiative: a follower by default, and a
            # personal recipient of what happens to that session.
            for initiative_id, session_id, user_id in Participant.objects.filter(
                session__initiative_id__in=initiative_ids
            ).values_list("session__initiative_id", "session_id", "user_id"):
                follow(initiative_id, user_id, Reason.REVIEWER)
                self.session_people[session_id].add(user_id)
            for initiative_id, session_id, user_id, phase in ReviewSession.objects.filter(
                initiative_id__in=initiative_ids
            ).values_list("initiative_id", "pk", "facilitator_id", "phase"):
                follow(initiative_id, user_id, Reason.REVIEWER)
                self.session_people[session_id].add(user_id)
                if phase in LIVE_PHASES:
                    self.live_sessions.add(session_id)
            self.muted = set(
                InitiativeMute.objects.filter(initiative_id__in=initiative_ids).values_list(
                    "initiative_id", "user_id"
                )
            )
        if thread_ids:
            for comment_id, author_id in (
                Reply.objects.filter(comment_id__in=thread_ids)
                .order_by()
                .values_list("comment_id", "author_id")
                .distinct()
            ):
                self.thread_people[comment_id].add(author_id)
        # {(team id, user id): when they joined}
        self.members: dict[tuple[int, int], object] = {
            (team_id, user_id): joined_at
            for team_id, user_id, joined_at in Membership.objects.filter(
                team_id__in=team_ids
            ).values_list("team_id", "user_id", "joined_at")
        }

    def in_the_room(self, activity: Activity, user_id: int) -> bool:
        """Whether the activity is about a live session the user takes part in."""
        session_id = activity.payload.get("session_id")
        return session_id in self.live_sessions and user_id in self.session_people[session_id]


def recipients(activity: Activity, context: _Context) -> dict[int, str]:
    """{user id: reason} for one activity of the batch ``context`` was built for."""
    found: dict[int, str] = {}

    def add(user_id, reason):
        known = found.get(user_id)
        if known is None or REASON_RANK[reason] < REASON_RANK[known]:
            found[user_id] = reason

    for user_id, reason in _personal_from_payload(activity):
        add(user_id, reason)
    p = activity.payload
    # A session's participants and facilitator hear of its steps personally.
    if activity.verb in SESSION_VERBS and isinstance(p.get("session_id"), int):
        for user_id in context.session_people.get(p["session_id"], ()):
            add(user_id, Reason.PARTICIPANT)
    if activity.verb == "reply_added" and isinstance(p.get("comment_id"), int):
        for user_id in context.thread_people.get(p["comment_id"], ()):
            add(user_id, Reason.THREAD)
    if activity.initiative_id and activity.verb not in PERSONAL_ONLY_VERBS:
        for user_id, reason in context.followers.get(activity.initiative_id, {}).items():
            add(user_id, reason)
    members = context.members
    return {
        user_id: reason
        for user_id, reason in found.items()
        if user_id != activity.actor_id
        and (activity.team_id, user_id) in members
        # What happened before they joined is the team's past, not news to them.
        and activity.created_at >= members[(activity.team_id, user_id)]
        and (reason in PERSONAL_REASONS or (activity.initiative_id, user_id) not in context.muted)
    }


def _fold(notifications: list[Notification]) -> list[Notification]:
    """One notification per recipient and topic: folded within the batch and into the
    recipient's unread row of that topic that no e-mail has covered yet (replaced).

    ``notifications`` come in activity order, so the newest activity of a topic is
    the one its row points at. Two queries at most, however many topics: the
    foldable rows (locked: a concurrent claim or read waits, then finds them
    gone) and their DELETE. Two fan-outs folding the same topic at once may each
    write a row; the next activity of the topic folds both.
    """
    loose, folded = [], {}
    for notification in notifications:
        if not notification.topic:
            loose.append(notification)
            continue
        key = (notification.user_id, notification.topic)
        known = folded.get(key)
        if known is not None:
            notification.count += known.count
            notification.reason = _stronger(notification.reason, known.reason)
        folded[key] = notification
    if folded:
        existing = (
            Notification.objects.select_for_update()
            .filter(
                user_id__in={user_id for user_id, _ in folded},
                topic__in={topic for _, topic in folded},
                read_at__isnull=True,
                delivery__isnull=True,
            )
            .exclude(topic="")
            .values_list("pk", "user_id", "topic", "count", "reason")
        )
        replaced = []
        for pk, user_id, topic, count, reason in existing:
            notification = folded.get((user_id, topic))
            if notification is not None:
                notification.count += count
                notification.reason = _stronger(notification.reason, reason)
                replaced.append(pk)
        if replaced:
            Notification.objects.filter(pk__in=replaced).delete()
    # Newest activity last, so that a folded row takes its place at the top of the inbox.
    return sorted([*loose, *folded.values()], key=lambda n: n.activity_id)


def _stronger(one: str, other: str) -> str:
    return one if REASON_RANK[one] <= REASON_RANK[other] else other


def _open_immediate_windows(user_ids: set[int], now) -> list[int]:
    """Mark the immediate-mail users without an open batch window; return them.

    Each of them gets one send task, scheduled IMMEDIATE_WINDOW after now; the
    others already have one coming, which will take these notifications too.
    """
    if not user_ids:
        return []
    opening = list(
        NotificationPreference.objects.filter(user_id__in=user_ids, frequency=Frequency.IMMEDIATE)
        .exclude(pending_since__gt=now - STALE_WINDOW)
        .values_list("user_id", flat=True)
    )
    if opening:
        NotificationPreference.objects.filter(user_id__in=opening).update(pending_since=now)
    return opening


def _schedule_immediate(user_ids: list[int]) -> None:
    for user_id in user_ids:
        jobs.send(
            "wbapp.notifications.tasks.send_immediate",
            user_id,
            countdown=IMMEDIATE_WINDOW.total_seconds(),
        )


def fan_out_pending(*, limit: int = FAN_OUT_BATCH) -> int:
    """Write the notifications of every activity not fanned out yet; return how many.

    Batches of ``limit`` activities, each in one transaction with a fixed number of
    queries. Concurrent runs skip each other's rows (FOR UPDATE SKIP LOCKED), and
    the unique (user, activity) constraint makes a repeated run harmless.
    """
    done = 0
    while True:
        now = timezone.now()
        with transaction.atomic():
            activities = list(
                Activity.objects.select_for_update(skip_locked=True)
                .filter(fanned_out=False)
                .order_by("pk")
                .only(
                    "pk", "team_id", "initiative_id", "actor_id", "verb", "payload", "created_at"
                )[:limit]
            )
            if not activities:
                break
            context = _Context(activities)
            to_write = [
                (activity, user_id, reason)
                for activity in activities
                for user_id, reason in recipients(activity, context).items()
            ]
            notifications = _fold(
                [
                    Notification(
                        user_id=user_id,
                        activity_id=activity.pk,
                        reason=reason,
                        topic=topic_of(activity),
                        created_at=now,
                    )
                    for activity, user_id, reason in to_write
                ]
            )
            Notification.objects.bulk_create(notifications, batch_size=1000, ignore_conflicts=True)
            Activity.objects.filter(pk__in=[a.pk for a in activities]).update(fanned_out=True)
            forget_unread_counts({n.user_id for n in notifications})
            opening = _open_immediate_windows(
                {
                    user_id
                    for activity, user_id, _ in to_write
                    if not context.in_the_room(activity, user_id)
                },
                now,
            )
            if opening:
                transaction.on_commit(lambda ids=opening: _schedule_immediate(ids), robust=True)
        done += len(activities)
        if len(activities) < limit:
            break
    return done
