"""The "My reviews" page's five lists for one user, as rows of what the page shows.

``dashboard.py`` reads them with the ORM through ``waiting.py`` (the reference, and
what SQLite runs under ``make run``): for one user that cost about 23 ms a request,
almost all of it Django building and compiling five queries full of subqueries,
and making model instances of every joined row. On PostgreSQL the page runs the
same five queries written here once, each selecting only what a row shows, and
makes each row a small frozen dataclass: well under a millisecond of Python.

The rules are ``waiting.py``'s, read for one user U (so each "someone of these
users" there is U here):

- sessions: open (scheduled or live), U a participant or the facilitator, U a
  member of the initiative's team now; live first, then by start.
- to verify: U's own comments marked addressed, revealed (not in a session still
  in its silent read), the newest copy of their thread, U a member now.
- threads: unresolved, revealed, newest copies of threads U is in (wrote it,
  replied to this copy, or was mentioned in any copy of its chain) whose latest
  word (the last reply's author, else the comment's) is not U's; U a member now;
  U's own comment marked addressed is listed to verify instead.
- action items: U's open ones, U a member now; by due date (none last), then id.
- cords: active pulls on initiatives of U's teams that U follows (explicitly, as
  the owner, a commenter or a session participant) and has not muted.

A session or thread on a stopped initiative (its Andon cord pulled) says so, with
who pulled the cord and why: its row's ``stop``, read in the row's own query (one
active pull per initiative at most, so the join adds no row).

tests/reviews/test_dashboard_query.py holds these rows to the ORM's, list by list,
on data made to tell the rules apart (unrevealed comments, former members,
outsiders, carried threads, muted initiatives...).
"""

import functools
from dataclasses import dataclass
from datetime import date, datetime

from django.db import connection
from django.utils import timezone

from documents.models import DocumentKind
from wbapp.http import url_for_id, url_for_ids

from .models import (
    REVEALED_PHASES,
    AndonStop,
    CommentKind,
    CommentStatus,
    ParticipantRole,
    SessionPhase,
)

OPEN_PHASES = (SessionPhase.SCHEDULED, SessionPhase.READING, SessionPhase.DISCUSSION)
LIVE_PHASES = (SessionPhase.READING, SessionPhase.DISCUSSION)

KIND_LABELS = dict(CommentKind.choices)
DOCUMENT_KIND_LABELS = dict(DocumentKind.choices)


# --- Rows: what each line of the page shows ----------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    url: str
    title: str
    phase: str
    initiative_title: str
    document_title: str
    iteration_number: int
    starts_at: datetime
    # "you facilitate", "you are the bar raiser", "you observe" or "you review".
    part: str
    # The initiative's pulled Andon cord, if it is pulled.
    stop: AndonStop | None = None


@dataclass(frozen=True)
class ThreadRow:
    url: str
    # "Your question", or "Question by Ana" for someone else's thread.
    label: str
    initiative_title: str
    quote: str
    # Who replied last and when; ("", None) when nobody has replied.
    replied_by: str = ""
    replied_at: datetime | None = None
    # The initiative's pulled Andon cord, if it is pulled.
    stop: AndonStop | None = None


@dataclass(frozen=True)
class ActionItemRow:
    pk: int
    title: str
    due_on: date | None
    is_overdue: bool
    done_url: str


@dataclass(frozen=True)
class CordRow:
    initiative_url: str
    initiative_title: str
    reason: str
    pulled_by: str
    pulled_at: datetime


def person(display_name: str | None, email: str | None) -> str:
    """User.name, from the two columns it reads."""
    return display_name or (email or "").split("@", 1)[0]


def part_in_session(user_id: int, facilitator_id: int, role: str | None) -> str:
    if facilitator_id == user_id:
        return "you facilitate"
    if role == ParticipantRole.BAR_RAISER:
        return "you are the bar raiser"
    if role == ParticipantRole.OBSERVER:
        return "you observe"
    return "you review"


