"""The inbox's notifications read by one hand-written query on PostgreSQL, as what a row shows.

``inbox.inbox_rows`` is the ORM's query (the reference, and what SQLite runs): each
of its 51 rows made five model instances, and building the query and the instances
cost about 6 ms a page. Here the same query is written once, selects only what a
line shows (``lines.describe``), and each row becomes a small read model: an
``InboxNotification`` whose ``activity`` offers ``describe`` what it reads of an
Activity with its actor, initiative and team. tests/notifications/test_inbox_query.py
holds the two to the same notifications, fields and lines.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import connection

from wbapp.activity.models import Activity, Notification, Verb

VERB_LABELS = dict(Verb.choices)
PAYLOAD = Activity._meta.get_field("payload")


@dataclass(frozen=True)
class Actor:
    name: str  # User.name


@dataclass(frozen=True)
class TeamShown:
    name: str
    slug: str


@dataclass(frozen=True)
class InitiativeShown:
    title: str


@dataclass(frozen=True)
class ActivityShown:
    """What ``lines.describe`` reads of an Activity with its actor, initiative and team."""

    pk: int
    team_id: int
    actor_id: int | None
    initiative_id: int | None
    verb: str
    payload: dict
    created_at: datetime
    team: TeamShown
    actor: Actor | None
    initiative: InitiativeShown | None

    def get_verb_display(self) -> str:
        return str(VERB_LABELS.get(self.verb, self.verb))


@dataclass
class InboxNotification:
    """A notification as the inbox shows it; ``line`` is set by ``inbox.inbox``."""

    pk: int
    reason: str
    read_at: datetime | None
    activity: ActivityShown | Activity
    # How many activities it stands for, and what about (see coalescing.py).
    count: int = 1
    topic: str = ""
    line: object = None

    @classmethod
    def of(cls, notification: Notification) -> "InboxNotification":
        """The same from a Notification the ORM read (with its activity selected)."""
        return cls(
            pk=notification.pk,
            reason=notification.reason,
            read_at=notification.read_at,
            activity=notification.activity,
            count=notification.count,
            topic=notification.topic,
        )


_SQL = (
    "SELECT n.id, n.reason, n.read_at, n.count, n.topic, "
    "a.id, a.team_id, a.actor_id, a.initiative_id, a.verb, a.payload, a.created_at, "
    "t.name, t.slug, u.display_name, u.email, i.title "
    "FROM activity_notification n "
    "JOIN activity_activity a ON a.id = n.activity_id "
    "JOIN accounts_team t ON t.id = a.team_id "
    "LEFT JOIN accounts_user u ON u.id = a.actor_id "
    "LEFT JOIN documents_initiative i ON i.id = a.initiative_id "
    # Only teams the user still belongs to, as inbox_rows(): read first, as the few ids
    # they are, so the user's notifications are walked newest first in their index and
    # the walk stops at the limit (joined, the memberships made PostgreSQL read every
    # notification of those teams and sort them: 3-10 ms for a busy inbox).
    "WHERE n.user_id = %(user)s AND a.team_id = ANY (ARRAY("
    "SELECT m.team_id FROM accounts_membership m WHERE m.user_id = %(user)s)) {before}"
    "ORDER BY n.id DESC LIMIT %(limit)s"
)


def written_inbox(user_id: int, limit: int, before: int | None) -> list[InboxNotification]:
    """``inbox_rows(user, before=before)[:limit]`` as read models (PostgreSQL only)."""
    sql = _SQL.format(before="AND n.id < %(before)s " if before is not None else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "limit": limit, "before": before})
        rows = cursor.fetchall()
    # One actor, team and initiative for each that appears, as the rows share them.
    teams, actors, initiatives = {}, {}, {}
    notifications = []
    for (
        pk, reason, read_at, count, topic,
        activity_id, team_id, actor_id, initiative_id, verb, payload, created_at,
        team_name, slug, display_name, email, title,
    ) in rows:  # fmt: skip
        team = teams.get(team_id) or teams.setdefault(team_id, TeamShown(team_name, slug))
        actor = None
        if actor_id is not None:
            # User.name, from the two columns it reads.
            actor = actors.get(actor_id) or actors.setdefault(
                actor_id, Actor(display_name or email.split("@", 1)[0])
            )
        initiative = None
        if initiative_id is not None:
            initiative = initiatives.get(initiative_id) or initiatives.setdefault(
                initiative_id, InitiativeShown(title)
            )
        activity = ActivityShown(
            pk=activity_id,
            team_id=team_id,
            actor_id=actor_id,
            initiative_id=initiative_id,
            verb=verb,
            # Django reads jsonb as text, which the field decodes.
            payload=PAYLOAD.from_db_value(payload, None, connection),
            created_at=created_at,
            team=team,
            actor=actor,
            initiative=initiative,
        )
        notifications.append(InboxNotification(pk, reason, read_at, activity, count, topic))
    return notifications
