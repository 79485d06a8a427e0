"""Notifications in someone's inbox, made directly (the fan-out has its own tests).

The activities are marked fanned out, so no sweep adds other people's rows; their
payloads are what the real services record, so each line links where it should.
Like the fan-out, they make the header count the user's unread notifications again.
"""

from datetime import datetime

from django.utils import timezone

from documents.models import Initiative
from tests.documents.factories import InitiativeFactory
from wbapp.activity.models import Activity, Notification, Reason
from wbapp.notifications.inbox import forget_unread_counts


def iteration_payload(number: int = 1) -> dict:
    return {
        "document_id": 1,
        "document_title": "PR/FAQ",
        "number": number,
        "note": f"Iteration {number}",
    }


def notification_for(
    user,
    *,
    initiative: Initiative | None = None,
    actor=None,
    verb: str = "iteration_saved",
    payload: dict | None = None,
    reason: str = Reason.FOLLOWER,
    read: bool = False,
    at: datetime | None = None,
) -> Notification:
    """One notification of ``user`` about ``initiative`` (default: a new one in their team).

    The inbox shows only the teams a user belongs to, so the default team is theirs.
    """
    if initiative is None:
        membership = user.memberships.select_related("team").first()
        initiative = InitiativeFactory(**({"team": membership.team} if membership else {}))
    at = at or timezone.now()
    activity = Activity.objects.create(
        team=initiative.team,
        initiative=initiative,
        actor=actor or initiative.owner,
        verb=verb,
        payload=iteration_payload() if payload is None else payload,
        created_at=at,
        fanned_out=True,
    )
    notification = Notification.objects.create(
        user=user, activity=activity, reason=reason, created_at=at, read_at=at if read else None
    )
    forget_unread_counts([user.pk])
    return notification


def notifications_for(user, count: int, *, initiative: Initiative, actor=None) -> list:
    """``count`` unread notifications (iterations 1…count), newest last, in two queries."""
    now = timezone.now()
    activities = Activity.objects.bulk_create(
        Activity(
            team_id=initiative.team_id,
            initiative=initiative,
            actor=actor or initiative.owner,
            verb="iteration_saved",
            payload=iteration_payload(n),
            created_at=now,
            fanned_out=True,
        )
        for n in range(1, count + 1)
    )
    notifications = Notification.objects.bulk_create(
        Notification(user=user, activity=a, reason=Reason.FOLLOWER, created_at=now)
        for a in activities
    )
    forget_unread_counts([user.pk])
    return notifications
