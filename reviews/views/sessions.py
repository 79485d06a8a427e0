"""Scheduling a session, the facilitator's moves, readers' progress, the calendar and export.

The page itself and its live status are in session_page.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods

from documents.lookups import get_initiative_for_user, get_revision_for_user
from wbapp.http import HtmxHttpRequest, add_service_errors, post_only

from ..forms import CloseForm, DoneForm, ExtendForm, FocusForm, SessionForm
from ..ics import ics_filename, session_ics
from ..lookups import get_comment_for_user, get_session_for_user
from ..models import Comment, SessionPhase
from ..services import decisions, phases, scheduling
from .common import (
    FACILITATE,
    MANAGE,
    SCHEDULE,
    SESSION,
    memo_parts,
    refuse,
    session_url,
    team_members,
)
from .session_page import participants_of, session_context, status_context

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
@post_only("session_detail")
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
            "participants": participants_of(session),
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
@post_only("session_detail")
def session_start_reading(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    return _phase_move(request, session_id, phases.session_start_reading)


@login_required
@post_only("session_detail")
def session_start_discussion(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    return _phase_move(request, session_id, phases.session_start_discussion)


@login_required
@post_only("session_detail")
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
        return render(request, f"{SESSION}#status", status_context(request, session))
    messages.success(request, f"Reading extended by {form.cleaned_data['minutes']} minutes.")
    return redirect(session_url(session))


@login_required
@post_only("session_detail")
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
        return render(request, f"{SESSION}#status", status_context(request, session))
    anchor = f"#comment-{session.focused_comment_id}" if session.focused_comment_id else ""
    return redirect(session_url(session) + anchor)


@login_required
@post_only("session_detail")
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
    # Refused: the service left ``session`` as it was, so this is the page the
    # facilitator had, with the reason at the top and beside the outcome choice.
    reasons = " ".join(error for errors in form.errors.values() for error in errors)
    messages.error(request, f"The decision was not recorded: {reasons}")
    context = session_context(request, session) | {"close_form": form}
    return render(request, SESSION, context, status=400)


# --- The reader's own progress -------------------------------------------------------------


@login_required
@post_only("session_detail")
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