def thread_label(user_id: int, author_id: int, kind: str, author: str) -> str:
    kind_label = KIND_LABELS.get(kind, kind)
    if author_id == user_id:
        return f"Your {kind_label.lower()}"
    return f"{kind_label} by {author}"


def is_overdue(due_on: date | None) -> bool:
    """ActionItem.is_overdue for an open item."""
    return due_on is not None and due_on < timezone.localdate()


# --- Addresses: each route reversed once per process, each row's ids put in -------------


class Addresses:
    """The page's row addresses: ``addresses.session(7)`` is ``reverse("session_detail", 7)``."""

    def session(self, session_id: int) -> str:
        return url_for_id("session_detail", session_id)

    def initiative(self, initiative_id: int) -> str:
        return url_for_id("initiative_detail", initiative_id)

    def action_item_done(self, item_id: int) -> str:
        return url_for_id("action_item_done", item_id)

    def thread(self, comment_id, session_id, initiative_id, document_id, number) -> str:
        """reviews.waiting.thread_url: in its session's page if it has one, else its iteration."""
        if session_id is not None:
            base = self.session(session_id)
        else:
            base = url_for_ids("iteration_detail", initiative_id, document_id, number)
        return f"{base}#comment-{comment_id}"


# --- The queries ---------------------------------------------------------------------------


def _in(values) -> str:
    """A constant list of choice values as SQL (only our own enums' values, never input)."""
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


