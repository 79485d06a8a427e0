"""The inbox: a user's notifications, their unread count in every page's header, reading them."""

import functools
from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from documents.models import Initiative
from wbapp.accounts.models import Membership, Team, User
from wbapp.activity.models import Activity, Notification
from wbapp.cache import forget_now_and_after_commit

from .lines import describe, excerpts_for

INBOX_MAX = 200

# Every page's header shows the unread count: it is kept per user and forgotten
# when a fan-out, a read or a membership changes it (forget_unread_counts). The time
# limit bounds what no service sees (notifications gone with a deleted team) and a
# page that counted while such a change was committing.
UNREAD_KEPT_SECONDS = 5 * 60


def _unread_key(user_id: int) -> str:
    return f"activity:unread:{user_id}"


def unread_count(user) -> int:
    """How many of the user's notifications are unread (one indexed COUNT when not kept)."""
    if user is None or not user.is_authenticated:
        return 0

    def count() -> int:
        # Like the inbox, only teams the user still belongs to.
        return Notification.objects.filter(
            user=user, read_at__isnull=True, activity__team__memberships__user=user
        ).count()

    return cache.get_or_set(_unread_key(user.pk), count, UNREAD_KEPT_SECONDS)


def forget_unread_counts(user_ids: Iterable[int]) -> None:
    """Count these users' unread notifications again, now and after the change commits."""
    forget_now_and_after_commit([_unread_key(user_id) for user_id in set(user_ids)])


@receiver([post_save, post_delete], sender=Membership, dispatch_uid="unread-membership")
def _membership_changed(sender, instance: Membership, **kwargs) -> None:
    # The count covers only the teams the user belongs to.
    forget_unread_counts([instance.user_id])


def inbox(user, limit: int = 50, *, before: int | None = None) -> list[Notification]:
    """The user's newest notifications, each with its ``.line``; fixed query count.

    One query for the notifications (with actor, initiative and team), and at most
    two for the comment and reply excerpts of the whole page.
    """
    if user is None or not user.is_authenticated:
        return []
    limit = max(1, min(limit, INBOX_MAX))
    if connection.vendor == "postgresql":
        notifications = _written_inbox(user.pk, limit, before)
    else:
        notifications = list(inbox_rows(user, before=before)[:limit])
    excerpts = excerpts_for([n.activity for n in notifications])
    for notification in notifications:
        notification.line = describe(notification.activity, excerpts)
    return notifications


def inbox_rows(user, *, before: int | None = None):
    """The inbox's notifications as the ORM reads them (the reference; SQLite runs it)."""
    # Only teams the user still belongs to: a former member reads no titles or excerpts.
    rows = (
        Notification.objects.filter(user=user)
        .filter(activity__team__memberships__user=user)
        .for_inbox()
    )
    if before is not None:
        rows = rows.filter(pk__lt=before)
    return rows


# inbox_rows() written once for PostgreSQL. Built by the ORM, its query and the five
# model instances of each of 51 rows cost 6 ms a page; this selects only what a line
# shows (lines.describe) and makes one actor, initiative and team instance for each
# that appears. tests/notifications/test_inbox_query.py holds it to inbox_rows().
_NOTIFICATION = ("id", "user_id", "activity_id", "reason", "created_at", "read_at")
_ACTIVITY = ("id", "team_id", "actor_id", "initiative_id", "verb", "payload", "created_at")
_INBOX_SQL = (
    "SELECT n.id, n.user_id, n.activity_id, n.reason, n.created_at, n.read_at, "
    "a.id, a.team_id, a.actor_id, a.initiative_id, a.verb, a.payload, a.created_at, "
    "t.name, t.slug, u.display_name, u.email, i.title "
    "FROM activity_notification n "
    "JOIN activity_activity a ON a.id = n.activity_id "
    "JOIN accounts_team t ON t.id = a.team_id "
    "JOIN accounts_membership m ON m.team_id = a.team_id AND m.user_id = %(user)s "
    "LEFT JOIN accounts_user u ON u.id = a.actor_id "
    "LEFT JOIN documents_initiative i ON i.id = a.initiative_id "
    "WHERE n.user_id = %(user)s {before}"
    "ORDER BY n.id DESC LIMIT %(limit)s"
)


@functools.cache
def _model_order(model, fields: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """``fields`` in the model's order (as ``from_db`` wants them), and where each was."""
    names = tuple(f.attname for f in model._meta.concrete_fields if f.attname in fields)
    return names, tuple(fields.index(name) for name in names)


def _make(model, fields: tuple[str, ...], values):
    """An instance with only ``fields`` loaded, from their ``values``."""
    names, order = _model_order(model, fields)
    return model.from_db(connection.alias, names, [values[at] for at in order])


def _written_inbox(user_id: int, limit: int, before: int | None) -> list[Notification]:
    sql = _INBOX_SQL.format(before="AND n.id < %(before)s " if before is not None else "")
    with connection.cursor() as cursor:
        cursor.execute(sql, {"user": user_id, "limit": limit, "before": before})
        rows = cursor.fetchall()
    payload = Activity._meta.get_field("payload")
    teams, actors, initiatives = {}, {}, {}
    notifications = []
    for row in rows:
        notification = _make(Notification, _NOTIFICATION, row[0:6])
        values = list(row[6:13])
        values[5] = payload.from_db_value(values[5], None, connection)
        activity = _make(Activity, _ACTIVITY, values)
        team_id, actor_id, initiative_id = values[1], values[2], values[3]
        name, slug, display_name, email, title = row[13:]
        if team_id not in teams:
            teams[team_id] = _make(Team, ("id", "name", "slug"), (team_id, name, slug))
        activity.team = teams[team_id]
        if actor_id is not None and actor_id not in actors:
            actors[actor_id] = _make(
                User, ("id", "display_name", "email"), (actor_id, display_name, email)
            )
        activity.actor = actors.get(actor_id)
        if initiative_id is not None and initiative_id not in initiatives:
            initiatives[initiative_id] = _make(Initiative, ("id", "title"), (initiative_id, title))
        activity.initiative = initiatives.get(initiative_id)
        notification.activity = activity
        notifications.append(notification)
    return notifications


def mark_read(
    *,
    user,
    ids: Iterable[int] | None = None,
    all: bool = False,  # noqa: A002
    up_to: int | None = None,
) -> int:
    """Mark the user's own notifications read; returns how many changed.

    Either ``ids``, or ``all=True`` — with ``up_to``, only those with an id at most
    ``up_to`` (the newest the page showed), so that "mark all read" does not swallow
    a notification that arrived after the page was rendered.
    """
    if (ids is None) == (not all):
        raise TypeError("Pass either ids or all=True.")
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if not all:
        rows = rows.filter(pk__in=[int(pk) for pk in ids])
    elif up_to is not None:
        rows = rows.filter(pk__lte=int(up_to))
    marked = rows.update(read_at=timezone.now())
    if marked:
        forget_unread_counts([user.pk])
    return marked
