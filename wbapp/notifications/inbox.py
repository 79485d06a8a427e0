"""The inbox: a user's notifications, their unread count in every page's header, reading them."""

from collections.abc import Iterable

from django.core.cache import cache
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from wbapp.accounts.models import Membership
from wbapp.activity.models import Notification
from wbapp.cache import forget_now_and_after_commit

from .inbox_query import InboxNotification, written_inbox
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


def inbox(user, limit: int = 50, *, before: int | None = None) -> list[InboxNotification]:
    """The user's newest notifications, each with its ``.line``; fixed query count.

    One query for the notifications (with actor, initiative and team), and at most
    two for the comment and reply excerpts of the whole page. On PostgreSQL the
    first is written by hand (``inbox_query``), elsewhere it is ``inbox_rows()``.
    """
    if user is None or not user.is_authenticated:
        return []
    limit = max(1, min(limit, INBOX_MAX))
    if connection.vendor == "postgresql":
        notifications = written_inbox(user.pk, limit, before)
    else:
        rows = inbox_rows(user, before=before)[:limit]
        notifications = [InboxNotification.of(notification) for notification in rows]
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