@functools.cache
def _queries() -> dict[str, str]:
    # A member of the row's team now (i is the row's initiative).
    member = (
        "EXISTS (SELECT 1 FROM accounts_membership m "
        "WHERE m.team_id = i.team_id AND m.user_id = %(user)s)"
    )
    # A comment (c) is shown: not in a session still in its silent read, and the newest
    # copy of its thread (no comment was carried from it).
    shown = (
        f"(c.session_id IS NULL OR s.phase IN {_in(REVEALED_PHASES)}) "  # noqa: S608
        "AND NOT EXISTS (SELECT 1 FROM reviews_comment t WHERE t.carried_from_id = c.id)"
    )
    comment_joins = (
        "JOIN documents_initiative i ON i.id = c.initiative_id "
        "JOIN documents_revision r ON r.id = c.revision_id "
        "LEFT JOIN reviews_reviewsession s ON s.id = c.session_id "
    )
    live = f"CASE WHEN s.phase IN {_in(LIVE_PHASES)} THEN 0 ELSE 1 END"
    # The initiative's active Andon pull and who pulled it (at most one: andon_one_active_pull).
    stop_columns = ", ap.reason, ap.pulled_at, apu.display_name, apu.email "
    stop_joins = (
        "LEFT JOIN reviews_andonpull ap ON ap.initiative_id = i.id AND ap.reset_at IS NULL "
        "LEFT JOIN accounts_user apu ON apu.id = ap.pulled_by_id "
    )
    addressed, resolved = CommentStatus.ADDRESSED.value, CommentStatus.RESOLVED.value
    # All values interpolated are our own constants; the user and limit are parameters.
    return {
        "sessions": (
            "SELECT s.id, s.title, s.phase, s.starts_at, s.facilitator_id, p.role, "  # noqa: S608
            f"i.title, d.title, d.kind, r.number{stop_columns}"
            "FROM reviews_reviewsession s "
            "JOIN documents_initiative i ON i.id = s.initiative_id "
            "JOIN documents_document d ON d.id = s.document_id "
            "JOIN documents_revision r ON r.id = s.revision_id "
            "LEFT JOIN reviews_participant p ON p.session_id = s.id AND p.user_id = %(user)s "
            f"{stop_joins}"
            f"WHERE s.phase IN {_in(OPEN_PHASES)} "
            "AND (p.id IS NOT NULL OR s.facilitator_id = %(user)s) "
            f"AND {member} "
            f"ORDER BY {live}, s.starts_at, s.id LIMIT %(limit)s"
        ),
        "to_verify": (
            "SELECT c.id, c.kind, c.quote, c.session_id, c.initiative_id, r.document_id, "  # noqa: S608
            f"r.number, i.title{stop_columns}"
            f"FROM reviews_comment c {comment_joins}{stop_joins}"
            f"WHERE c.author_id = %(user)s AND c.status = '{addressed}' AND {shown} "
            f"AND {member} "
            "ORDER BY c.addressed_at DESC, c.id DESC LIMIT %(limit)s"
        ),
        "threads": (
            # The chains U was mentioned in: the first copy's id of each.
            "WITH chains AS (SELECT n.comment_id AS id FROM reviews_mention n "  # noqa: S608
            "WHERE n.user_id = %(user)s "
            "UNION SELECT o.origin_id FROM reviews_mention n "
            "JOIN reviews_comment o ON o.id = n.comment_id "
            "WHERE n.user_id = %(user)s AND o.origin_id IS NOT NULL) "
            "SELECT c.id, c.kind, c.quote, c.session_id, c.initiative_id, r.document_id, "
            "r.number, i.title, c.author_id, a.display_name, a.email, "
            f"last.display_name, last.email, last.created_at{stop_columns}"
            f"FROM reviews_comment c {comment_joins}{stop_joins}"
            "JOIN accounts_user a ON a.id = c.author_id "
            # The thread's last reply (the latest, the highest id of equally late ones).
            "LEFT JOIN LATERAL (SELECT y.author_id, y.created_at, u.display_name, u.email "
            "FROM reviews_reply y JOIN accounts_user u ON u.id = y.author_id "
            "WHERE y.comment_id = c.id ORDER BY y.created_at DESC, y.id DESC LIMIT 1"
            ") last ON TRUE "
            f"WHERE c.status <> '{resolved}' AND {shown} "
            # U is in it: wrote it, replied to this copy, or was mentioned in any copy
            # of its chain (the chain's id is the first copy's, its ``origin``).
            # Read as one list of candidate ids, so that each part uses its index.
            "AND c.id IN ("
            "SELECT w.id FROM reviews_comment w WHERE w.author_id = %(user)s "
            "UNION SELECT y.comment_id FROM reviews_reply y WHERE y.author_id = %(user)s "
            "UNION SELECT k.id FROM reviews_comment k WHERE k.origin_id IN (SELECT id FROM chains) "
            "UNION SELECT k.id FROM reviews_comment k "
            "WHERE k.origin_id IS NULL AND k.id IN (SELECT id FROM chains)) "
            # ...the latest word is not U's, U is a member now...
            "AND COALESCE(last.author_id, c.author_id) <> %(user)s "
            f"AND {member} "
            # ...and it is not U's own comment to verify.
            f"AND NOT (c.author_id = %(user)s AND c.status = '{addressed}') "
            "ORDER BY last.created_at DESC NULLS LAST, c.created_at DESC, c.id DESC "
            "LIMIT %(limit)s"
        ),
        "action_items": (
            "SELECT a.id, a.title, a.due_on FROM reviews_actionitem a "  # noqa: S608
            "JOIN documents_initiative i ON i.id = a.initiative_id "
            f"WHERE a.owner_id = %(user)s AND a.done_at IS NULL AND {member} "
            "ORDER BY a.due_on ASC NULLS LAST, a.id LIMIT %(limit)s"
        ),
        "cords": (
            "SELECT p.initiative_id, i.title, p.reason, p.pulled_at, u.display_name, u.email "  # noqa: S608
            "FROM reviews_andonpull p "
            "JOIN documents_initiative i ON i.id = p.initiative_id "
            "JOIN accounts_user u ON u.id = p.pulled_by_id "
            f"WHERE p.reset_at IS NULL AND {member} "
            "AND (i.owner_id = %(user)s "
            "OR EXISTS (SELECT 1 FROM documents_initiative_followers f "
            "WHERE f.initiative_id = p.initiative_id AND f.user_id = %(user)s) "
            "OR EXISTS (SELECT 1 FROM reviews_comment c "
            "WHERE c.initiative_id = p.initiative_id AND c.author_id = %(user)s) "
            "OR EXISTS (SELECT 1 FROM reviews_participant x "
            "JOIN reviews_reviewsession s ON s.id = x.session_id "
            "WHERE s.initiative_id = p.initiative_id AND x.user_id = %(user)s)) "
            "AND NOT EXISTS (SELECT 1 FROM activity_initiativemute q "
            "WHERE q.initiative_id = p.initiative_id AND q.user_id = %(user)s) "
            "ORDER BY p.pulled_at DESC, p.id DESC LIMIT %(limit)s"
        ),
    }


