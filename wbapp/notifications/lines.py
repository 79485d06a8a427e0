"""One activity as one line a person reads: who, did what, where, and the link to it.

The inbox, the feeds and the e-mails all say it the same way. Everything comes
from the activity's payload and its selected actor, initiative and team, so a
page of lines costs no query per line; comment and reply excerpts are fetched
for a whole page at once (``excerpts_for``).
"""

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils.text import Truncator

from reviews.mentions import people, person_path, plain_text
from reviews.models import Comment, Reply
from wbapp.activity.models import Activity
from wbapp.db import ID_RANGE
from wbapp.http import url_for_ids

EXCERPT_CHARS = 200


@dataclass(frozen=True)
class Excerpts:
    """Comment and reply texts for a page of activities, fetched in at most two queries."""

    comments: dict[int, tuple[str, int | None]]  # comment id -> (excerpt, session id)
    replies: dict[int, str]
    # ("comment" or "reply", id) -> the (name, user id) of each member the text names.
    people: dict[tuple[str, int], tuple[tuple[str, int], ...]] = field(default_factory=dict)


NO_EXCERPTS = Excerpts(comments={}, replies={})


@dataclass(frozen=True)
class ActivityLine:
    actor: str
    text: str
    initiative: str
    path: str
    excerpt: str
    created_at: datetime
    verb: str
    # (name, address) of each "@Name" in the excerpt: HTML links them (mentions.linked_text).
    mentioned: tuple[tuple[str, str], ...] = ()


def _day(iso: str) -> str:
    """A date from a payload ("2026-11-21") as people read it ("Sat 21 Nov")."""
    try:
        return date.fromisoformat(iso).strftime("%a %d %b")
    except (TypeError, ValueError):
        return str(iso)


def _short(text: str) -> str:
    text = unicodedata.normalize("NFC", " ".join((text or "").split()))
    # What Truncator returns for a text that fits, without its walk over every character.
    return text if len(text) <= EXCERPT_CHARS else Truncator(text).chars(EXCERPT_CHARS)


def excerpts_for(activities) -> Excerpts:
    """The comment and reply texts the activities mention (0, 1 or 2 queries).

    As people read them: a name chosen from the picker shows as "@Name", not its token.
    """
    comment_ids, reply_ids = set(), set()
    for activity in activities:
        payload = activity.payload
        if isinstance(payload.get("comment_id"), int):
            comment_ids.add(payload["comment_id"])
        if isinstance(payload.get("reply_id"), int):
            reply_ids.add(payload["reply_id"])
    comments, replies, named = {}, {}, {}
    if comment_ids:
        for pk, body, session_id in _texts(Comment, comment_ids, "body", "session_id"):
            comments[pk] = (_short(plain_text(body)), session_id)
            if "@[" in body:
                named[("comment", pk)] = people(body)
    if reply_ids:
        for pk, body in _texts(Reply, reply_ids, "body"):
            replies[pk] = _short(plain_text(body))
            if "@[" in body:
                named[("reply", pk)] = people(body)
    return Excerpts(comments=comments, replies=replies, people=named)


def _texts(model, ids: set, *fields: str) -> list[tuple]:
    """``model.objects.filter(pk__in=ids).values_list("pk", *fields)``, without building it.

    On PostgreSQL the SQL is written here (table and columns from the model): the
    ORM's cost about 0.5 ms a query to build and compile, more than the texts cost.
    tests/notifications/test_inbox_query.py holds the two to the same texts.
    """
    if connection.vendor != "postgresql":
        return list(model.objects.filter(pk__in=ids).values_list("pk", *fields))
    ids = [int(pk) for pk in ids if pk in ID_RANGE]
    if not ids:
        return []
    meta = model._meta
    columns = ", ".join(f'"{meta.get_field(name).column}"' for name in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "{meta.pk.column}", {columns} FROM "{meta.db_table}" '  # noqa: S608
            f'WHERE "{meta.pk.column}" = ANY(%s)',
            [ids],
        )
        return cursor.fetchall()


def _url(name: str, *args) -> str:
    try:
        if all(type(arg) is int and arg >= 0 for arg in args):
            # Ids, as an <int:> part takes them: the address reversed once per route.
            return url_for_ids(name, *args)
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _iteration_path(activity: Activity) -> str:
    p = activity.payload
    if not (activity.initiative_id and p.get("document_id") and p.get("number")):
        return ""
    return _url("iteration_detail", activity.initiative_id, p["document_id"], p["number"])


def _comment_path(activity: Activity, comment_id, excerpts: Excerpts) -> str:
    """The exact thread: in its session's page if it has one, else on its iteration."""
    p = activity.payload
    session_id = p.get("session_id")
    if comment_id in excerpts.comments:
        session_id = excerpts.comments[comment_id][1]
    base = _url("session_detail", session_id) if session_id else _iteration_path(activity)
    if not base:
        return _initiative_path(activity)
    return f"{base}#comment-{comment_id}" if comment_id else base


def _session_path(activity: Activity) -> str:
    session_id = activity.payload.get("session_id")
    return _url("session_detail", session_id) if session_id else _initiative_path(activity)


def _initiative_path(activity: Activity) -> str:
    return _url("initiative_detail", activity.initiative_id) if activity.initiative_id else ""


def _team_path(activity: Activity) -> str:
    return _url("team_board", activity.team.slug)


def _of_document(p: dict) -> str:
    return f"iteration {p.get('number')} of {p.get('document_title') or 'the document'}"


def _carried(p: dict) -> str:
    """What an iteration took over, told with it rather than thread by thread."""
    carried = p.get("carried")
    if not isinstance(carried, int) or carried < 1:
        return ""
    return f", carrying {carried} open comment{'s' if carried != 1 else ''} forward"


