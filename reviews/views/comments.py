"""Comments in a session and on an iteration, and their threads: replies, +1, resolve, actions."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import reswap, retarget, trigger_client_event

from documents.lookups import get_revision_for_user
from documents.models import Revision
from wbapp.http import HtmxHttpRequest, add_service_errors, next_path, post_only

from ..forms import ActionItemForm, ReplyForm
from ..lookups import get_action_item_for_user, get_comment_for_user, get_session_for_user
from ..mentions import mention_feedback
from ..models import ActionItem, Anchoring, Comment, mark_where_it_was
from ..rendered import BOX, CARD, MEMO
from ..services import action_items, comments
from ..session_query import iteration_sessions
from ..thread_counts import iteration_counts
from .common import (
    ACTION_FORM,
    COMMENT_IN_SESSION,
    COMMENT_ON_INITIATIVE,
    SCHEDULE,
    MemoRow,
    Viewer,
    comment_form,
    decorate,
    margin_comments,
    members_of,
    memo_parts,
    refuse,
    render_margins,
    session_url,
    too_many_for_the_page,
    viewer_for,
)

# --- Comments -----------------------------------------------------------------------------------


def _saved_response(
    request, *, box_context: dict, row: MemoRow, viewer: Viewer, saved: int
) -> HttpResponse:
    """After a comment is saved: an empty comment box, and the section's margin again (oob)."""
    box = render_to_string(BOX, box_context | {"saved": saved}, request=request)
    margin = render_to_string(
        f"{MEMO}#margin", {"row": row, "viewer": viewer, "oob": True}, request=request
    )
    return HttpResponse(box + margin)


def _create_comment(request, *, revision, session, parts, viewer, box_context, url):
    initiative_id = revision.document.initiative_id
    form = comment_form(parts, request.POST, initiative_id=initiative_id)
    if form.is_valid():
        try:
            comment = comments.comment_create(
                user=request.user,
                revision=revision,
                session=session,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
                **form.anchor(),
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("phase", "private", "finished"):
                return refuse(request, exc, url)
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, "Comment saved.")
                mention_feedback(request, comment)
                return redirect(f"{url}#comment-{comment.pk}")
            if session is not None:
                visible = Comment.objects.visible_in_session(session, request.user)
            else:
                visible = Comment.objects.visible_on(revision, request.user).anchored()
            visible = visible.filter(section_key=comment.section_key)
            row_comments = list(visible.for_display(request.user).in_document_order())
            items = list(ActionItem.objects.filter(comment__in=[c.pk for c in row_comments]))
            decorate(row_comments, viewer, items)
            row = next(r for part in parts for r in part.rows if r.key == comment.section_key)
            row.comments = row_comments
            fresh = comment_form(parts, initiative_id=initiative_id)
            response = _saved_response(
                request,
                box_context=box_context | {"form": fresh},
                row=row,
                viewer=viewer,
                saved=comment.pk,
            )
            return mention_feedback(request, comment, response)
    context = box_context | {"form": form, "open": True}
    if request.htmx:
        response = render(request, BOX, context, status=400)
        return reswap(retarget(response, "#comment-box"), "outerHTML")
    return render(request, "reviews/comment_form_page.html", context, status=400)


@login_required
@post_only("session_detail")
def session_comment_create(request: HtmxHttpRequest, session_id: int) -> HttpResponse:
    session = get_session_for_user(request.user, session_id)
    if not request.user.has_perm(COMMENT_IN_SESSION, session):
        raise PermissionDenied
    viewer = viewer_for(request.user, initiative=session.initiative, session=session)
    parts = memo_parts(session.revision)
    url = session_url(session)
    box_context = {
        "comment_url": reverse("session_comment_create", args=[session.pk]),
        "back_url": url,
        "session": session,
    }
    return _create_comment(
        request,
        revision=session.revision,
        session=session,
        parts=parts,
        viewer=viewer,
        box_context=box_context,
        url=url,
    )


def _iteration_url(revision: Revision) -> str:
    document = revision.document
    return reverse("iteration_detail", args=[document.initiative_id, document.pk, revision.number])


@login_required
@post_only("iteration_detail")
def iteration_comment_create(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, number: int
) -> HttpResponse:
    """An asynchronous comment on an iteration, visible to the team at once."""
    revision = get_revision_for_user(request.user, initiative_id, document_id, number)
    initiative = revision.document.initiative
    if not request.user.has_perm(COMMENT_ON_INITIATIVE, initiative):
        raise PermissionDenied
    viewer = viewer_for(request.user, initiative=initiative)
    url = _iteration_url(revision)
    box_context = {
        "comment_url": reverse(
            "iteration_comment_create", args=[initiative_id, document_id, number]
        ),
        "back_url": url,
    }
    return _create_comment(
        request,
        revision=revision,
        session=None,
        parts=memo_parts(revision),
        viewer=viewer,
        box_context=box_context,
        url=url,
    )


