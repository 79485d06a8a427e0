"""The session page in each phase, and the live status every open page polls.

The page (/s/<id>/) is one view whose content follows the phase and the viewer:
the invitation before it starts, the silent read (countdown, the memo, the
viewer's own comments in the margin), the facilitator's panel, the discussion
(every comment, in document order) and the closed record.
"""

from datetime import UTC
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wbapp.accounts.middleware import activate_user_time_zone, skips_user_time_zone
from wbapp.accounts.models import User
from wbapp.http import HtmxHttpRequest, url_for_id

from .. import live
from ..forms import CloseForm, ExtendForm
from ..lookups import get_session_for_user
from ..models import ActionItem, Comment, CommentKind, SessionPhase
from ..reading_query import readers_comments
from ..services import phases
from .common import (
    COMMENT_IN_SESSION,
    MANAGE,
    SESSION,
    comment_form,
    comment_map,
    decorate,
    margin_comments,
    memo_parts,
    render_margins,
    section_counts,
    viewer_for,
)


def participants_of(session) -> list:
    """The session's participants with their users, in the order they were invited."""
    return list(session.participants.select_related("user").order_by("pk"))


def _progress(participants) -> dict:
    """ "4 of 6 done": every participant reads, observers included."""
    return {
        "total": len(participants),
        "joined": sum(1 for p in participants if p.has_joined),
        "done": sum(1 for p in participants if p.is_done),
    }


def status_context(request: HttpRequest, session, participants=None) -> dict:
    """What the live status shows: the same for the first render and every poll."""
    user = request.user
    is_facilitator = session.facilitator_id == user.pk
    if participants is None and is_facilitator and session.phase == SessionPhase.READING:
        participants = participants_of(session)
    focused = None
    if session.phase == SessionPhase.DISCUSSION and session.focused_comment_id:
        focused = live.shared(session, "focused", lambda: _focused(session, user))
    now = timezone.now()
    left = session.reading_seconds_left(now)
    return {
        "session": session,
        "is_facilitator": is_facilitator,
        "me": session.participant_for(user),
        "participants": participants or [],
        "progress": _progress(participants or []),
        "focused": focused,
        # The countdown runs in the browser from these two instants (see session.js).
        "server_now_iso": _iso(now),
        "reading_ends_iso": _iso(session.reading_ends_at) if session.reading_ends_at else "",
        "time_left": f"{left // 60}:{left % 60:02d}",
        "etag": live.live_etag(session, user, phase=session.phase),
        "live_url": _live_url(session),
    }


def _focused(session, user) -> dict | None:
    """What the status says of the thread being discussed (plain values, see live.shared)."""
    # Every comment of a session in discussion is revealed; still, ask the rule
    # (no join: the session's lookup already read the user's membership).
    comment = (
        Comment.objects.visible_in_session(session, user)
        .select_related("author")
        .filter(pk=session.focused_comment_id)
        .first()
    )
    if comment is None:
        return None
    return {
        "kind": comment.get_kind_display(),
        "author": comment.author.name,
        "quote": comment.quote,
        "section_key": comment.section_key,
    }


# What an action item shows, and who may tick it (ActionItem.may_be_ticked_by).
ITEM_FIELDS = (
    "id",
    "initiative_id",
    "session_id",
    "comment_id",
    "title",
    "owner_id",
    "due_on",
    "done_at",
    "created_by_id",
    "created_at",
)


def _action_items(session) -> list[ActionItem]:
    """The session's action items, open first, from the values every member shares."""
    rows = live.shared(
        session,
        "items",
        lambda: list(
            session.action_items.order_by("done_at", "due_on", "pk").values(
                *ITEM_FIELDS, "owner__display_name", "owner__email"
            )
        ),
    )
    items, owners = [], {}
    for row in rows:
        # Positional: ITEM_FIELDS are the model's fields in their order (a test pins it),
        # which Model.__init__ takes the fast way; one User per owner, as items share them.
        item = ActionItem(*[row[name] for name in ITEM_FIELDS])
        owner = owners.get(row["owner_id"])
        if owner is None:
            owner = owners[row["owner_id"]] = User(
                pk=row["owner_id"],
                display_name=row["owner__display_name"],
                email=row["owner__email"],
            )
        item.owner = owner
        items.append(item)
    return items


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _live_url(session) -> str:
    return url_for_id("session_live", session.pk) + "?" + urlencode({"phase": session.phase})