def _rows(cursor, name: str, user_id: int, limit: int) -> list[tuple]:
    cursor.execute(_queries()[name], {"user": user_id, "limit": limit})
    return cursor.fetchall()


def lists_for(user_id: int, *, limit: int) -> dict[str, list]:
    """{list name: its rows} for the user, in five queries (PostgreSQL only)."""
    at = Addresses()
    with connection.cursor() as cursor:
        sessions = _rows(cursor, "sessions", user_id, limit)
        to_verify = _rows(cursor, "to_verify", user_id, limit)
        threads = _rows(cursor, "threads", user_id, limit)
        items = _rows(cursor, "action_items", user_id, limit)
        cords = _rows(cursor, "cords", user_id, limit)
    return {
        "sessions": [
            SessionRow(
                url=at.session(pk),
                title=title,
                phase=phase,
                initiative_title=initiative,
                document_title=document or DOCUMENT_KIND_LABELS.get(kind, kind),
                iteration_number=number,
                starts_at=starts_at,
                part=part_in_session(user_id, facilitator_id, role),
                stop=AndonStop.of(*stop),
            )
            for (
                pk,
                title,
                phase,
                starts_at,
                facilitator_id,
                role,
                initiative,
                document,
                kind,
                number,
                *stop,
            ) in sessions
        ],
        "to_verify": [
            ThreadRow(
                url=at.thread(pk, session_id, initiative_id, document_id, number),
                label=thread_label(user_id, user_id, kind, ""),
                initiative_title=initiative,
                quote=quote,
                stop=AndonStop.of(*stop),
            )
            for (
                pk,
                kind,
                quote,
                session_id,
                initiative_id,
                document_id,
                number,
                initiative,
                *stop,
            ) in to_verify
        ],
        "waiting": [
            ThreadRow(
                url=at.thread(pk, session_id, initiative_id, document_id, number),
                label=thread_label(user_id, author_id, kind, person(name, email)),
                initiative_title=initiative,
                quote=quote,
                replied_by=person(last_name, last_email) if (last_name or last_email) else "",
                replied_at=last_at if (last_name or last_email) else None,
                stop=AndonStop.of(*stop),
            )
            for (
                pk,
                kind,
                quote,
                session_id,
                initiative_id,
                document_id,
                number,
                initiative,
                author_id,
                name,
                email,
                last_name,
                last_email,
                last_at,
                *stop,
            ) in threads
        ],
        "action_items": [
            ActionItemRow(
                pk=pk,
                title=title,
                due_on=due_on,
                is_overdue=is_overdue(due_on),
                done_url=at.action_item_done(pk),
            )
            for pk, title, due_on in items
        ],
        "cords": [
            CordRow(
                initiative_url=at.initiative(initiative_id),
                initiative_title=initiative,
                reason=reason,
                pulled_by=person(name, email),
                pulled_at=pulled_at,
            )
            for initiative_id, initiative, reason, pulled_at, name, email in cords
        ],
    }
