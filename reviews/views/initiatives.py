"""An initiative as a whole: its Andon cord, its status by hand, @mention suggestions and links.

The cord's forms are plain POST → redirect: pulling or resetting changes every page
of the initiative (the banner), so the next page is a full one anyway. An invalid
form shows the Andon page with its errors.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from documents.lookups import get_initiative_for_user
from documents.models import Initiative
from wbapp.accounts.models import Membership
from wbapp.http import HtmxHttpRequest, add_service_errors, next_path, post_only

from ..forms import AndonPullForm, AndonResetForm, InitiativeStatusForm
from ..mentions import suggest_members
from ..models import AndonPull
from ..services import decisions

ANDON = "reviews/andon.html"
PULL = "reviews.pull_andon"
RESET = "reviews.reset_andon"
CHANGE_STATUS = "reviews.change_initiative_status"


def _initiative_url(initiative: Initiative) -> str:
    # The top of the page: the banner and the message are what the user needs to see.
    return reverse("initiative_detail", args=[initiative.pk])


def _andon_context(request: HttpRequest, initiative: Initiative, **forms) -> dict:
    pulls = list(
        AndonPull.objects.filter(initiative=initiative).select_related("pulled_by", "reset_by")
    )
    active = pulls[0] if pulls and pulls[0].is_active else None
    user = request.user
    return {
        "initiative": initiative,
        "team": initiative.team,
        "pulls": pulls,
        # The banner reads this instead of asking again.
        "andon_pull": active,
        "can_pull": active is None and user.has_perm(PULL, initiative),
        "can_reset": active is not None and user.has_perm(RESET, initiative),
        "pull_form": forms.get("pull_form") or AndonPullForm(),
        "reset_form": forms.get("reset_form") or AndonResetForm(),
    }


@login_required
@require_GET
def andon_detail(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """The cord: pull it (reviewers and up), reset it (editors and owners), its history."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    return render(request, ANDON, _andon_context(request, initiative))


@login_required
@post_only("andon_detail")
def andon_pull(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, initiative_id)
    if not request.user.has_perm(PULL, initiative):
        raise PermissionDenied
    form = AndonPullForm(request.POST)
    if form.is_valid():
        try:
            decisions.andon_pull(
                user=request.user, initiative=initiative, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "already_pulled":
                # Someone pulled it meanwhile: the page now shows their pull.
                messages.info(request, " ".join(exc.messages))
                return redirect(_initiative_url(initiative))
            add_service_errors(form, exc)
        else:
            messages.success(
                request, "Andon cord pulled: the initiative cannot be approved until it is reset."
            )
            return redirect(next_path(request, _initiative_url(initiative)))
    context = _andon_context(request, initiative, pull_form=form)
    return render(request, ANDON, context, status=400)


@login_required
@post_only("andon_detail")
def andon_reset(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    initiative = get_initiative_for_user(request.user, initiative_id)
    if not request.user.has_perm(RESET, initiative):
        raise PermissionDenied
    form = AndonResetForm(request.POST)
    if form.is_valid():
        try:
            decisions.andon_reset(
                user=request.user,
                initiative=initiative,
                resolution=form.cleaned_data["resolution"],
            )
        except ValidationError as exc:
            if getattr(exc, "code", None) == "not_pulled":
                messages.info(request, " ".join(exc.messages))
                return redirect(_initiative_url(initiative))
            add_service_errors(form, exc)
        else:
            messages.success(request, "Andon cord reset. The resolution is in the history.")
            return redirect(next_path(request, _initiative_url(initiative)))
    context = _andon_context(request, initiative, reset_form=form)
    return render(request, ANDON, context, status=400)


@login_required
@post_only("initiative_detail")
def initiative_status(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """Change the status by hand; approval is refused for the reasons a session's would be."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    if not request.user.has_perm(CHANGE_STATUS, initiative):
        raise PermissionDenied
    form = InitiativeStatusForm(request.POST)
    # Back to the top of the page, where the message and the banner are.
    if not form.is_valid():
        messages.error(request, "Choose one of the statuses.")
        return redirect(_initiative_url(initiative))
    try:
        decisions.initiative_set_status(
            user=request.user, initiative=initiative, status=form.cleaned_data["status"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Status: {initiative.get_status_display()}.")
    return redirect(_initiative_url(initiative))


@login_required
@require_GET
def mention_suggest(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """Team members matching ?q=, as a listbox for static/js/mentions.js."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    query = request.GET.get("q", "")
    members = suggest_members(initiative.team, query)
    response = render(
        request,
        "reviews/includes/mention_options.html",
        {"members": members, "query": query.strip()},
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def mention_person(request: HtmxHttpRequest, initiative_id: int, user_id: int) -> HttpResponse:
    """Where a mention's link leads: the member's row on the initiative team's page.

    Someone who has left the team since is no longer on it: the page itself.
    """
    initiative = get_initiative_for_user(request.user, initiative_id)
    page = reverse("team_members", args=[initiative.team.slug])
    row = (
        Membership.objects.filter(team_id=initiative.team_id, user_id=user_id)
        .values_list("pk", flat=True)
        .first()
    )
    return redirect(f"{page}#member-{row}" if row is not None else page)
