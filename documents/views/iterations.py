"""Iterations: save, list, read, restore, export, and compare two of them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from wbapp.cache import html_key
from wbapp.http import HtmxHttpRequest, add_service_errors

from .. import comparing, diffing
from ..comparing import compare_revisions
from ..forms import CompareForm, IterationForm, RestoreForm
from ..lookups import get_document_for_user, get_revision_for_user
from ..models import FaqAudience, Revision
from ..rendering import snapshot_markdown
from ..services import iterations
from .common import document_context, draft_url
from .drafting import draft_page

# The word-count timeline on the iterations list, in SVG units: bar width, gap and the
# plot's height; the word scale's width on the left, the room above the plot (its
# caption) and below it (the iteration numbers and their caption).
TIMELINE_BAR, TIMELINE_GAP, TIMELINE_HEIGHT = 24, 8, 80
TIMELINE_AXIS, TIMELINE_TOP, TIMELINE_BOTTOM = 56, 18, 36

COMPARE = "documents/compare.html"
# Iterations never change, so a rendered comparison of two stays right until the
# code or the templates that make it change: both are in its key (html_key).
COMPARE_TEMPLATES = (COMPARE, "documents/includes/diff_item.html")
COMPARE_CACHE_SECONDS = 24 * 60 * 60

# --- Iterations ----------------------------------------------------------------------------


def _iteration_url(revision: Revision) -> str:
    document = revision.document
    return reverse("iteration_detail", args=[document.initiative_id, document.pk, revision.number])


@login_required
@require_POST
def iteration_save(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    form = IterationForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the note to 500 characters.")
        return redirect(draft_url(document))
    try:
        revision = iterations.iteration_save(
            user=request.user, document=document, note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        # Nothing changed since the latest iteration (or a double click's second
        # request): the page as it is, the reason on the form, the note kept.
        add_service_errors(form, exc)
        return draft_page(request, document, iteration_form=form, status=409)
    messages.success(request, f"Iteration {revision.number} saved.")
    return redirect(draft_url(document))


@login_required
@require_GET
def iteration_list(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id)
    iterations = list(document.revisions.summaries().select_related("author").order_by("-number"))
    context = document_context(request, document) | {
        "iterations": iterations,
        "timeline": _timeline(iterations),
    }
    return render(request, "documents/iteration_list.html", context)


# The word scale's tops: these times a power of ten (10, 12, 15, 20, ... 80, 100, 120...).
SCALE_STEPS = (10, 12, 15, 20, 25, 30, 40, 50, 60, 80)


def scale_top(peak: int) -> int:
    """The word scale's top: the first round number (SCALE_STEPS) at or above ``peak``."""
    magnitude = 1
    while True:
        for step in SCALE_STEPS:
            if step * magnitude >= peak:
                return step * magnitude
        magnitude *= 10


