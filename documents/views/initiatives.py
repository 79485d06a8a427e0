"""Initiatives: the team board's list, the new-initiative form, the initiative page."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from wbapp.accounts.lookups import get_team_for_user
from wbapp.accounts.models import person_name
from wbapp.http import HtmxHttpRequest, add_service_errors, url_for_ids

from ..forms import DocumentForm, InitiativeForm
from ..lookups import EDIT, get_initiative_for_user
from ..models import ANSWER_FIELDS, Initiative, InitiativeStatus
from ..services import initiatives
from .cards import CARD_VALUES, board_rows, cards, extra_names, time_label, with_extras
from .common import draft_url
from .initiative_rows import documents_with_summary, recent_iteration_rows

# --- The team board (included by the team page) ------------------------------------------


@dataclass
class Board:
    columns: list[dict]
    total: int
    can_create: bool


# Cards per status on the board: the most recently active ones. A status with more
# links to its own list (team_initiatives), so the board costs the same to read and
# to render for a team of 10 initiatives as for one of 1,000.
BOARD_CARDS = 8
LIST_PAGE_SIZE = 50


def board_initiatives(team, user) -> Board:
    """The team's initiatives grouped by status, for documents/includes/board.html.

    One query, whatever the number of initiatives or iterations (cards.board_rows):
    the first BOARD_CARDS of each status (newest activity first) with their
    status's count, owner and latest iteration. ``user``'s role (cached by the team
    lookup) decides whether the "New initiative" button shows.
    """
    rows = board_rows(team.pk, BOARD_CARDS)
    counts = {row["status"]: row["status_count"] for row in rows}
    shown = cards(rows)
    columns = []
    for status, label in InitiativeStatus.choices:
        column = [card for card in shown if card.status == status]
        count = counts.get(status, 0)
        columns.append(
            {
                "status": status,
                "label": label,
                "initiatives": column,
                "count": count,
                "more": count - len(column),
            }
        )
    return Board(
        columns=columns,
        total=sum(column["count"] for column in columns),
        can_create=user.has_perm("documents.add_initiative", team),
    )


@login_required
@require_GET
def team_initiatives(request: HtmxHttpRequest, slug: str, status: str) -> HttpResponse:
    """Every initiative of one status, newest activity first, a page at a time."""
    team = get_team_for_user(request.user, slug)
    if status not in InitiativeStatus.values:
        raise Http404("No such status.")
    initiatives = (
        with_extras(Initiative.objects.filter(team=team, status=status).with_latest_iteration())
        .order_by("-updated_at", "-pk")
        .values(*CARD_VALUES, *extra_names())
    )
    page = Paginator(initiatives, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "team": team,
        "status": status,
        "label": InitiativeStatus(status).label,
        "page": page,
        "cards": cards(page),
    }
    return render(request, "documents/initiative_list.html", context)


# --- Initiatives -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug, perm="documents.add_initiative")
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = initiatives.initiative_create(
                user=request.user, team=team, title=form.cleaned_data["title"], **form.answers()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Initiative “{initiative.title}” created.")
            return redirect("initiative_detail", initiative.pk)
    context = {"team": team, "form": form, "initiative": None}
    return render(
        request, "documents/initiative_form.html", context, status=400 if form.errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, initiative_id, write=True)
    initial = {"title": initiative.title} | {
        name: getattr(initiative, name) for name in ANSWER_FIELDS
    }
    form = InitiativeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            initiatives.initiative_update(
                user=request.user,
                initiative=initiative,
                title=form.cleaned_data["title"],
                **form.answers(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Initiative saved.")
            return redirect("initiative_detail", initiative.pk)
    context = {"team": initiative.team, "form": form, "initiative": initiative}
    return render(
        request, "documents/initiative_form.html", context, status=400 if form.errors else 200
    )


def _document_urls(initiative: Initiative, documents: list) -> None:
    """Give each document its addresses (``document.urls``: draft, iterations, latest),
    written by url_for_ids rather than reversed by the template for every use."""
    for document in documents:
        latest = document.latest_iteration_number
        document.urls = {
            "draft": url_for_ids("draft", initiative.pk, document.pk),
            "iterations": url_for_ids("iteration_list", initiative.pk, document.pk),
            "latest": (
                url_for_ids("iteration_detail", initiative.pk, document.pk, latest)
                if latest
                else ""
            ),
        }


def _recent_iterations(initiative: Initiative, documents: list) -> list[dict]:
    """The initiative's newest iterations of any document, as the page lists them.

    Plain values: the documents' titles come from ``documents`` (already read), the
    addresses written by url_for_ids, the times written by time_label.
    """
    titles = {document.pk: document.display_title for document in documents}
    rows = recent_iteration_rows(initiative)
    iterations = []
    for row in rows:
        iso, label = time_label(row["created_at"])
        iterations.append(
            {
                "number": row["number"],
                "note": row["note"],
                "document_title": titles[row["document_id"]],
                "url": url_for_ids(
                    "iteration_detail", initiative.pk, row["document_id"], row["number"]
                ),
                "author": person_name(row["author__display_name"], row["author__email"]),
                "created_iso": iso,
                "created_label": label,
            }
        )
    return iterations


@login_required
@require_GET
def initiative_detail(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, initiative_id)
    documents = documents_with_summary(initiative)
    _document_urls(initiative, documents)
    context = {
        "initiative": initiative,
        "team": initiative.team,
        "answers": initiative.answers(),
        "documents": documents,
        "iterations": _recent_iterations(initiative, documents),
        "can_edit": request.user.has_perm(EDIT, initiative),
    }
    return render(request, "documents/initiative_detail.html", context)


# --- Documents ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, initiative_id, write=True)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = initiatives.document_create(
                user=request.user,
                initiative=initiative,
                kind=form.cleaned_data["kind"],
                title=form.cleaned_data["title"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(draft_url(document))
    context = {"initiative": initiative, "team": initiative.team, "form": form}
    return render(
        request, "documents/document_form.html", context, status=400 if form.errors else 200
    )
