"""What is waiting on a user, for the top of their digest.

The lists are the "My reviews" page's (``reviews.dashboard``), so the digest and
the page never disagree about what waits on whom: sessions the user is invited to
or facilitates, threads whose latest word is someone else's, their own comments
marked addressed (to verify), and their open action items. Each is one query and
reads through the reviews querysets' ``visible_to``: a digest never shows a
comment the user may not see (a silent read's comments stay private).
"""

from dataclasses import dataclass, field
from datetime import date

from django.urls import reverse

# Rows per list in an e-mail; the page behind each link has the rest.
WAITING_LIMIT = 10


@dataclass(frozen=True)
class WaitingItem:
    kind: str  # "thread", "session", "action_item"
    title: str
    detail: str
    initiative: str
    path: str
    overdue: bool = False


@dataclass(frozen=True)
class Waiting:
    threads: list[WaitingItem] = field(default_factory=list)
    sessions: list[WaitingItem] = field(default_factory=list)
    action_items: list[WaitingItem] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.threads or self.sessions or self.action_items)


def _excerpt(text: str, limit: int = 120) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _thread_items(user) -> list[WaitingItem]:
    from reviews import dashboard

    items = [
        WaitingItem(
            kind="thread",
            title=_excerpt(comment.body),
            detail="Marked addressed: verify and resolve",
            initiative=comment.initiative.title,
            path=comment.thread_url,
        )
        for comment in dashboard.threads_to_verify(user)[:WAITING_LIMIT]
    ]
    for comment in dashboard.threads_waiting(user)[: WAITING_LIMIT - len(items)]:
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


def _session_items(user) -> list[WaitingItem]:
    from reviews import dashboard
    from reviews.models import SessionPhase

    items = []
    for session in dashboard.my_sessions(user)[:WAITING_LIMIT]:
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


def _action_item_items(user, today: date) -> list[WaitingItem]:
    from reviews import dashboard

    items = []
    for item in dashboard.my_action_items(user, limit=WAITING_LIMIT):
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


def waiting_on(user, *, today: date) -> Waiting:
    """Threads, sessions and action items waiting on ``user`` (four queries)."""
    return Waiting(
        threads=_thread_items(user),
        sessions=_session_items(user),
        action_items=_action_item_items(user, today),
    )