def iteration_comment_context(
    user, revision: Revision, *, rows: list[str] | None = None, lazy: bool = True
) -> dict:
    """Context for reviews/includes/iteration_comments.html on the iteration page.

    The iteration as a memo with the comments the user may see in its margin
    (asynchronous ones, revealed session ones, and the user's own), the comment
    box for reviewers and up, the sessions that review this iteration and the
    "Schedule a review" link for editors. Carried threads whose words are gone
    from this iteration ("outdated") cannot sit beside a passage: they come apart
    as ``review.outdated``. Past LAZY_MARGINS_ABOVE threads the margins load as they
    come near the screen (``rows``: those sections' only; see margin_comments): one
    query counts them per section (and the outdated ones apart), and the threads
    are read only where they are shown. A fixed number of queries however many
    comments there are.
    """
    document = revision.document
    initiative = document.initiative

    def visible():
        # Built only where threads are read: past LAZY_MARGINS_ABOVE, none may be.
        shown = Comment.objects.visible_on(revision, user, team_id=initiative.team_id)
        return shown.in_document_order()

    # A carried thread whose words are gone cannot sit beside a passage, whatever
    # its status now (it may have been marked addressed or resolved since).
    lost = Q(anchoring=Anchoring.LOST)
    counts, outdated_count = {}, 0
    if rows is None and lazy:
        # The query {% iteration_threads %} made for its counts by status, if it ran first.
        found = iteration_counts(user, revision)
        counts, outdated_count = dict(found.sections), found.outdated
    if rows is None and not too_many_for_the_page(counts):
        # Few: every thread at once, in one query, sorted out here.
        comments = list(visible().for_display(user))
        anchored = [comment for comment in comments if not comment.passage_lost]
        lazy_margins = {}
    else:
        if rows is None and lazy:
            # Too many: each margin shows its count and loads its threads near the screen.
            anchored, lazy_margins = [], counts
        else:
            anchored, lazy_margins = margin_comments(visible().exclude(lost), user, rows=rows)
        comments = list(anchored)
        if outdated_count:
            comments += list(visible().filter(lost).for_display(user))
    outdated = [comment for comment in comments if comment.passage_lost]
    mark_where_it_was(outdated, revision)
    # No thread shown (the margins load later): no action item to look for, no query to build.
    items = (
        list(
            ActionItem.objects.visible_to(user)
            .filter(comment__in=[comment.pk for comment in comments])
            .select_related("owner")
        )
        if comments
        else []
    )
    viewer = viewer_for(user, initiative=initiative)
    decorate(comments, viewer, items)
    parts = memo_parts(revision, anchored, rows=rows)
    schedule_url = ""
    if user.has_perm(SCHEDULE, initiative):
        query = urlencode({"document": document.pk, "iteration": revision.number})
        schedule_url = reverse("session_create", args=[initiative.pk]) + "?" + query
    may_comment = user.has_perm(COMMENT_ON_INITIATIVE, initiative)
    args = [initiative.pk, document.pk, revision.number]
    return {
        "review": {
            "parts": parts,
            "comments": anchored,
            "outdated": outdated,
            "sessions": iteration_sessions(revision),
            "schedule_url": schedule_url,
        },
        "parts": parts,
        "lazy_margins": lazy_margins,
        "margins_url": reverse("iteration_margins", args=args) + "?fragment=margins",
        "viewer": viewer,
        "can_comment": may_comment,
        "comment_form": comment_form(parts, initiative_id=initiative.pk) if may_comment else None,
        "comment_url": reverse("iteration_comment_create", args=args),
    }


@login_required
@require_GET
def iteration_margins(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, number: int
) -> HttpResponse:
    """Some margins of an iteration page: ``?rows=<section key>,…`` (htmx fragments)."""
    revision = get_revision_for_user(request.user, initiative_id, document_id, number)
    rows = [key for key in request.GET.get("rows", "").split(",") if key] or None
    context = iteration_comment_context(request.user, revision, rows=rows, lazy=False)
    return render_margins(request, context | {"document": revision.document, "revision": revision})


# --- Threads: replies, +1, resolve, action items -----------------------------------------------


def _thread_url(comment: Comment) -> str:
    if comment.session_id is not None:
        return f"{session_url(comment.session)}#comment-{comment.pk}"
    number, document_id = (
        Revision.objects.filter(pk=comment.revision_id).values_list("number", "document_id").get()
    )
    url = reverse("iteration_detail", args=[comment.initiative_id, document_id, number])
    return f"{url}#comment-{comment.pk}"


