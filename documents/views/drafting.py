"""The drafting page and its fragments: sections, FAQ entries, preview, appendix images.

The autosave script (static/js/draft.js) asks for JSON; htmx gets the named
partials of documents/draft.html; a plain form POST gets a redirect. A save made
against a stale version answers 409 with the conflict view in all three.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.forms import Form
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.timezone import now
from django.views.decorators.http import require_GET, require_POST

from wbapp.accounts.models import person_name
from wbapp.cache import code_digest, kept
from wbapp.http import HtmxHttpRequest

from .. import rendering
from ..diffing import diff_text
from ..forms import (
    FaqAddForm,
    FaqEntryForm,
    ImageUploadForm,
    MoveForm,
    PreviewForm,
    SectionAddForm,
    SectionForm,
)
from ..lookups import (
    appendix_images,
    draft_rows,
    get_document_for_user,
    get_faq_entry,
    get_image_for_user,
    get_section,
    latest_iteration,
)
from ..models import Document, DraftSection, FaqAudience, FaqEntry, new_faq_key
from ..rendering import (
    FAQ_WORD_LIMIT,
    NARRATIVE_WORD_LIMIT,
    PRESS_RELEASE_WORD_LIMIT,
    LengthReport,
    render_markdown,
)
from ..services import drafting, images
from .common import document_context, draft_url, wants_json
from .draft_items import (
    DraftItem,
    draft_items,
    keep_page_shown,
    page_runs,
    row_addresses,
    stamp_controls,
)

DRAFT = "documents/draft.html"


# --- The drafting page --------------------------------------------------------------------


def _draft_rows(document: Document) -> tuple[list[DraftSection], list[FaqEntry]]:
    return draft_rows(document)


# The meters on the drafting page turn to "high" a little before the limit.
LIMITS = {
    "press_release": PRESS_RELEASE_WORD_LIMIT,
    "press_release_high": PRESS_RELEASE_WORD_LIMIT * 9 // 10,
    "faq": FAQ_WORD_LIMIT,
    "faq_high": FAQ_WORD_LIMIT * 9 // 10,
    "narrative": NARRATIVE_WORD_LIMIT,
    "narrative_high": NARRATIVE_WORD_LIMIT * 9 // 10,
}


# A length report never changes for its key; the cache may drop it any time.
LENGTH_TTL_SECONDS = 24 * 60 * 60


def _length_report(document: Document, sections, faq_entries) -> LengthReport:
    """``document.length_report(...)``, kept under its rows' versions: counting the
    words of a whole draft (~17 KB) on each view cost 0.7 ms. Every save of a row's
    text raises its ``version``; adding or removing a row changes the rows named."""
    rows = ";".join(
        [
            *(f"s{s.pk}.{s.version}.{s.updated_at.timestamp()}.{s.part}" for s in sections),
            *(f"q{e.pk}.{e.version}.{e.updated_at.timestamp()}" for e in faq_entries),
        ]
    )
    digest = hashlib.blake2b(rows.encode(), digest_size=16).hexdigest()
    key = f"draft-length:{code_digest(rendering)}:{document.kind}:{digest}"
    return kept(key, lambda: document.length_report(sections, faq_entries), LENGTH_TTL_SECONDS)


def _stats_context(document: Document, sections, faq_entries) -> dict:
    report = _length_report(document, sections, faq_entries)
    return {"document": document, "report": report, "limits": LIMITS}


@login_required
@require_GET
def draft(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id)
    return draft_page(request, document)


def draft_page(request, document, *, iteration_form=None, status: int = 200) -> HttpResponse:
    """The drafting page; ``iteration_form`` is a refused "Save iteration", shown with its error."""
    context = document_context(request, document)
    sections, faq_entries = _draft_rows(document)
    latest = latest_iteration(document)
    if latest is not None:
        latest["author"] = person_name(latest["author__display_name"], latest["author__email"])
    editing = request.GET.get("edit", "") if context["can_edit"] else ""
    addresses = row_addresses(document)
    press_release = draft_items((s for s in sections if s.is_press_release), addresses)
    other_sections = draft_items((s for s in sections if not s.is_press_release), addresses)
    faq_parts = [
        (
            audience,
            label,
            draft_items((e for e in faq_entries if e.audience == audience), addresses),
        )
        for audience, label in FaqAudience.choices
    ]
    items = [*press_release, *other_sections, *(item for _, _, part in faq_parts for item in part)]
    # What every viewer sees of each row, in one round trip; the row being edited
    # shows its editor instead.
    shown = [item for item in items if item.row.key != editing]
    keep_page_shown(shown)
    if context["can_edit"]:
        # One CSRF token for every row's forms (each {% csrf_token %} masks the secret anew).
        stamp_controls(shown, get_token(request))
    context |= {
        # Each part as (the joined HTML of shown rows, None) and ("", the row edited).
        "press_release": page_runs(press_release, editing),
        "other_sections": page_runs(other_sections, editing),
        "faq_parts": [
            (audience, label, page_runs(part, editing)) for audience, label, part in faq_parts
        ],
        "editing": editing,
        "latest": latest,
        # Only what the list shows of each image.
        "images": (appendix_images(document.initiative_id) if context["can_edit"] else []),
        **_stats_context(document, sections, faq_entries),
        "iteration_form": iteration_form,
    }
    return render(request, DRAFT, context, status=status)


@login_required
@require_POST
def draft_preview(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    """The live preview: Markdown in, the same sanitized HTML the document will show."""
    get_document_for_user(request.user, initiative_id, document_id, write=True)
    form = PreviewForm(request.POST)
    body = form.cleaned_data["body"] if form.is_valid() else ""
    return HttpResponse(render_markdown(body))


def _fragment_or_redirect(request, document, partial, context, *, anchor, edit=""):
    if request.htmx:
        context = document_context(request, document) | context | {"focus": True}
        return render(request, f"{DRAFT}#{partial}", context)
    return redirect(draft_url(document, edit=edit, anchor=anchor))


@login_required
@require_GET
def section_detail(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    """One section, shown (``?edit=1``: its editor, for editors) — the htmx twin of the page."""
    edit = request.GET.get("edit") == "1"
    document = get_document_for_user(request.user, initiative_id, document_id, write=edit)
    section = get_section(document, key)
    item = DraftItem(row=section)
    return _fragment_or_redirect(
        request,
        document,
        "section_editor" if edit else "section",
        {"item": item},
        anchor=item.anchor,
        edit=key if edit else "",
    )


def _save_response(request, document, item: DraftItem, partial: str) -> HttpResponse:
    """A successful save: JSON for the autosave script, the editor for htmx, else redirect."""
    if wants_json(request):
        sections, faq_entries = _draft_rows(document)
        stats = _stats_context(document, sections, faq_entries)
        return JsonResponse(
            {
                "version": item.row.version,
                "html": item.html,
                "words": item.words,
                "minutes": item.minutes,
                "stats_html": render_to_string(f"{DRAFT}#stats", stats, request=request),
            }
        )
    if request.htmx:
        context = document_context(request, document) | {"item": item, "saved": True}
        return render(request, f"{DRAFT}#{partial}", context)
    messages.success(request, "Saved.")
    return redirect(draft_url(document, anchor=item.anchor))


def _conflict_response(request, document, conflict, partial: str) -> HttpResponse:
    """409: the save was made against a stale version. The author's text comes back intact."""
    current = conflict.current
    context = document_context(request, document) | {
        "conflict": conflict,
        "item": DraftItem(row=current) if current else None,
        "key": request.resolver_match.kwargs["key"],
        "mine": conflict.mine,
        "mine_title": conflict.mine_title or "",
        "difference": diff_text(conflict.current_text, conflict.mine),
    }
    if wants_json(request):
        html = render_to_string(f"{DRAFT}#{partial}", context, request=request)
        return JsonResponse({"conflict": True, "html": html}, status=409)
    if request.htmx:
        return render(request, f"{DRAFT}#{partial}", context, status=409)
    context["partial"] = partial
    return render(request, "documents/conflict.html", context, status=409)


