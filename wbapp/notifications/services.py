"""Activity and notifications: recording events, the inbox, preferences, follow and mute.

The e-mail pipeline (immediate batches and digests) lives in delivery.py, the
fan-out from events to inboxes in fanout.py.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

from wbapp.accounts.models import Membership
from wbapp.activity.models import (
    Frequency,
    InitiativeMute,
    Notification,
    NotificationPreference,
    Weekday,
)
from wbapp.cache import forget_now_and_after_commit

from .lines import describe, excerpts_for

VIEW_INITIATIVE = "documents.view_initiative"
# Named after the app the pipeline lived in when the first e-mails went out: the links
# in every e-mail sent since carry tokens signed with it.
UNSUBSCRIBE_SALT = "wbapp.activity.unsubscribe"
INBOX_MAX = 200


# --- The inbox ---------------------------------------------------------------------------


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
    # Only teams the user still belongs to: a former member reads no titles or excerpts.
    rows = (
        Notification.objects.filter(user=user)
        .filter(activity__team__memberships__user=user)
        .for_inbox()
    )
    if before is not None:
        rows = rows.filter(pk__lt=before)
    notifications = list(rows[: max(1, min(limit, INBOX_MAX))])
    excerpts = excerpts_for([n.activity for n in notifications])
    for notification in notifications:
        notification.line = describe(notification.activity, excerpts)
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


# --- Preferences ---------------------------------------------------------------------------


def preferences_get(user) -> NotificationPreference:
    """The user's preferences: the saved row, or an unsaved one with the defaults."""
    preference = NotificationPreference.objects.filter(user=user).first()
    return preference or NotificationPreference(user=user)


def _check_preferences(frequency: str, hour, weekday) -> dict:
    errors = {}
    if frequency not in Frequency.values:
        errors["frequency"] = "Choose immediately, daily, weekly or never."
    if not isinstance(hour, int) or isinstance(hour, bool) or not 0 <= hour <= 23:
        errors["hour"] = "Choose an hour from 0 to 23."
    if weekday not in Weekday.values:
        errors["weekday"] = "Choose a day of the week."
    return errors


@transaction.atomic
def preferences_update(
    *, user, frequency: str, hour: int, weekday: int, now: datetime | None = None
) -> NotificationPreference:
    """Save how and when the user hears about what happened.

    Turning e-mail back on after "off" starts from now: what piled up while it was
    off stays in the inbox and is not e-mailed as one giant digest.
    """
    if not user.is_authenticated:
        raise PermissionDenied
    errors = _check_preferences(frequency, hour, weekday)
    if errors:
        raise ValidationError(errors)
    preference = locked_preference(user.pk)
    if preference.frequency == Frequency.OFF and frequency != Frequency.OFF:
        latest = Notification.objects.filter(user=user).aggregate(latest=Max("pk"))["latest"]
        preference.email_floor = latest or 0
    now = now or timezone.now()
    if (preference.frequency, preference.hour, preference.weekday) != (frequency, hour, weekday):
        # The first digest on the new schedule comes at its next delivery time, not at
        # once for a period that began before the change. Nothing is lost meanwhile:
        # the digest covers every notification no e-mail has covered yet.
        from .delivery import digest_period

        current = digest_period(
            frequency=frequency, hour=hour, weekday=weekday, tz=user.tzinfo, now=now
        )
        preference.last_period = current or ""
    preference.frequency = frequency
    preference.hour = hour
    preference.weekday = weekday
    preference.updated_at = now
    preference.save(
        update_fields=[
            "frequency",
            "hour",
            "weekday",
            "email_floor",
            "last_period",
            "updated_at",
        ]
    )
    return preference


def locked_preference(user_id: int) -> NotificationPreference:
    """The user's preference row, created if missing, locked until the transaction ends."""
    NotificationPreference.objects.get_or_create(user_id=user_id)
    return NotificationPreference.objects.select_for_update().get(user_id=user_id)


# --- Unsubscribe -----------------------------------------------------------------------------


def unsubscribe_token(user) -> str:
    """A signed token naming the user and address; it never expires (old e-mails keep working)."""
    signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
    return signer.sign_object({"u": user.pk, "e": user.email.lower()})


def unsubscribe_url(user) -> str:
    path = reverse("notifications_unsubscribe", args=[unsubscribe_token(user)])
    return settings.SITE_URL.rstrip("/") + path


def user_from_unsubscribe_token(token: str):
    """The user a token names, or None for a bad token or a changed address."""
    from wbapp.accounts.models import User

    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or user.email.lower() != data.get("e"):
        return None
    return user


