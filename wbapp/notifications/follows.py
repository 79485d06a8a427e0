"""Following and muting one initiative: who hears about it, and why.

A member follows an initiative explicitly (``Initiative.followers``) or by default:
as its owner, as someone who commented on it, or as someone invited to one of its
sessions. Muting silences all of it except what is addressed to the user personally
(see fanout.py). Every change here is one function; views, the initiative page's
Follow button and the preferences page all call them.
"""

import functools
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import Count, Q

from documents.models import Initiative
from reviews.models import Comment, Participant, ReviewSession
from wbapp.activity.models import InitiativeMute
from wbapp.http import urls_for_id

VIEW_INITIATIVE = "documents.view_initiative"


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


def follower_counts_orm(user, initiative) -> tuple[int, int]:
    """The initiative's explicit followers, and how many of them are ``user`` (the reference)."""
    counts = initiative.followers.aggregate(
        total=Count("pk"), mine=Count("pk", filter=Q(pk=user.pk))
    )
    return counts["total"], counts["mine"]


@functools.cache
def _follower_counts_sql() -> str:
    # The followers' table, named by the model; the ids are parameters. Its rows name
    # existing users (a foreign key), so the ORM's join to the users counts the same.
    table = Initiative.followers.through._meta.db_table
    return (
        f'SELECT COUNT(*), COUNT(*) FILTER (WHERE f."user_id" = %s) FROM "{table}" f '  # noqa: S608
        'WHERE f."initiative_id" = %s'
    )


def follower_counts(user, initiative) -> tuple[int, int]:
    """``follower_counts_orm``, written once: the initiative page asks on every view, and
    Django building the aggregate cost 0.4 ms of the button's 0.5 ms here."""
    if connection.vendor != "postgresql":
        return follower_counts_orm(user, initiative)
    with connection.cursor() as cursor:
        cursor.execute(_follower_counts_sql(), [user.pk, initiative.pk])
        total, mine = cursor.fetchone()
    return total, mine


def follow_button(*, user, initiative) -> dict:
    """What the Follow button shows: its explicit followers, and whether ``user`` is one."""
    total, mine = follower_counts(user, initiative)
    return {
        "initiative": initiative,
        # Where its two controls go, each written once (not reversed twice in the template).
        "urls": urls_for_id(
            {"follow": "initiative_follow", "settings": "initiative_notifications"}, initiative.pk
        ),
        "follower_count": total,
        "is_following": mine > 0,
    }


def initiative_follow(*, user, initiative) -> FollowState:
    """Follow explicitly (any member, viewers included); a mute is lifted."""
    _require_view(user, initiative)
    with transaction.atomic():
        initiative.followers.add(user)
        InitiativeMute.objects.filter(user=user, initiative=initiative).delete()
    return follow_state(user=user, initiative=initiative)


def initiative_unfollow(*, user, initiative) -> FollowState:
    """Drop the explicit follow (owners, commenters and invitees still follow: mute for that)."""
    _require_view(user, initiative)
    initiative.followers.remove(user)
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