def _invalid_save(request, form: Form) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    return HttpResponse("The save was incomplete; reload the page.", status=400)


@login_required
@require_POST
def section_save(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    section = get_section(document, key)
    form = SectionForm(request.POST)
    if not form.is_valid():
        return _invalid_save(request, form)
    heading = form.cleaned_data["heading"].strip() if document.has_free_sections else ""
    try:
        section = drafting.section_save(
            user=request.user,
            section=section,
            body=form.cleaned_data["body"],
            base_version=form.cleaned_data["base_version"],
            heading=heading or None,
        )
    except drafting.DraftConflict as conflict:
        return _conflict_response(request, document, conflict, "section_conflict")
    return _save_response(request, document, DraftItem(row=section), "section_editor")


def _move(request, document, row, move, *, anchor: str) -> HttpResponse:
    """One step up or down for a section or FAQ entry; ``move(position)`` calls the service."""
    form = MoveForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Move up or down.", status=400)
    position = row.position + (-1 if form.cleaned_data["direction"] == "up" else 1)
    try:
        move(position)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    except ObjectDoesNotExist as exc:
        # Removed by someone else between this request's lookup and its move.
        raise Http404(str(exc)) from None
    return _moved_response(request, document, anchor)


def _moved_response(request, document, anchor: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"moved": True})
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(draft_url(document, anchor=anchor))


