from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from wbapp.http import HtmxHttpRequest, add_service_errors

from . import services
from .forms import InvitationForm, ProfileForm, RoleForm, TeamForm
from .lookups import get_invitation_for_manager, get_team_for_user, memberships_by_role
from .models import Role, Team

MEMBERS_TEMPLATE = "accounts/team_members.html"


# --- Teams --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HtmxHttpRequest) -> HttpResponse:
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Team “{team.name}” created. Invite your teammates.")
            return redirect(team)
    status = 400 if form.errors else 200
    return render(request, "accounts/team_new.html", {"form": form}, status=status)


# --- Members and invitations ---------------------------------------------------------


def _members_context(request: HttpRequest, team: Team, **extra) -> dict:
    can_manage = request.user.has_perm("accounts.manage_team", team)
    invitations = list(team.invitations.pending().select_related("invited_by"))
    now = timezone.now()
    for invitation in invitations:
        # Until the hourly expiry task revokes them, old invitations are still "pending".
        invitation.expired = services.invitation_is_expired(invitation, now=now)
    context = {
        "team": team,
        "can_manage": can_manage,
        "memberships": memberships_by_role(team),
        "invitations": invitations,
        "invite_form": InvitationForm() if can_manage else None,
        "roles": Role.choices,
        "row_error_pk": None,
        "row_error": None,
        "page_error": None,
    }
    context.update(extra)
    return context


@login_required
@require_GET
def team_members(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    return render(request, MEMBERS_TEMPLATE, _members_context(request, team))


def _with_messages(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Append the pending messages to an htmx response, swapped out of band into #messages."""
    response.write(render_to_string(f"{MEMBERS_TEMPLATE}#messages_oob", request=request))
    return response


@login_required
@require_POST
def team_invite(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug, perm="accounts.manage_team")
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(team=team, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            if request.htmx:
                context = _members_context(request, team)
                return _with_messages(
                    request, render(request, f"{MEMBERS_TEMPLATE}#invitations", context)
                )
            return redirect("team_members", team.slug)
    context = _members_context(request, team, invite_form=form)
    template = f"{MEMBERS_TEMPLATE}#invitations" if request.htmx else MEMBERS_TEMPLATE
    return render(request, template, context, status=400)


@login_required
@require_POST
def invitation_revoke(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    invitation = get_invitation_for_manager(request.user, team, pk)
    try:
        services.invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Invitation of {invitation.email} withdrawn.")
    return redirect("team_members", team.slug)


@login_required
@require_POST
def membership_role(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, slug, perm="accounts.manage_team")
    membership = get_object_or_404(team.memberships.select_related("user", "team"), pk=pk)
    form = RoleForm(request.POST)
    error = None
    if not form.is_valid():
        error = "Choose one of the team roles."
    else:
        try:
            services.membership_change_role(
                membership=membership, by=request.user, role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if error is None:
        messages.success(
            request,
            f"{membership.user.name} is now {membership.get_role_display().lower()}.",
        )
        if membership.user_id == request.user.pk:
            # Demoting yourself changes what the whole page may offer you.
            return HttpResponseClientRefresh() if request.htmx else redirect("team_members", slug)
        if request.htmx:
            context = _members_context(request, team, m=membership)
            return _with_messages(
                request, render(request, f"{MEMBERS_TEMPLATE}#member_row", context)
            )
        return redirect("team_members", team.slug)
    context = _members_context(
        request, team, m=membership, row_error_pk=membership.pk, row_error=error
    )
    template = f"{MEMBERS_TEMPLATE}#member_row" if request.htmx else MEMBERS_TEMPLATE
    return render(request, template, context, status=400)


@login_required
@require_POST
def membership_remove(request: HtmxHttpRequest, slug: str, pk: int) -> HttpResponse:
    team = get_team_for_user(request.user, slug, perm="accounts.manage_team")
    membership = get_object_or_404(team.memberships.select_related("user", "team"), pk=pk)
    try:
        services.membership_remove(membership=membership, by=request.user)
    except ValidationError as exc:
        context = _members_context(
            request, team, row_error_pk=membership.pk, row_error=" ".join(exc.messages)
        )
        return render(request, MEMBERS_TEMPLATE, context, status=400)
    messages.success(request, f"{membership.user.name} was removed from {team.name}.")
    if membership.user_id == request.user.pk:
        return redirect("home")
    return redirect("team_members", team.slug)


@login_required
@require_POST
def team_leave(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug, perm="accounts.leave_team")
    try:
        services.membership_leave(user=request.user, team=team)
    except ValidationError as exc:
        context = _members_context(request, team, page_error=" ".join(exc.messages))
        return render(request, MEMBERS_TEMPLATE, context, status=400)
    messages.success(request, f"You left {team.name}.")
    return redirect("home")


# --- Profile ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    initial = {"display_name": user.display_name, "time_zone": user.time_zone}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Profile saved.")
            return redirect("profile")
    status = 400 if form.errors else 200
    return render(request, "accounts/profile.html", {"form": form}, status=status)
