"""'My reviews': what is waiting on one user across their teams, in a fixed number of queries.

The sessions, threads and action items waiting on the user are ``waiting.py``'s
lists, the same the digests show, read for this one user (four queries, however
many rows they hold). The page adds one list of its own: Andon cords pulled on
initiatives the user follows (explicitly, or as the owner, a commenter or a
session participant, unless they muted it). And a session or thread on a stopped
initiative says who pulled its cord and why (``stop``), whoever follows what.

The page shows rows of what each line says (``dashboard_query``'s dataclasses).
On PostgreSQL they come from ``dashboard_query``'s five hand-written queries;
elsewhere, and as the reference the tests hold those to, from the ORM reads here
(``orm_lists``).
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef, Q

from documents.models import Initiative
from wbapp.activity.models import InitiativeMute

from . import dashboard_query
from .dashboard_query import (
    ActionItemRow,
    Addresses,
    CordRow,
    SessionRow,
    ThreadRow,
    is_overdue,
    part_in_session,
    thread_label,
)
from .models import ActionItem, AndonPull, AndonStop, Comment, Participant, ReviewSession
from .waiting import action_items_for, sessions_for, threads_waiting_for, to_verify_for, waiting_for

# Enough to act on today; the rest is one click away on the pages each row links to.
LIST_LIMIT = 25


@dataclass
class MyReviews:
    sessions: list[SessionRow]
    to_verify: list[ThreadRow]
    waiting: list[ThreadRow]
    action_items: list[ActionItemRow]
    cords: list[CordRow]

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


def cords_on_followed(user, *, limit: int = LIST_LIMIT) -> list[AndonPull]:
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
        .order_by("-pulled_at", "-pk")[:limit]
    )


def stops_on(initiative_ids) -> dict[int, AndonStop]:
    """{initiative id: its pulled Andon cord} for those whose cord is pulled (one query)."""
    if not initiative_ids:
        return {}
    pulls = (
        AndonPull.objects.active()
        .filter(initiative_id__in=set(initiative_ids))
        .values_list(
            "initiative_id", "reason", "pulled_at", "pulled_by__display_name", "pulled_by__email"
        )
    )
    return {initiative_id: AndonStop.of(*stop) for initiative_id, *stop in pulls}


def orm_lists(user, *, limit: int = LIST_LIMIT) -> dict[str, list]:
    """The page's rows read with the ORM: what ``dashboard_query.lists_for`` must return.

    (The sessions' and threads' stops in one more query: the written twin joins them in.)
    """
    waiting = waiting_for([user], limit=limit)[user.pk]
    at = Addresses()
    stops = stops_on(
        [session.initiative_id for session in waiting.sessions]
        + [comment.initiative_id for comment in (*waiting.to_verify, *waiting.threads)]
    )
    return {
        "sessions": [
            SessionRow(
                url=at.session(session.pk),
                title=session.title,
                phase=session.phase,
                initiative_title=session.initiative.title,
                document_title=session.document.display_title,
                iteration_number=session.iteration_number,
                starts_at=session.starts_at,
                part=part_in_session(user.pk, session.facilitator_id, session.my_role),
                stop=stops.get(session.initiative_id),
            )
            for session in waiting.sessions
        ],
        "to_verify": [
            ThreadRow(
                url=comment.thread_url,
                label=thread_label(user.pk, comment.author_id, comment.kind, comment.author.name),
                initiative_title=comment.initiative.title,
                quote=comment.quote,
                stop=stops.get(comment.initiative_id),
            )
            for comment in waiting.to_verify
        ],
        "waiting": [
            ThreadRow(
                url=comment.thread_url,
                label=thread_label(user.pk, comment.author_id, comment.kind, comment.author.name),
                initiative_title=comment.initiative.title,
                quote=comment.quote,
                stop=stops.get(comment.initiative_id),
                **_last_reply(comment),
            )
            for comment in waiting.threads
        ],
        "action_items": [
            ActionItemRow(
                pk=item.pk,
                title=item.title,
                due_on=item.due_on,
                is_overdue=is_overdue(item.due_on),
                done_url=at.action_item_done(item.pk),
            )
            for item in waiting.action_items
        ],
        "cords": [
            CordRow(
                initiative_url=at.initiative(pull.initiative_id),
                initiative_title=pull.initiative.title,
                reason=pull.reason,
                pulled_by=pull.pulled_by.name,
                pulled_at=pull.pulled_at,
            )
            for pull in cords_on_followed(user, limit=limit)
        ],
    }


def _last_reply(comment: Comment) -> dict:
    # The page says who replied last only when it can name them (as it always did).
    if comment.last_reply_by_name or comment.last_reply_by_email:
        return {"replied_by": comment.last_reply_by_label, "replied_at": comment.last_reply_at}
    return {}


def my_reviews(user) -> MyReviews:
    """Everything the "My reviews" page lists, in five queries."""
    if connection.vendor == "postgresql":
        lists = dashboard_query.lists_for(user.pk, limit=LIST_LIMIT)
    else:
        lists = orm_lists(user)
    return MyReviews(**lists)
