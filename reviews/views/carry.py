"""Carried threads: "How was this addressed?", marking a thread addressed, and where it was.

The page /i/<i>/d/<d>/iterations/<n>/comments/<c>/addressed/ puts the passage a
thread was first made on beside its counterpart in iteration n (or says the
passage was removed, with a link to the last iteration that had it). The short
addresses under /c/<id>/ redirect to it or to the thread's place, so that a
comment card can link there without knowing its iteration's number.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from documents.diffing import diff_text
from documents.lookups import get_revision_for_user
from documents.models import Revision
from wbapp.http import HtmxHttpRequest, next_path, post_only

from ..anchoring import anchor_targets, section_plain_text
from ..forms import AddressedForm
from ..lookups import get_comment_for_user
from ..models import UNRESOLVED_STATUSES, Anchoring, Comment, CommentStatus
from ..reanchoring import Text
from ..services import comments
from .comments import _thread_response, _thread_url
from .common import refuse

ADDRESS = "reviews.address_comment"
MODERATE = "reviews.moderate_comment"
# Characters shown either side of a passage, at most (a paragraph usually ends sooner).
EXCERPT_ROOM = 320


@dataclass(frozen=True)
class Passage:
    """A commented passage in one iteration, with some of the text around it."""

    number: int
    heading: str
    before: str
    quote: str
    after: str
    clipped_before: bool
    clipped_after: bool
    url: str


def _excerpt(text: str, i: int, j: int) -> tuple[str, str, str, bool, bool]:
    """The paragraph(s) around text[i:j], cut at a word within EXCERPT_ROOM characters."""
    start = text.rfind("\n", 0, i) + 1
    if i - start > EXCERPT_ROOM:
        start = text.find(" ", i - EXCERPT_ROOM, i) + 1 or i - EXCERPT_ROOM
    end = text.find("\n", j)
    end = len(text) if end == -1 else end
    if end - j > EXCERPT_ROOM:
        space = text.rfind(" ", j, j + EXCERPT_ROOM)
        end = space if space > j else j + EXCERPT_ROOM
    # An ellipsis only where a paragraph was cut, not where one begins or ends.
    clipped_before = start > 0 and text[start - 1] != "\n"
    clipped_after = end < len(text) and text[end] != "\n"
    return text[start:i], text[i:j], text[j:end], clipped_before, clipped_after


def _iteration_url(document, number: int, comment_id: int) -> str:
    url = reverse("iteration_detail", args=[document.initiative_id, document.pk, number])
    return f"{url}#comment-{comment_id}"


def _passage(revision: Revision, comment: Comment) -> Passage | None:
    """Where ``comment`` sits in ``revision``'s text; None when its words are not there."""
    if comment.anchoring == Anchoring.LOST:
        return None
    target = next((t for t in anchor_targets(revision) if t.key == comment.section_key), None)
    if target is None:
        return None
    text = Text(section_plain_text(target.html))
    i, j = text.index(comment.start), text.index(comment.end)
    if i is None or j is None or (comment.quote and text.raw[i:j] != comment.quote):
        return None
    if not comment.quote:
        # A comment on the whole section: show its beginning.
        i = j = 0
    before, quote, after, clipped_before, clipped_after = _excerpt(text.raw, i, j)
    return Passage(
        number=revision.number,
        heading=target.heading,
        before=before,
        quote=quote,
        after=after,
        clipped_before=clipped_before,
        clipped_after=clipped_after,
        url=_iteration_url(revision.document, revision.number, comment.pk),
    )


def _chain(comment: Comment) -> list[dict]:
    """Every copy of the thread, oldest iteration first (one query)."""
    root = comment.origin_id or comment.pk
    return list(
        Comment.objects.filter(Q(pk=root) | Q(origin_id=root))
        .order_by("revision__number")
        .values("pk", "revision_id", "revision__number", "anchoring", "status", "section_key")
    )