def _timeline(iterations: list[Revision]) -> dict:
    """SVG geometry of the word-count timeline, oldest first (attributes, not styles).

    The bars stand on a scale of words (0, half way and the top, each a labelled line
    across the plot), numbered by iteration below.
    """
    peak = max((r.word_count for r in iterations), default=0)
    top = scale_top(max(peak, 1))
    bottom = TIMELINE_TOP + TIMELINE_HEIGHT
    width = TIMELINE_AXIS + max(len(iterations), 1) * (TIMELINE_BAR + TIMELINE_GAP)
    bars = []
    for index, revision in enumerate(reversed(iterations)):
        height = max(round(TIMELINE_HEIGHT * revision.word_count / top), 2)
        x = TIMELINE_AXIS + index * (TIMELINE_BAR + TIMELINE_GAP)
        bars.append(
            {
                "revision": revision,
                "x": x,
                "y": bottom - height,
                "width": TIMELINE_BAR,
                "height": height,
                "label_x": x + TIMELINE_BAR // 2,
            }
        )
    values = [0, top // 2, top] if top % 2 == 0 else [0, top]
    ticks = [
        {"words": f"{words:,}", "y": bottom - round(TIMELINE_HEIGHT * words / top)}
        for words in values
    ]
    return {
        "bars": bars,
        "ticks": ticks,
        "top": f"{top:,}",
        "width": width,
        "height": bottom + TIMELINE_BOTTOM,
        "axis_x": TIMELINE_AXIS - 6,
        "plot_x": TIMELINE_AXIS - 2,
        "numbers_y": bottom + 14,
        "caption_y": bottom + 30,
    }


@login_required
@require_GET
def iteration_detail(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, number: int
) -> HttpResponse:
    revision = get_revision_for_user(request.user, initiative_id, document_id, number)
    document = revision.document
    # The newest number (from the lookup) tells whether there is a "next"; numbers have no gaps.
    newest = revision.newest_number
    # The memo itself, with its comments, is rendered by reviews' {% iteration_comments %}.
    context = document_context(request, document) | {
        "revision": revision,
        "report": revision.length_report(),
        "previous_number": revision.number - 1 if revision.number > 1 else None,
        "next_number": revision.number + 1 if revision.number < newest else None,
        "newest": newest,
        "restore_form": RestoreForm(),
    }
    return render(request, "documents/iteration_detail.html", context)


@login_required
@require_POST
def iteration_restore(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, number: int
) -> HttpResponse:
    revision = get_revision_for_user(request.user, initiative_id, document_id, number, write=True)
    form = RestoreForm(request.POST)
    note = form.cleaned_data["note"].strip() if form.is_valid() else ""
    try:
        restored = iterations.iteration_restore(user=request.user, revision=revision, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_iteration_url(revision))
    messages.success(
        request, f"Iteration {revision.number} restored as iteration {restored.number}."
    )
    return redirect(_iteration_url(restored))


@login_required
@require_GET
def iteration_export(
    request: HttpRequest, initiative_id: int, document_id: int, number: int
) -> HttpResponse:
    revision = get_revision_for_user(request.user, initiative_id, document_id, number)
    document = revision.document
    subtitle = f"{document.initiative.title} — iteration {revision.number}"
    if revision.note:
        subtitle += f": {revision.note}"
    text = snapshot_markdown(
        title=document.display_title, content=revision.content, subtitle=subtitle
    )
    name = slugify(f"{document.initiative.title}-{document.display_title}") or "document"
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{revision.number}.md"'
    return response


# --- Compare -------------------------------------------------------------------------------


@login_required
@require_GET
def compare_pick(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    """The iteration list's "Compare" form: GET ?a=&b= to the comparison's own address."""
    document = get_document_for_user(request.user, initiative_id, document_id)
    form = CompareForm(request.GET)
    if not form.is_valid():
        messages.error(request, "Choose two iterations to compare.")
        return redirect("iteration_list", document.initiative_id, document.pk)
    a, b = form.cleaned_data["a"], form.cleaned_data["b"]
    return redirect("compare", document.initiative_id, document.pk, a, b)


def _places(content: dict) -> dict[str, int]:
    """1-based place of each section in the document and of each FAQ entry in its own list."""
    places = {s["key"]: i for i, s in enumerate(content.get("sections", []), start=1)}
    for audience in FaqAudience.values:
        entries = [e for e in content.get("faq", []) if e["audience"] == audience]
        places |= {e["key"]: i for i, e in enumerate(entries, start=1)}
    return places


def _row(diff, was: dict, now: dict) -> dict:
    return {"diff": diff, "was": was.get(diff.key), "now": now.get(diff.key)}


def _comparison_key(old: Revision, new: Revision, mode: str) -> str:
    # The creation times too: a database rebuilt from scratch reuses ids, a cache may not be.
    return html_key(
        COMPARE_TEMPLATES,
        "compare",
        old.pk,
        old.created_at.timestamp(),
        new.pk,
        new.created_at.timestamp(),
        mode,
        code=[comparing, diffing],
    )


def _comparison(document, old: Revision, new: Revision, mode: str) -> dict:
    """The comparison of ``old`` with ``new`` rendered in ``mode``, and its counts.

    Rendered without the request, so that nothing of one reader's ends up in
    what the cache hands every reader of the document.
    """
    key = _comparison_key(old, new, mode)
    comparison = cache.get(key)
    if comparison is None:
        diffs = compare_revisions(old, new)
        was, now = _places(old.content), _places(new.content)
        context = {
            "document": document,
            "old": old,
            "new": new,
            "mode": mode,
            "sections": [_row(d, was, now) for d in diffs if not d.is_faq],
            "faq_parts": [
                (
                    audience,
                    label,
                    [_row(d, was, now) for d in diffs if d.is_faq and d.audience == audience],
                )
                for audience, label in FaqAudience.choices
            ],
        }
        comparison = {
            "html": render_to_string(f"{COMPARE}#comparison", context),
            "changed_count": sum(1 for d in diffs if not d.is_unchanged),
            "inserted": sum(d.inserted for d in diffs),
            "deleted": sum(d.deleted for d in diffs),
            "coarse": any(d.coarse for d in diffs),
        }
        cache.set(key, comparison, COMPARE_CACHE_SECONDS)
    return comparison


@login_required
@require_GET
def compare(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, a: int, b: int
) -> HttpResponse:
    old = get_revision_for_user(request.user, initiative_id, document_id, a)
    new = get_revision_for_user(request.user, initiative_id, document_id, b)
    document = new.document
    mode = "inline" if request.GET.get("mode") == "inline" else "side"
    comparison = _comparison(document, old, new, mode)
    numbers = list(
        document.revisions.summaries().order_by("number").values_list("number", flat=True)
    )
    context = document_context(request, document) | {
        "old": old,
        "new": new,
        "mode": mode,
        "comparison_html": comparison["html"],  # a SafeString, in the cache as well
        "changed_count": comparison["changed_count"],
        "inserted": comparison["inserted"],
        "deleted": comparison["deleted"],
        "coarse": comparison["coarse"],
        "numbers": numbers,
    }
    return render(request, COMPARE, context)
