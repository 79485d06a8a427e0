"""Initiatives: the team board's list, the new-initiative form, the initiative page."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, F, OuterRef, Subquery, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from wbapp.accounts.lookups import get_team_for_user
from wbapp.http import HtmxHttpRequest, add_service_errors

from ..forms import DocumentForm, InitiativeForm
from ..lookups import EDIT, get_initiative_for_user
from ..models import ANSWER_FIELDS, Initiative, InitiativeStatus, Revision
from ..services import initiatives
from .common import draft_url

RECENT_ITERATIONS = 8


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
# What a card shows: not the five customer answers.
CARD_FIELDS = ("team", "title", "status", "updated_at", "owner__display_name", "owner__email")
LIST_PAGE_SIZE = 50


def board_initiatives(team, user) -> Board:
    """The team's initiatives grouped by status, for documents/includes/board.html.

    One query, whatever the number of initiatives or iterations: a window function
    numbers each status's initiatives (newest activity first) and only the first
    BOARD_CARDS of each come back, with their status's count, the owner joined and
    the latest iteration annotated by subqueries (computed for those rows only).
    ``user``'s role (cached by the team lookup) decides whether the "New initiative"
    button shows.
    """
    place = Window(
        RowNumber(), partition_by=F("status"), order_by=[F("updated_at").desc(), F("pk").desc()]
    )
    first_of_each = (
        Initiative.objects.filter(team=team)
        .annotate(place=place)
        .filter(place__lte=BOARD_CARDS)
        .values("pk")
    )
    same_status = (
        Initiative.objects.filter(team=OuterRef("team"), status=OuterRef("status"))
        .order_by()
        .values("status")
        .annotate(count=Count("pk"))
        .values("count")
    )
    cards = list(
        Initiative.objects.filter(pk__in=first_of_each)
        .only(*CARD_FIELDS)
        .annotate(status_count=Subquery(same_status))
        .select_related("owner")
        .with_latest_iteration()
        .order_by("-updated_at", "-pk")
    )
    columns = []
    for status, label in InitiativeStatus.choices:
        shown = [i for i in cards if i.status == status]
        count = shown[0].status_count if shown else 0
        columns.append(
            {
                "status": status,
                "label": label,
                "initiatives": shown,
                "count": count,
                "more": count - len(shown),
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
        Initiative.objects.filter(team=team, status=status)
        .select_related("owner")
        .with_latest_iteration()
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(initiatives, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "team": team,
        "status": status,
        "label": InitiativeStatus(status).label,
        "page": page,
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


@login_required
@require_GET
def initiative_detail(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, initiative_id)
    documents = list(initiative.documents.with_iteration_summary())
    iterations = list(
        Revision.objects.summaries()
        .filter(document__initiative=initiative)
        .select_related("author", "document")
        .order_by("-created_at", "-pk")[:RECENT_ITERATIONS]
    )
    context = {
        "initiative": initiative,
        "team": initiative.team,
        "answers": initiative.answers(),
        "documents": documents,
        "iterations": iterations,
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