@login_required
@require_POST
def section_add(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    if not document.has_free_sections:
        raise Http404("This document's sections come from its template.")
    form = SectionAddForm(request.POST)
    heading = form.cleaned_data["heading"] if form.is_valid() else ""
    section = drafting.section_add(
        user=request.user, document=document, heading=heading or "New section"
    )
    item = DraftItem(row=section, last=True)
    if request.htmx:
        context = document_context(request, document) | {"item": item, "focus": True}
        return render(request, f"{DRAFT}#section_editor", context)
    return redirect(draft_url(document, edit=section.key, anchor=item.anchor))


@login_required
@require_POST
def section_move(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    section = get_section(document, key)
    return _move(
        request,
        document,
        section,
        lambda position: drafting.section_move(
            user=request.user, section=section, position=position
        ),
        anchor=f"section-{key}",
    )


@login_required
@require_POST
def section_remove(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    section = get_section(document, key)
    try:
        drafting.section_remove(user=request.user, section=section)
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=400)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, f"Section “{section.heading}” removed.")
    return redirect(draft_url(document))


# --- FAQ entries ---------------------------------------------------------------------------


@login_required
@require_POST
def faq_add(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    form = FaqAddForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose the external or the internal FAQ.", status=400)
    audience = form.cleaned_data["audience"]
    if request.htmx:
        # Its editor only: the question is stored on its first save (faq_save), so
        # one added and left blank leaves nothing behind.
        entry = FaqEntry(
            document=document, key=new_faq_key(), audience=audience, version=0, updated_at=now()
        )
        item = DraftItem(row=entry, last=True)
        context = document_context(request, document) | {"item": item, "focus": True}
        return render(request, f"{DRAFT}#faq_editor", context)
    entry = drafting.faq_entry_add(user=request.user, document=document, audience=audience)
    return redirect(draft_url(document, edit=entry.key, anchor=DraftItem(row=entry).anchor))


@login_required
@require_GET
def faq_detail(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    edit = request.GET.get("edit") == "1"
    document = get_document_for_user(request.user, initiative_id, document_id, write=edit)
    if request.htmx and not edit and not document.faq_entries.filter(key=key).exists():
        return HttpResponse("")  # "Done" on a question never saved: nothing to show
    entry = get_faq_entry(document, key)
    item = DraftItem(row=entry)
    return _fragment_or_redirect(
        request,
        document,
        "faq_editor" if edit else "faq_entry",
        {"item": item},
        anchor=item.anchor,
        edit=key if edit else "",
    )


@login_required
@require_POST
def faq_save(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    form = FaqEntryForm(request.POST)
    if not form.is_valid():
        return _invalid_save(request, form)
    if form.cleaned_data["base_version"] == 0:
        return _faq_first_save(request, document, key, form.cleaned_data)
    entry = get_faq_entry(document, key)
    try:
        entry = drafting.faq_entry_save(
            user=request.user,
            entry=entry,
            question=form.cleaned_data["question"],
            answer=form.cleaned_data["answer"],
            base_version=form.cleaned_data["base_version"],
        )
    except drafting.DraftConflict as conflict:
        return _conflict_response(request, document, conflict, "faq_conflict")
    return _save_response(request, document, DraftItem(row=entry), "faq_editor")


def _faq_first_save(request, document, key: str, data: dict) -> HttpResponse:
    """A question added with "+ Add a question" is stored when it first has words."""
    add = FaqAddForm(request.POST)
    if not add.is_valid():
        return _invalid_save(request, add)
    audience = add.cleaned_data["audience"]
    entry = FaqEntry(document=document, key=key, audience=audience, version=0, updated_at=now())
    if data["question"].strip() or data["answer"].strip():
        try:
            entry = drafting.faq_entry_add(
                user=request.user,
                document=document,
                audience=audience,
                question=data["question"],
                answer=data["answer"],
                key=key,
            )
        except ValidationError as exc:
            return HttpResponse(" ".join(exc.messages), status=400)
    return _save_response(request, document, DraftItem(row=entry), "faq_editor")


@login_required
@require_POST
def faq_move(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    entry = get_faq_entry(document, key)
    return _move(
        request,
        document,
        entry,
        lambda position: drafting.faq_entry_move(user=request.user, entry=entry, position=position),
        anchor=f"faq-{key}",
    )


@login_required
@require_POST
def faq_remove(
    request: HtmxHttpRequest, initiative_id: int, document_id: int, key: str
) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    entry = get_faq_entry(document, key)
    drafting.faq_entry_remove(user=request.user, entry=entry)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, "Question removed.")
    return redirect(draft_url(document))


# --- Appendix images -----------------------------------------------------------------------


@login_required
@require_POST
def image_upload(request: HtmxHttpRequest, initiative_id: int, document_id: int) -> HttpResponse:
    document = get_document_for_user(request.user, initiative_id, document_id, write=True)
    form = ImageUploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            image = images.image_upload(
                user=request.user, initiative=document.initiative, file=form.cleaned_data["image"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            url = reverse("image_serve", args=[document.initiative_id, image.pk])
            messages.success(request, f"Image added. Paste ![description]({url}) into a section.")
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(draft_url(document, anchor="appendix-images"))


@login_required
@require_GET
def image_serve(request: HttpRequest, initiative_id: int, image_id: int) -> HttpResponse:
    image = get_image_for_user(request.user, initiative_id, image_id)
    response = FileResponse(image.image.open("rb"), content_type=image.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
