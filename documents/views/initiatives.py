"""Initiatives: the team board's list, the new-initiative form, the initiative page."""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from wbapp.accounts.lookups import get_team_for_user
from wbapp.http import HtmxHttpRequest, add_service_errors

from .. import services
from ..forms import DocumentForm, InitiativeForm
from ..lookups import EDIT, get_initiative_for_user
from ..models import ANSWER_FIELDS, Initiative, InitiativeStatus, Revision
from .common import draft_url

RECENT_ITERATIONS = 8


# --- The team board (included by the team page) ------------------------------------------


@dataclass
class Board:
    columns: list[dict]
    total: int
    can_create: bool


def board_initiatives(team, user) -> Board:
    """The team's initiatives grouped by status, for documents/includes/board.html.

    One query, whatever the number of initiatives or iterations: the owner
    joined, the latest iteration annotated by subquery. ``user``'s role (cached
    by the team lookup) decides whether the "New initiative" button shows.
    """
    initiatives = list(
        Initiative.objects.filter(team=team)
        .select_related("owner")
        .with_latest_iteration()
        .order_by("-updated_at", "-pk")
    )
    columns = [
        {
            "status": status,
            "label": label,
            "initiatives": [i for i in initiatives if i.status == status],
        }
        for status, label in InitiativeStatus.choices
    ]
    return Board(
        columns=columns,
        total=len(initiatives),
        can_create=user.has_perm("documents.add_initiative", team),
    )


# --- Initiatives -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug, perm="documents.add_initiative")
    form = InitiativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_create(
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
            services.initiative_update(
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
            document = services.document_create(
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