def _thread_response(request, comment: Comment, **extra) -> HttpResponse:
    """The thread again (htmx), or back to where it is shown."""
    if not request.htmx:
        return redirect(_thread_url(comment))
    viewer = viewer_for(request.user, initiative=comment.initiative, session=comment.session)
    fresh = Comment.objects.visible_to(request.user).for_display(request.user).get(pk=comment.pk)
    fresh.session = comment.session
    items = list(fresh.action_items.select_related("owner"))
    decorate([fresh], viewer, items)
    context = {"comment": fresh, "viewer": viewer, **extra}
    return render(request, CARD, context, status=400 if extra else 200)


def _thread_action(request, comment_id: int, action) -> HttpResponse:
    comment = get_comment_for_user(request.user, comment_id)
    try:
        action(comment)
    except ValidationError as exc:
        return refuse(request, exc, _thread_url(comment))
    return _thread_response(request, comment)


@login_required
@post_only("comment_where")
def reply_create(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    comment = get_comment_for_user(request.user, comment_id)
    form = ReplyForm(request.POST)
    if form.is_valid():
        try:
            reply = comments.reply_create(
                user=request.user, comment=comment, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("private", "finished"):
                return refuse(request, exc, _thread_url(comment))
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                mention_feedback(request, reply)
                return _thread_response(request, comment)
            # The form the keyboard was on is swapped away: reading.js puts the focus
            # on the new reply once the thread has settled.
            response = trigger_client_event(
                _thread_response(request, comment),
                "wb:replied",
                {"reply": f"thread-reply-{reply.pk}"},
                after="settle",
            )
            return mention_feedback(request, reply, response)
    if not request.htmx:
        messages.error(request, "Write a reply first.")
        return redirect(_thread_url(comment))
    return _thread_response(request, comment, reply_form=form)


@login_required
@post_only("comment_where")
def comment_resolve(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    return _thread_action(
        request,
        comment_id,
        lambda comment: comments.comment_resolve(user=request.user, comment=comment),
    )


@login_required
@post_only("comment_where")
def comment_reopen(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    return _thread_action(
        request,
        comment_id,
        lambda comment: comments.comment_reopen(user=request.user, comment=comment),
    )


@login_required
@post_only("comment_where")
def comment_plus_one(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    return _thread_action(
        request,
        comment_id,
        lambda comment: comments.comment_toggle_plus_one(user=request.user, comment=comment),
    )


@login_required
@post_only("comment_where")
def comment_delete(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    """Take back one's own comment during the reading, before anyone else saw it."""
    comment = get_comment_for_user(request.user, comment_id)
    url = _thread_url(comment).split("#")[0]
    try:
        comments.comment_delete(user=request.user, comment=comment)
    except ValidationError as exc:
        return refuse(request, exc, url)
    if request.htmx:
        # The card goes; reading.js takes its highlight away.
        return HttpResponse("")
    messages.success(request, "Comment deleted.")
    return redirect(url)


@login_required
@require_http_methods(["GET", "POST"])
def action_item_create(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    """Turn a thread into an action item. GET: the form (loaded into the thread on demand)."""
    comment = get_comment_for_user(request.user, comment_id)
    viewer = viewer_for(request.user, initiative=comment.initiative, session=comment.session)
    if viewer.mode in ("reading", "record"):
        message = {
            "reading": "Action items can be added once the discussion starts.",
            "record": "The session is over and its record is read-only.",
        }[viewer.mode]
        return refuse(request, ValidationError(message), _thread_url(comment))
    if not viewer.may_discuss:
        raise PermissionDenied
    form = ActionItemForm(
        request.POST or None,
        members=members_of(comment.initiative.team),
        initial={"owner": comment.author_id},
    )
    if request.method == "POST" and form.is_valid():
        try:
            action_items.action_item_create(
                user=request.user,
                initiative=comment.initiative,
                comment=comment,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) in ("private", "finished"):
                return refuse(request, exc, _thread_url(comment))
            add_service_errors(form, exc)
        else:
            return _thread_response(request, comment)
    status = 400 if form.errors else 200
    context = {"comment": comment, "form": form, "back_url": _thread_url(comment)}
    if request.htmx:
        response = render(request, ACTION_FORM, context, status=status)
        if form.errors:
            retarget(response, f"#action-slot-{comment.pk}")
            reswap(response, "innerHTML")
        return response
    return render(request, "reviews/action_item_form_page.html", context, status=status)


@login_required
@post_only("my_action_items")
def action_item_done(request: HtmxHttpRequest, item_id: int) -> HttpResponse:
    item = get_action_item_for_user(request.user, item_id)
    done = request.POST.get("done", "1") != "0"
    action_items.action_item_set_done(user=request.user, item=item, done=done)
    if item.session_id is not None:
        url = reverse("session_detail", args=[item.session_id]) + "#action-items"
    else:
        url = reverse("initiative_detail", args=[item.initiative_id])
    # The page the list was on ("My action items", "My reviews"), when it says so.
    next_url = next_path(request, "")
    if request.htmx:
        return render(
            request, "reviews/includes/action_item.html", {"item": item, "next": next_url}
        )
    return redirect(next_url or url)