def session_context(
    request: HttpRequest, session, *, rows: list[str] | None = None, lazy: bool = False
) -> dict:
    """Everything the session page shows; with ``rows``, the comments of those sections only.

    ``lazy``: a page of more than LAZY_MARGINS_ABOVE comments sends counts, and each
    margin loads its threads when it comes near the screen (views.common.margin_comments).
    """
    user = request.user
    phase = session.phase
    team = session.initiative.team
    is_facilitator = session.facilitator_id == user.pk
    # The room is listed before the session (who is invited), to the facilitator during
    # the reading (who is done) and in the record (who came); nobody else needs it.
    shows_room = phase in (SessionPhase.SCHEDULED, SessionPhase.CANCELLED, SessionPhase.CLOSED)
    shows_room |= is_facilitator and phase == SessionPhase.READING
    participants = participants_of(session) if shows_room else None
    viewer = viewer_for(user, initiative=session.initiative, session=session)
    context = {
        "session": session,
        "initiative": session.initiative,
        "team": team,
        "document": session.document,
        "revision": session.revision,
        "viewer": viewer,
        "is_facilitator": is_facilitator,
        "can_manage": phase == SessionPhase.SCHEDULED and user.has_perm(MANAGE, session),
        **status_context(request, session, participants),
    }
    if phase in (SessionPhase.SCHEDULED, SessionPhase.CANCELLED):
        return context

    if phase == SessionPhase.READING:
        # A reader sees their own new comments: no replies, +1s or carried copies yet.
        # Their author is the reader, already loaded: no join for it.
        comments, lazy_margins = readers_comments(session, user, rows), {}
        for comment in comments:
            if comment.author_id == user.pk:
                comment.author = user
    else:
        visible = Comment.objects.visible_in_session(session, user).in_document_order()
        counts = None
        if lazy and rows is None and phase == SessionPhase.DISCUSSION:
            counts = live.shared(session, "counts", lambda: section_counts(visible))
        comments, lazy_margins = margin_comments(visible, user, rows=rows, lazy=lazy, counts=counts)
    items = []
    if phase == SessionPhase.DISCUSSION:
        items = _action_items(session)
    elif phase != SessionPhase.READING:
        items = list(session.action_items.select_related("owner").order_by("done_at", "due_on"))
    decorate(comments, viewer, items)
    parts = memo_parts(session.revision, comments, rows=rows)
    can_comment = phase in (
        SessionPhase.READING,
        SessionPhase.DISCUSSION,
    ) and user.has_perm(COMMENT_IN_SESSION, session)
    context |= {
        "parts": parts,
        "comments": comments,
        "comment_count": sum(lazy_margins.values()) or len(comments),
        "lazy_margins": lazy_margins,
        "action_items": items,
        "can_comment": can_comment,
        "comment_form": (
            comment_form(parts, initiative_id=session.initiative_id) if can_comment else None
        ),
        "comment_url": url_for_id("session_comment_create", session.pk),
        "margins_url": url_for_id("session_detail", session.pk) + "?fragment=margins",
    }
    if phase == SessionPhase.READING and is_facilitator:
        # Only the facilitator's panel offers more time.
        context["extend_form"] = ExtendForm()
    if phase == SessionPhase.DISCUSSION and is_facilitator:
        context["close_form"] = CloseForm()
    if phase == SessionPhase.CLOSED:
        used = session.reading_time_used
        context |= {
            "comment_map": comment_map(parts),
            "kinds": CommentKind.choices,
            "attendees": [p for p in context["participants"] if p.has_joined],
            "reading_used": f"{round(used.total_seconds() / 60)} min" if used else "",
        }
    return context


@login_required
@require_GET
def session_detail(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    # Opening the page during the session marks a participant as joined.
    phases.participant_open(user=request.user, session=session)
    fragment = request.htmx and request.GET.get("fragment") == "margins"
    rows = request.GET["rows"].split(",") if fragment and request.GET.get("rows") else None
    # Without JavaScript, ?margins=all shows every margin filled in.
    lazy = not fragment and request.GET.get("margins") != "all"
    context = session_context(request, session, rows=rows, lazy=lazy)
    if fragment and "parts" in context:
        return render_margins(request, context)
    return render(request, SESSION, context)


@skips_user_time_zone
@require_GET
def session_live(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    """The status every open session page polls each second.

    304 when nothing changed (no query: the ETag is checked before the user is
    loaded, hence no login_required on the way in); HX-Refresh when the phase is
    no longer the one the page shows; else the status fragment. A poll after the
    reading time is up ends the reading, so the session moves on even where no
    worker runs.
    """
    page_phase = request.GET.get("phase", "")
    current, etag = live.etag_is_current(request, session_id, page_phase)
    if current:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-store"
        return response
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    activate_user_time_zone(request.user)
    session = get_session_for_user(request.user, session_id)
    if session.reading_is_due():
        phases.session_end_reading_if_due(session_id=session.pk)
        session = get_session_for_user(request.user, session_id)
    if session.phase != page_phase:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        response["Cache-Control"] = "private, no-store"
        return response
    me = session.participant_for(request.user)
    if me is not None and me.joined_at is None:
        phases.participant_open(user=request.user, session=session)
    # The facilitator's list of who is reading and who is done comes along (out of band).
    context = status_context(request, session) | {"oob_people": True}
    response = render(request, f"{SESSION}#status", context)
    response["ETag"] = context["etag"]
    response["Cache-Control"] = "private, no-store"
    return response