def addressed_context(user, revision: Revision, comment: Comment) -> dict:
    """What "How was this addressed?" shows (a fixed number of queries)."""
    chain = _chain(comment)
    first = chain[0]
    if first["pk"] == comment.pk:
        origin, origin_revision = comment, revision
    else:
        origin = Comment.objects.get(pk=first["pk"])
        origin_revision = Revision.objects.select_related("document").get(pk=origin.revision_id)
        origin.revision = origin_revision
    now = _passage(revision, comment)
    # Where it was: the newest earlier copy that still sat on its words.
    was = next(
        (
            c
            for c in reversed(chain)
            if c["revision__number"] < revision.number and c["anchoring"] != Anchoring.LOST
        ),
        None,
    )
    later = next((c for c in chain if c["revision__number"] > revision.number), None)
    changes = None
    if now is not None and origin is not comment and origin.quote and comment.quote:
        diff = diff_text(origin.quote, comment.quote)
        changes = diff if diff.changed else None
    is_newest = later is None
    return {
        "revision": revision,
        "document": revision.document,
        "initiative": revision.document.initiative,
        "comment": comment,
        "origin": origin,
        "then": _passage(origin_revision, origin) if origin is not comment else None,
        "now": now,
        "changes": changes,
        "was_url": _iteration_url(revision.document, was["revision__number"], was["pk"])
        if was
        else "",
        "was_number": was["revision__number"] if was else None,
        "later_url": _iteration_url(revision.document, later["revision__number"], later["pk"])
        if later
        else "",
        "later_number": later["revision__number"] if later else None,
        "chain": [
            {
                "number": c["revision__number"],
                "anchoring": Anchoring(c["anchoring"]).label,
                "status": CommentStatus(c["status"]).label,
                "url": _iteration_url(revision.document, c["revision__number"], c["pk"]),
                "is_this": c["pk"] == comment.pk,
            }
            for c in chain
        ],
        "replies": list(comment.replies.select_related("author")),
        "can_mark_addressed": is_newest
        and comment.status in (CommentStatus.OPEN, CommentStatus.OUTDATED)
        and user.has_perm(ADDRESS, comment),
        "can_resolve": is_newest
        and comment.status in UNRESOLVED_STATUSES
        and user.has_perm(MODERATE, comment),
        "can_reopen": is_newest
        and comment.status in (CommentStatus.RESOLVED, CommentStatus.ADDRESSED)
        and user.has_perm(MODERATE, comment),
        "form": AddressedForm(),
    }


@login_required
@require_GET
def comment_addressed(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, number: int, comment_id: int
) -> HttpResponse:
    """ "How was this addressed?": the passage then and now, and the thread."""
    revision = get_revision_for_user(request.user, initiative_id, document_id, number)
    comment = get_comment_for_user(request.user, comment_id)
    if comment.revision_id != revision.pk:
        raise Http404("No such comment on this iteration.")
    context = addressed_context(request.user, revision, comment)
    return render(request, "reviews/carry/addressed.html", context)


def _comment_place(comment: Comment) -> tuple[int, int]:
    """(document id, iteration number) of a comment the user may see."""
    return (
        Revision.objects.filter(pk=comment.revision_id).values_list("document_id", "number").get()
    )


@login_required
@require_GET
def comment_addressed_redirect(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    """/c/<id>/addressed/ → the "How was this addressed?" page of the thread's newest copy."""
    comment = get_comment_for_user(request.user, comment_id)
    newest = (
        Comment.objects.filter(origin_id=comment.origin_id or comment.pk)
        .order_by("-revision__number")
        .values_list("pk", "revision__document_id", "revision__number")
        .first()
    )
    if newest is not None and newest[2] > _comment_place(comment)[1]:
        pk, document_id, number = newest
    else:
        pk, (document_id, number) = comment.pk, _comment_place(comment)
    return redirect("comment_addressed", comment.initiative_id, document_id, number, pk)


@login_required
@require_GET
def comment_where(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    """/c/<id>/where/ → the thread where its words last were (itself when they are there)."""
    comment = get_comment_for_user(request.user, comment_id)
    if comment.anchoring != Anchoring.LOST:
        return redirect(_thread_url(comment))
    document_id, number = _comment_place(comment)
    was = next(
        (
            c
            for c in reversed(_chain(comment))
            if c["revision__number"] < number and c["anchoring"] != Anchoring.LOST
        ),
        None,
    )
    if was is None:
        return redirect(_thread_url(comment))
    url = reverse(
        "iteration_detail", args=[comment.initiative_id, document_id, was["revision__number"]]
    )
    return redirect(f"{url}#comment-{was['pk']}")


def _next_url(request, comment: Comment) -> str:
    """Back to the page the form was on (a local address only), else to the thread."""
    return next_path(request, _thread_url(comment))


@login_required
@post_only("comment_where")
def comment_mark_addressed(request: HtmxHttpRequest, comment_id: int) -> HttpResponse:
    """An editor or owner marks a thread addressed, optionally with a reply saying how."""
    comment = get_comment_for_user(request.user, comment_id)
    if not request.user.has_perm(ADDRESS, comment):
        raise PermissionDenied
    url = _next_url(request, comment)
    form = AddressedForm(request.POST)
    if not form.is_valid():
        return refuse(request, ValidationError(form.errors["reply"]), url)
    try:
        comments.comment_mark_addressed(
            user=request.user, comment=comment, reply=form.cleaned_data["reply"]
        )
    except ValidationError as exc:
        return refuse(request, exc, url)
    if request.htmx:
        return _thread_response(request, comment)
    messages.success(request, "Marked addressed. The commenter can now resolve it or reopen it.")
    return redirect(url)