@transaction.atomic
def unsubscribe(*, user) -> NotificationPreference:
    """Stop every notification e-mail (the inbox keeps working)."""
    preference = locked_preference(user.pk)
    preference.frequency = Frequency.OFF
    preference.updated_at = timezone.now()
    preference.save(update_fields=["frequency", "updated_at"])
    return preference


# --- Follow and mute ----------------------------------------------------------------------


@dataclass(frozen=True)
class FollowState:
    explicit: bool
    implicit: str  # "", "owner", "commenter" or "participant"
    muted: bool

    @property
    def following(self) -> bool:
        return (self.explicit or bool(self.implicit)) and not self.muted

    @property
    def label(self) -> str:
        if self.muted:
            return "Muted"
        if self.explicit:
            return "Following"
        return {
            "owner": "Following (you own it)",
            "commenter": "Following (you commented)",
            "participant": "Following (you were invited to review it)",
        }.get(self.implicit, "Not following")


def _require_view(user, initiative) -> None:
    if not user.is_authenticated or not user.has_perm(VIEW_INITIATIVE, initiative):
        raise PermissionDenied


def follow_state(*, user, initiative) -> FollowState:
    """Whether and why the user hears about the initiative (at most five small queries)."""
    from reviews.models import Comment, Participant, ReviewSession

    _require_view(user, initiative)
    explicit = initiative.followers.filter(pk=user.pk).exists()
    muted = InitiativeMute.objects.filter(user=user, initiative=initiative).exists()
    implicit = ""
    if initiative.owner_id == user.pk:
        implicit = "owner"
    elif Participant.objects.filter(session__initiative=initiative, user=user).exists() or (
        ReviewSession.objects.filter(initiative=initiative, facilitator=user).exists()
    ):
        implicit = "participant"
    elif Comment.objects.filter(initiative=initiative, author=user).exists():
        implicit = "commenter"
    return FollowState(explicit=explicit, implicit=implicit, muted=muted)


def initiative_follow(*, user, initiative) -> FollowState:
    """Follow explicitly; a mute is lifted."""
    from documents import services as documents

    with transaction.atomic():
        documents.initiative_follow(user=user, initiative=initiative)
        InitiativeMute.objects.filter(user=user, initiative=initiative).delete()
    return follow_state(user=user, initiative=initiative)


def initiative_unfollow(*, user, initiative) -> FollowState:
    """Drop the explicit follow (owners, commenters and invitees still follow: mute for that)."""
    from documents import services as documents

    documents.initiative_unfollow(user=user, initiative=initiative)
    return follow_state(user=user, initiative=initiative)


def initiative_mute(*, user, initiative) -> FollowState:
    """Hear nothing of the initiative except what is addressed to the user personally."""
    _require_view(user, initiative)
    with transaction.atomic():
        initiative.followers.remove(user)
        InitiativeMute.objects.get_or_create(user=user, initiative=initiative)
    return follow_state(user=user, initiative=initiative)


def initiative_unmute(*, user, initiative) -> FollowState:
    _require_view(user, initiative)
    InitiativeMute.objects.filter(user=user, initiative=initiative).delete()
    return follow_state(user=user, initiative=initiative)


def followed_initiatives(user) -> list[tuple]:
    """Every initiative the user follows (explicitly or by default) or muted, with its state.

    Only teams the user still belongs to; ordered by team name, then title. Five
    queries however many initiatives there are.
    """
    from documents.models import Initiative
    from reviews.models import Comment, Participant, ReviewSession

    if user is None or not user.is_authenticated:
        return []
    visible = Initiative.objects.visible_to(user)
    explicit = set(visible.filter(followers=user).values_list("pk", flat=True))
    muted = set(
        InitiativeMute.objects.filter(user=user, initiative__in=visible.values("pk")).values_list(
            "initiative_id", flat=True
        )
    )
    participant = set(
        Participant.objects.filter(user=user).values_list("session__initiative_id", flat=True)
    ) | set(ReviewSession.objects.filter(facilitator=user).values_list("initiative_id", flat=True))
    commenter = set(
        Comment.objects.filter(author=user).order_by().values_list("initiative_id", flat=True)
    )
    rows = (
        visible.filter(Q(pk__in=explicit | muted | participant | commenter) | Q(owner=user))
        .select_related("team")
        .order_by("team__name", "title", "pk")
    )
    result = []
    for initiative in rows:
        if initiative.owner_id == user.pk:
            implicit = "owner"
        elif initiative.pk in participant:
            implicit = "participant"
        elif initiative.pk in commenter:
            implicit = "commenter"
        else:
            implicit = ""
        state = FollowState(
            explicit=initiative.pk in explicit, implicit=implicit, muted=initiative.pk in muted
        )
        result.append((initiative, state))
    return result
