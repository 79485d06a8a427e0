"""Joining a team by invitation.

The link in the invitation e-mail (``invitation_accept``) works for everyone. A
signed-in invitee accepts with one click. A signed-out one is offered to create an
account (``invitation_signup``: full name, the invited address filled in and locked)
or to sign in (``invitation_signin``), and either way lands in the team with the
invitation accepted. The home page lists pending invitations with Accept and
Decline (``invitation_accept_pending``, ``invitation_decline``).
"""

from allauth.account.adapter import get_adapter
from allauth.account.views import LoginView, SignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from wbapp.http import HtmxHttpRequest

from . import services
from .forms import InvitationLoginForm, SignupForm
from .lookups import email_has_account, get_invitation_for_invitee
from .models import Invitation
from .signin import RefusesWith429

EXPIRED = (
    "This invitation has expired",
    "Invitation links work for a limited time. Ask a team owner for a new one.",
)
WITHDRAWN = (
    "This invitation was withdrawn",
    "Ask a team owner for a new one if you still need to join.",
)
DECLINED = (
    "You declined this invitation",
    "Ask a team owner for a new one if you changed your mind.",
)
USED = (
    "This invitation has already been used",
    "Ask a team owner for a new one if you still need to join.",
)
NOT_VALID = (
    "This invitation link is not valid",
    "The link may have been cut short or mistyped. "
    "Open it again from the e-mail, or ask a team owner for a new one.",
)


def _refusal(request: HttpRequest, reason: tuple[str, str], *, status: int) -> HttpResponse:
    title, explanation = reason
    context = {"title": title, "reason": explanation}
    return render(request, "accounts/invitation_invalid.html", context, status=status)


def _check_link(request: HttpRequest, token: str) -> tuple[Invitation | None, HttpResponse | None]:
    """The invitation a live link names, or else the page that says why the link is dead.

    Checked before anyone signs in or up, so that nobody creates an account only to
    learn the link no longer works. An invitation accepted by the person asking
    stays live: the caller sends them to the team.
    """
    try:
        invitation = services.invitation_from_token(token)
    except signing.SignatureExpired:
        return None, _refusal(request, EXPIRED, status=410)
    except signing.BadSignature:
        return None, _refusal(request, NOT_VALID, status=400)
    if invitation is None or invitation.revoked_at is not None:
        return None, _refusal(request, WITHDRAWN, status=410)
    if invitation.declined_at is not None:
        return None, _refusal(request, DECLINED, status=410)
    if invitation.accepted_at is not None:
        if request.user.is_authenticated and invitation.accepted_by_id == request.user.pk:
            return invitation, None
        return None, _refusal(request, USED, status=410)
    if services.invitation_is_expired(invitation):
        return None, _refusal(request, EXPIRED, status=410)
    return invitation, None


def _join(request: HttpRequest, invitation: Invitation, *, refused_to: str) -> HttpResponse:
    """Accept ``invitation`` for the signed-in user and go to the team's board."""
    team = invitation.team
    try:
        services.invitation_accept(user=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(refused_to)
    messages.success(
        request, f"Welcome to {team.name}! You joined as {invitation.get_role_display().lower()}."
    )
    return redirect(team)


def _invitation_context(invitation: Invitation, token: str) -> dict:
    return {"invitation": invitation, "team": invitation.team, "token": token}


# --- The link in the e-mail -------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation, refusal = _check_link(request, token)
    if refusal is not None:
        return refusal
    team = invitation.team
    if invitation.accepted_at is not None:
        messages.info(request, f"You are already a member of {team.name}.")
        return redirect(team)
    context = _invitation_context(invitation, token)
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect("invitation_accept", token)
        # Whoever holds the link reads the address it was sent to: saying whether
        # that address has an account only puts the likelier way first.
        context["has_account"] = email_has_account(invitation.email)
        return render(request, "accounts/invitation_accept.html", context)
    error = None
    if request.method == "POST":
        try:
            services.invitation_accept(user=request.user, invitation=invitation)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(
                request,
                f"Welcome to {team.name}! You joined as {invitation.get_role_display().lower()}.",
            )
            return redirect(team)
    elif request.user.email.lower() != invitation.email.lower():
        error = (
            f"This invitation was sent to {invitation.email}, but you are signed in as "
            f"{request.user.email}. Sign in as {invitation.email} to accept it."
        )
    context["error"] = error
    status = 400 if error and request.method == "POST" else 200
    return render(request, "accounts/invitation_accept.html", context, status=status)


# --- Signing up or in through the link ----------------------------------------------------


class _ForTheInvitation:
    """What allauth's sign-up and sign-in forms need for an invitation: its address, its page."""

    def get_form_kwargs(self) -> dict:
        kwargs = super().get_form_kwargs()
        kwargs["invited_email"] = self.kwargs["invitation"].email
        return kwargs

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context.update(_invitation_context(self.kwargs["invitation"], self.kwargs["token"]))
        return context


class _InvitationSignupView(_ForTheInvitation, SignupView):
    """allauth's sign-up, for the invited address only, ending in the team."""

    template_name = "accounts/invitation_signup.html"

    def get_form_class(self):
        return SignupForm

    def form_valid(self, form) -> HttpResponse:
        invitation = self.kwargs["invitation"]
        # The link reached this address, which proves it: no confirmation e-mail to wait
        # for. (The form has refused any other address.)
        get_adapter(self.request).stash_verified_email(self.request, invitation.email)
        response = super().form_valid(form)
        if not self.request.user.is_authenticated:
            return response
        return _join(self.request, invitation, refused_to="home")


class _InvitationSigninView(_ForTheInvitation, RefusesWith429, LoginView):
    """allauth's sign-in with the invited address filled in, ending in the team."""

    template_name = "accounts/invitation_signin.html"

    def get_form_class(self):
        return InvitationLoginForm

    def form_valid(self, form) -> HttpResponse:
        invitation = self.kwargs["invitation"]
        response = super().form_valid(form)
        user = self.request.user
        if not user.is_authenticated:
            # An address still unconfirmed: allauth has sent the confirmation e-mail.
            return response
        if user.email.lower() != invitation.email.lower():
            # The invitation page says which address to sign in with.
            return redirect("invitation_accept", self.kwargs["token"])
        return _join(self.request, invitation, refused_to="home")


_signup = _InvitationSignupView.as_view()
_signin = _InvitationSigninView.as_view()


@require_http_methods(["GET", "POST"])
def invitation_signup(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation, refusal = _check_link(request, token)
    if refusal is not None:
        return refusal
    if request.user.is_authenticated:
        return redirect("invitation_accept", token)
    return _signup(request, invitation=invitation, token=token)


@require_http_methods(["GET", "POST"])
def invitation_signin(request: HtmxHttpRequest, token: str) -> HttpResponse:
    invitation, refusal = _check_link(request, token)
    if refusal is not None:
        return refusal
    if request.user.is_authenticated:
        return redirect("invitation_accept", token)
    return _signin(request, invitation=invitation, token=token)


# --- Accept and Decline on the home page --------------------------------------------------


@login_required
@require_POST
def invitation_accept_pending(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_invitee(request.user, pk)
    return _join(request, invitation, refused_to="home")


@login_required
@require_POST
def invitation_decline(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    invitation = get_invitation_for_invitee(request.user, pk)
    try:
        services.invitation_decline(user=request.user, invitation=invitation)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"You declined the invitation to {invitation.team.name}.")
    return redirect("home")