def _text_and_path(activity: Activity, excerpts: Excerpts) -> tuple[str, str, str]:
    """(what happened, where it is, an excerpt) for each verb we know."""
    p = activity.payload
    verb = activity.verb
    session = f"“{p.get('session_title', 'the review')}”"
    comment_id = p.get("comment_id")
    comment_excerpt = excerpts.comments.get(comment_id, ("", None))[0] if comment_id else ""
    match verb:
        case "iteration_saved":
            note = p.get("note") or ""
            return (
                f"saved {_of_document(p)}{_carried(p)}",
                _iteration_path(activity),
                _short(note),
            )
        case "iteration_restored":
            return (
                f"restored iteration {p.get('restored_number')} as {_of_document(p)}{_carried(p)}",
                _iteration_path(activity),
                "",
            )
        case "comment_added":
            kind = p.get("kind") or "comment"
            article = "an" if kind[:1] in "aeiou" else "a"
            return (
                f"added {article} {kind} on {_of_document(p)}",
                _comment_path(activity, comment_id, excerpts),
                comment_excerpt,
            )
        case "reply_added":
            return (
                f"replied to a comment on {_of_document(p)}",
                _comment_path(activity, comment_id, excerpts),
                excerpts.replies.get(p.get("reply_id"), ""),
            )
        case "mentioned":
            text = excerpts.replies.get(p.get("reply_id")) or comment_excerpt
            return "mentioned you", _comment_path(activity, comment_id, excerpts), text
        case "comment_addressed":
            return (
                f"marked a comment addressed in {_of_document(p)}",
                _comment_path(activity, comment_id, excerpts),
                comment_excerpt,
            )
        case "comments_carried":
            return (
                f"carried open comments forward to {_of_document(p)}",
                _iteration_path(activity),
                "",
            )
        case "session_scheduled":
            return f"scheduled the review {session}", _session_path(activity), ""
        case "session_rescheduled":
            return f"rescheduled the review {session}", _session_path(activity), ""
        case "session_cancelled":
            return f"cancelled the review {session}", _session_path(activity), ""
        case "session_started":
            return f"started the silent read of {session}", _session_path(activity), ""
        case "session_discussion":
            if p.get("by_timer"):
                return (
                    f"The reading of {session} ended; the discussion started",
                    _session_path(activity),
                    "",
                )
            return f"started the discussion of {session}", _session_path(activity), ""
        case "decision_recorded":
            outcome = (p.get("outcome") or "").replace("_", " ")
            return (
                f"closed {session} with the decision: {outcome}",
                _session_path(activity),
                _short(p.get("decision_notes") or ""),
            )
        case "action_item_assigned":
            if comment_id:
                path = _comment_path(activity, comment_id, excerpts)
            else:
                path = _session_path(activity)
            due = f" (due {_day(p['due_on'])})" if p.get("due_on") else ""
            return f"assigned an action item{due}", path, _short(p.get("title") or "")
        case "andon_pulled":
            return "pulled the Andon cord", _initiative_path(activity), _short(p.get("reason", ""))
        case "andon_reset":
            return (
                "reset the Andon cord",
                _initiative_path(activity),
                _short(p.get("resolution") or p.get("reason") or ""),
            )
        case "initiative_created":
            return "created the initiative", _initiative_path(activity), ""
        case "initiative_updated":
            return "updated the customer questions", _initiative_path(activity), ""
        case "document_created":
            title = p.get("document_title") or "a document"
            path = _url("draft", activity.initiative_id, p.get("document_id"))
            return f"started {title}", path, ""
        case "status_changed":
            status = (p.get("to_status") or p.get("status") or "").replace("_", " ")
            text = f"changed the status to {status}" if status else "changed the status"
            return text, _initiative_path(activity), _short(p.get("reason") or "")
        case "role_changed":
            return (
                f"changed {p.get('member', 'a member')}’s role to {p.get('new_role')}",
                _team_path(activity),
                "",
            )
        case "member_joined":
            return f"joined {activity.team.name}", _team_path(activity), ""
        case _:
            path = _initiative_path(activity) or _team_path(activity)
            return activity.get_verb_display(), path, ""


def _mentioned(activity: Activity, excerpt: str, excerpts: Excerpts) -> tuple:
    """(name, address) of the members named in the excerpt of a comment or its reply."""
    named = ()
    for kind in ("comment", "reply"):
        pk = activity.payload.get(f"{kind}_id")
        if isinstance(pk, int):
            named += excerpts.people.get((kind, pk), ())
    return tuple(
        (name, person_path(activity.initiative_id, user_id))
        for name, user_id in dict.fromkeys(named)
        if f"@{name}" in excerpt
    )


def describe(activity: Activity, excerpts: Excerpts = NO_EXCERPTS) -> ActivityLine:
    """The line for one activity (its actor, initiative and team should be selected)."""
    text, path, excerpt = _text_and_path(activity, excerpts)
    mentioned = ()
    if excerpts.people and excerpt and activity.initiative_id:
        mentioned = _mentioned(activity, excerpt, excerpts)
    actor = activity.actor.name if activity.actor_id and activity.actor else ""
    if not actor and activity.verb != "session_discussion":
        actor = "Someone"
    return ActivityLine(
        actor=actor,
        text=text,
        initiative=activity.initiative.title if activity.initiative_id else "",
        path=path,
        excerpt=excerpt,
        created_at=activity.created_at,
        verb=activity.verb,
        mentioned=mentioned,
    )


def describe_all(activities) -> list[ActivityLine]:
    activities = list(activities)
    excerpts = excerpts_for(activities)
    return [describe(activity, excerpts) for activity in activities]
