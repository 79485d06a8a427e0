"""'My reviews': what is waiting on one user across their teams, in a fixed number of queries.

The sessions, threads and action items waiting on the user are ``waiting.py``'s
lists, the same the digests show, read for this one user (four queries, however
many rows they hold). The page adds one list of its own: Andon cords pulled on
initiatives the user follows (explicitly, or as the owner, a commenter or a
session participant, unless they muted it).
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from documents.models import Initiative
from wbapp.activity.models import InitiativeMute

from .models import ActionItem, AndonPull, Comment, Participant, ReviewSession
from .waiting import action_items_for, sessions_for, threads_waiting_for, to_verify_for, waiting_for

# Enough to act on today; the rest is one click away on the pages each row links to.
LIST_LIMIT = 25


@dataclass
class MyReviews:
    sessions: list[ReviewSession]
    to_verify: list[Comment]
    waiting: list[Comment]
    action_items: list[ActionItem]
    cords: list[AndonPull]

    @property
    def is_empty(self) -> bool:
        return not (
            self.sessions or self.to_verify or self.waiting or self.action_items or self.cords
        )


def my_sessions(user) -> list[ReviewSession]:
    """Upcoming and live sessions the user takes part in or facilitates; live first."""
    return sessions_for([user], limit=LIST_LIMIT).get(user.pk, [])


def threads_to_verify(user) -> list[Comment]:
    """The user's comments that an author marked addressed: they verify and resolve."""
    return to_verify_for([user], limit=LIST_LIMIT).get(user.pk, [])


def threads_waiting(user) -> list[Comment]:
    """Unresolved threads the user is in whose latest word is someone else's."""
    return threads_waiting_for([user], limit=LIST_LIMIT).get(user.pk, [])


def my_action_items(user, *, limit: int | None = LIST_LIMIT) -> list[ActionItem]:
    return action_items_for([user], limit=limit).get(user.pk, [])


def cords_on_followed(user) -> list[AndonPull]:
    """Active Andon cords on initiatives the user follows (as the notifications count it)."""
    follows = (
        Q(initiative__owner=user)
        | Exists(
            Initiative.followers.through.objects.filter(
                initiative_id=OuterRef("initiative_id"), user=user
            )
        )
        | Exists(Comment.objects.filter(initiative_id=OuterRef("initiative_id"), author=user))
        | Exists(
            Participant.objects.filter(session__initiative_id=OuterRef("initiative_id"), user=user)
        )
    )
    muted = InitiativeMute.objects.filter(initiative_id=OuterRef("initiative_id"), user=user)
    return list(
        AndonPull.objects.visible_to(user)
        .active()
        .filter(follows)
        .exclude(Exists(muted))
        .select_related("initiative", "pulled_by")
        .order_by("-pulled_at", "-pk")[:LIST_LIMIT]
    )


def my_reviews(user) -> MyReviews:
    """Everything the "My reviews" page lists, in five queries."""
    waiting = waiting_for([user], limit=LIST_LIMIT)[user.pk]
    return MyReviews(
        sessions=waiting.sessions,
        to_verify=waiting.to_verify,
        waiting=waiting.threads,
        action_items=waiting.action_items,
        cords=cords_on_followed(user),
    )
