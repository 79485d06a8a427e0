"""Scheduling, the session page in each phase, its live status and the facilitator's moves."""

from dataclasses import replace
from datetime import UTC
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotModified,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents.lookups import get_initiative_for_user, get_revision_for_user
from wbapp.accounts.middleware import activate_user_time_zone, skips_user_time_zone
from wbapp.accounts.rules import is_editor, is_reviewer
from wbapp.http import HtmxHttpRequest, add_service_errors

from .. import live
from ..forms import CloseForm, DoneForm, ExtendForm, FocusForm, SessionForm
from ..ics import ics_filename, session_ics
from ..lookups import get_comment_for_user, get_session_for_user
from ..models import Comment, CommentKind, SessionPhase
from ..services import decisions, phases, scheduling
from .common import (
    COMMENT_IN_SESSION,
    FACILITATE,
    LAZY_MARGINS_ABOVE,
    MANAGE,
    MEMO,
    SCHEDULE,
    SESSION,
    Viewer,
    comment_form,
    comment_map,
    decorate,
    memo_parts,
    mentions_url,
    refuse,
    session_url,
    team_members,
)

# --- Scheduling ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def session_create(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """Schedule a review of one iteration: ?document=<id>&iteration=<number>."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    if not request.user.has_perm(SCHEDULE, initiative):
        raise PermissionDenied
    try:
        document_id = int(request.GET.get("document", ""))
        number = int(request.GET.get("iteration", ""))
    except ValueError as exc:
        raise Http404("Choose an iteration to review.") from exc
    revision = get_revision_for_user(request.user, initiative_id, document_id, number)
    members = team_members(initiative.team)
    minutes = scheduling.suggested_reading_minutes(revision.word_count)
    initial = {
        "title": f"Review of {revision.document.display_title}, iteration {revision.number}",
        "reading_minutes": minutes,
        "facilitator": request.user.pk,
    }
    form = SessionForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            session = scheduling.session_schedule(
                user=request.user,
                revision=revision,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                reading_minutes=form.cleaned_data["reading_minutes"],
                facilitator=form.cleaned_data["facilitator"],
                participants=form.participants(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Review “{session.title}” scheduled.")
            return redirect("session_detail", session.pk)
    context = {
        "initiative": initiative,
        "team": initiative.team,
        "revision": revision,
        "document": revision.document,
        "form": form,
        "suggested_minutes": minutes,
        "session": None,
    }
    return render(request, "reviews/session_form.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def session_reschedule(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id, perm=MANAGE)
    if session.phase != SessionPhase.SCHEDULED:
        messages.error(request, "Only a session that has not started can be rescheduled.")
        return redirect("session_detail", session.pk)
    members = team_members(session.initiative.team)
    roles = dict(session.participants.values_list("user_id", "role"))
    initial = {
        "title": session.title,
        "starts_at": timezone.localtime(session.starts_at),
        "reading_minutes": session.reading_minutes,
        "facilitator": session.facilitator_id,
    } | {f"role_{user_id}": role for user_id, role in roles.items()}
    form = SessionForm(request.POST or None, members=members, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.session_reschedule(
                user=request.user,
                session=session,
                title=form.cleaned_data["title"],
                starts_at=form.cleaned_data["starts_at"],
                reading_minutes=form.cleaned_data["reading_minutes"],
                facilitator=form.cleaned_data["facilitator"],
                participants=form.participants(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Session rescheduled.")
            return redirect("session_detail", session.pk)
    context = {
        "initiative": session.initiative,
        "team": session.initiative.team,
        "revision": session.revision,
        "document": session.document,
        "form": form,
        "suggested_minutes": scheduling.suggested_reading_minutes(session.revision.word_count),
        "session": session,
    }
    return render(request, "reviews/session_form.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def session_cancel(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id, perm=MANAGE)
    url = session_url(session)
    try:
        scheduling.session_cancel(user=request.user, session=session)
    except ValidationError as exc:
        return refuse(request, exc, url)
    messages.success(request, "Session cancelled.")
    return redirect(url)


# --- The session page ------------------------------------------------------------------------


# A 304 is given for an ETag at most this old; then one full answer. If a version
# published to the cache were ever lost (a process killed between commit and
# publish), pages would still catch up within this time.
ETAG_MAX_AGE_SECONDS = 20


def _live_etag(session, user, *, phase: str) -> str:
    """An ETag only this user can have been given for this state of the session.

    It carries what the 304 path needs without reading the session row: the
    version, the phase the page shows, when the reading ends (a poll after the
    end is never a 304) and when it was issued. Signed, so that nobody can forge
    one to learn whether a session they cannot see has changed.
    """
    ends = int(session.reading_ends_at.timestamp()) if session.reading_ends_at else 0
    issued = int(timezone.now().timestamp())
    return _sign_etag(session.pk, user.pk, f"{session.state_version}.{phase}.{ends}.{issued}")


def _sign_etag(session_id: int, user_id: int, value: str) -> str:
    signature = salted_hmac(
        "reviews.live", f"{session_id}:{user_id}:{value}", algorithm="sha256"
    ).hexdigest()[:20]
    return f'"{value}.{signature}"'


def _etag_is_current(request: HttpRequest, session_id: int, phase: str) -> tuple[bool, str]:
    """Whether If-None-Match names the session's current state: the cheap 304 path.

    No query at all: the signed-in user's id comes from the login session (kept in
    the cache, see SESSION_ENGINE) without loading the user (the view activates
    the user's time zone only after this), and the version from the cache the
    services raise after each commit. Only the user the ETag was signed for, in a
    login session, gets a 304; anyone else goes the full way, through the
    permission checks. A 304 tells nothing new, and ETags age out within
    ETAG_MAX_AGE_SECONDS, so a user signed out elsewhere meanwhile learns nothing
    from one.
    """
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return False, ""
    sent = request.headers.get("If-None-Match", "").strip().removeprefix("W/")
    value = sent.strip('"').rpartition(".")[0]
    parts = value.split(".")
    if len(parts) != 4 or parts[1] != phase:
        return False, ""
    try:
        version, ends, issued = int(parts[0]), int(parts[2]), int(parts[3])
    except ValueError:
        return False, ""
    if not constant_time_compare(_sign_etag(session_id, user_id, value), sent):
        return False, ""
    now = timezone.now().timestamp()
    if now - issued > ETAG_MAX_AGE_SECONDS:
        return False, ""
    if phase == SessionPhase.READING and ends <= now:
        return False, ""
    return live.live_state_version(session_id) == version, sent


def _participants(session) -> list:
    return list(session.participants.select_related("user").order_by("pk"))


def _progress(participants) -> dict:
    """ "4 of 6 done": every participant reads, observers included."""
    return {
        "total": len(participants),
        "joined": sum(1 for p in participants if p.has_joined),
        "done": sum(1 for p in participants if p.is_done),
    }


def _status_context(request: HttpRequest, session, participants=None) -> dict:
    """What the live status shows: the same for the first render and every poll."""
    user = request.user
    is_facilitator = session.facilitator_id == user.pk
    if participants is None and is_facilitator and session.phase == SessionPhase.READING:
        participants = _participants(session)
    focused = None
    if session.phase == SessionPhase.DISCUSSION and session.focused_comment_id:
        # Every comment of a session in discussion is revealed; still, ask the rule
        # (no join: the session's lookup already read the user's membership).
        focused = live.kept_per_state(
            session,
            "focused",
            lambda: (
                Comment.objects.visible_in_session(session, user)
                .select_related("author")
                .filter(pk=session.focused_comment_id)
                .first()
            ),
        )
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
        "etag": _live_etag(session, user, phase=session.phase),
        "live_url": _live_url(session),
    }


def _iso(moment) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _live_url(session) -> str:
    return reverse("session_live", args=[session.pk]) + "?" + urlencode({"phase": session.phase})


def _session_context(
    request: HttpRequest, session, *, rows: list[str] | None = None, lazy: bool = False
) -> dict:
    """Everything the session page shows; with ``rows``, the comments of those sections only.

    ``lazy``: a discussion of more than LAZY_MARGINS_ABOVE comments sends counts, and
    each margin loads its threads when it comes near the screen.
    """
    user = request.user
    phase = session.phase
    team = session.initiative.team
    is_facilitator = session.facilitator_id == user.pk
    # The room is listed before the session (who is invited), to the facilitator during
    # the reading (who is done) and in the record (who came); nobody else needs it.
    shows_room = phase in (SessionPhase.SCHEDULED, SessionPhase.CANCELLED, SessionPhase.CLOSED)
    shows_room |= is_facilitator and phase == SessionPhase.READING
    participants = _participants(session) if shows_room else None
    mode = {
        SessionPhase.READING: "reading",
        SessionPhase.DISCUSSION: "discussion",
    }.get(phase, "record")
    viewer = Viewer(
        user=user,
        mode=mode,
        mentions_url=mentions_url(session.initiative_id),
        is_editor=is_editor(user, team),
        is_facilitator=is_facilitator,
        may_discuss=phase == SessionPhase.DISCUSSION
        and (is_reviewer(user, team) or user.has_perm(COMMENT_IN_SESSION, session)),
    )
    context = {
        "session": session,
        "initiative": session.initiative,
        "team": team,
        "document": session.document,
        "revision": session.revision,
        "viewer": viewer,
        "is_facilitator": is_facilitator,
        "can_manage": phase == SessionPhase.SCHEDULED and user.has_perm(MANAGE, session),
        **_status_context(request, session, participants),
    }
    if phase in (SessionPhase.SCHEDULED, SessionPhase.CANCELLED):
        return context

    visible = Comment.objects.visible_in_session(session, user).in_document_order()
    lazy_margins = {}
    if rows is not None:
        # Some sections' margins only (they load as they come near the screen).
        visible = visible.filter(section_key__in=rows)
    elif lazy and phase == SessionPhase.DISCUSSION:
        # Hundreds of threads: each margin shows its count and loads when needed.
        counts = live.kept_per_state(
            session,
            "counts",
            lambda: dict(visible.order_by().values_list("section_key").annotate(Count("pk"))),
        )
        if sum(counts.values()) > LAZY_MARGINS_ABOVE:
            lazy_margins = counts
    if lazy_margins:
        comments = []
    elif phase == SessionPhase.READING:
        # A reader sees their own new comments: no replies, +1s or carried copies yet.
        # Their author is the reader, already loaded: no join for it.
        comments = list(visible)
        for comment in comments:
            if comment.author_id == user.pk:
                comment.author = user
    else:
        comments = list(visible.for_display(user))
    items = []
    if phase != SessionPhase.READING:
        ordered = session.action_items.select_related("owner").order_by("done_at", "due_on")
        if phase == SessionPhase.DISCUSSION:
            items = live.kept_per_state(session, "items", lambda: list(ordered))
        else:
            items = list(ordered)
    decorate(comments, viewer, items)
    parts = memo_parts(session.revision, comments)
    if rows is not None:
        parts = [
            replace(part, rows=[row for row in part.rows if row.key in rows]) for part in parts
        ]
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
        "comment_url": reverse("session_comment_create", args=[session.pk]),
        "margins_url": reverse("session_detail", args=[session.pk]) + "?fragment=margins",
    }
    if phase == SessionPhase.READING:
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
    context = _session_context(request, session, rows=rows, lazy=lazy)
    if fragment and "parts" in context:
        rows_shown = [row for part in context["parts"] for row in part.rows]
        if request.GET.get("swap") == "inner" and len(rows_shown) == 1:
            # One margin's threads, into the margin that asked as it came near the screen.
            return render(request, f"{MEMO}#margin_inner", context | {"row": rows_shown[0]})
        # Margins (all, or the sections in ``rows``), fetched again after others
        # replied or resolved.
        return render(request, f"{MEMO}#margins_oob", context)
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
    current, etag = _etag_is_current(request, session_id, page_phase)
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
    context = _status_context(request, session) | {"oob_people": True}
    response = render(request, f"{SESSION}#status", context)
    response["ETag"] = context["etag"]
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def session_calendar(request: HttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    url = request.build_absolute_uri(session_url(session))
    response = HttpResponse(
        session_ics(session, url=url), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{ics_filename(session)}"'
    return response


@login_required
@require_GET
def session_export(request: HttpRequest, session_id: int) -> HttpResponse:
    """The session as Markdown: the record, and the comments this user may see."""
    session = get_session_for_user(request.user, session_id)
    comments = list(
        Comment.objects.visible_in_session(session, request.user)
        .for_display(request.user)
        .in_document_order()
    )
    items = list(session.action_items.select_related("owner"))
    text = render_to_string(
        "reviews/session_export.md",
        {
            "session": session,
            "parts": memo_parts(session.revision, comments),
            "comments": comments,
            "participants": _participants(session),
            "action_items": items,
        },
        request=request,
    )
    name = slugify(session.title) or "session"
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{session.pk}.md"'
    return response


# --- Phase moves (the facilitator) ------------------------------------------------------------


def _phase_move(request: HttpRequest, session_id: int, move, **kwargs) -> HttpResponse:
    session = get_session_for_user(request.user, session_id, perm=FACILITATE)
    url = session_url(session)
    try:
        move(user=request.user, session=session, **kwargs)
    except ValidationError as exc:
        return refuse(request, exc, url)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return redirect(url)


@login_required
@require_POST
def session_start_reading(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    return _phase_move(request, session_id, phases.session_start_reading)


@login_required
@require_POST
def session_start_discussion(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    return _phase_move(request, session_id, phases.session_start_discussion)


@login_required
@require_POST
def session_extend(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id, perm=FACILITATE)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose how many minutes to add.")
    try:
        phases.session_extend(
            user=request.user, session=session, minutes=form.cleaned_data["minutes"]
        )
    except ValidationError as exc:
        return refuse(request, exc, session_url(session))
    if request.htmx:
        # The countdown on this page moves at once; the others' at their next poll.
        return render(request, f"{SESSION}#status", _status_context(request, session))
    messages.success(request, f"Reading extended by {form.cleaned_data['minutes']} minutes.")
    return redirect(session_url(session))


@login_required
@require_POST
def session_focus(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    """Step through the threads: ``comment=<id>`` for one thread, nothing for the next."""
    session = get_session_for_user(request.user, session_id, perm=FACILITATE)
    form = FocusForm(request.POST)
    try:
        if form.is_valid():
            comment = get_comment_for_user(
                request.user, form.cleaned_data["comment"], session_id=session.pk
            )
            phases.session_focus(user=request.user, session=session, comment=comment)
        else:
            phases.session_focus_next(user=request.user, session=session)
    except ValidationError as exc:
        return refuse(request, exc, session_url(session))
    if request.htmx:
        return render(request, f"{SESSION}#status", _status_context(request, session))
    anchor = f"#comment-{session.focused_comment_id}" if session.focused_comment_id else ""
    return redirect(session_url(session) + anchor)


@login_required
@require_POST
def session_close(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id, perm=FACILITATE)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            decisions.session_close(
                user=request.user,
                session=session,
                outcome=form.cleaned_data["outcome"],
                decision_notes=form.cleaned_data["decision_notes"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Decision recorded; the session is closed.")
            return redirect(session_url(session))
    context = _session_context(request, session) | {"close_form": form}
    return render(request, SESSION, context, status=400)


# --- The reader's own progress -------------------------------------------------------------


@login_required
@require_POST
def participant_done(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    form = DoneForm(request.POST)
    done = form.cleaned_data["done"] if form.is_valid() else True
    move = phases.participant_mark_done if done else phases.participant_mark_reading
    try:
        participant = move(user=request.user, session=session)
    except ValidationError as exc:
        return refuse(request, exc, session_url(session))
    if request.htmx:
        session.remember_participant(request.user, participant)
        return render(request, f"{SESSION}#done_button", {"session": session, "me": participant})
    return redirect(session_url(session))
