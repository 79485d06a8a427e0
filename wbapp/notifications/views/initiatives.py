"""Following and muting one initiative: its small page, and the controls other pages load."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from documents.lookups import get_initiative_for_user
from wbapp.http import HtmxHttpRequest, next_path

from .. import follows

INITIATIVE = "notifications/initiative_notifications.html"
# The initiative page's Follow button and "Notification settings", from the
# {% follow_panel %} tag; the button alone is its "follow" partial.
FOLLOW_BUTTON = "notifications/includes/follow_panel.html#follow"

FOLLOW_ACTIONS = {
    "follow": (follows.initiative_follow, "You follow “{}”."),
    "unfollow": (follows.initiative_unfollow, "You no longer follow “{}”."),
    "mute": (follows.initiative_mute, "“{}” is muted: only what is addressed to you reaches you."),
    "unmute": (follows.initiative_unmute, "“{}” is no longer muted."),
}


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def initiative_notifications(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """Follow, unfollow, mute or unmute one initiative (any member; outsiders get 404).

    The initiative page loads the "control" fragment into its header with htmx;
    the preferences page posts from its list and gets its "row" back. Without
    htmx this is a small page of its own, and a POST redirects to ``next``.
    """
    initiative = get_initiative_for_user(request.user, initiative_id)
    fragment = request.POST.get("fragment") or request.GET.get("fragment") or "control"
    if fragment not in ("control", "row"):
        fragment = "control"
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FOLLOW_ACTIONS:
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        change, message = FOLLOW_ACTIONS[action]
        state = change(user=request.user, initiative=initiative)
        if not request.htmx:
            messages.success(request, message.format(initiative.title))
            return redirect(
                next_path(request, reverse("initiative_notifications", args=[initiative.pk]))
            )
    else:
        state = follows.follow_state(user=request.user, initiative=initiative)
    context = {"initiative": initiative, "state": state, "team": initiative.team}
    if not request.htmx:
        return render(request, INITIATIVE, context)
    response = render(request, f"{INITIATIVE}#{fragment}", context)
    if request.method == "POST" and fragment == "control":
        # Muting drops an explicit follow: the page's Follow button follows, out of band.
        response.write(_follow_button_oob(request, initiative))
    return response


def _follow_button_oob(request: HttpRequest, initiative) -> str:
    context = follows.follow_button(user=request.user, initiative=initiative) | {"oob": True}
    return render_to_string(FOLLOW_BUTTON, context, request=request)


@login_required
@require_POST
def initiative_follow(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """The initiative page's Follow button (every member, viewers included; outsiders 404)."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    # Following explicitly also lifts a mute.
    if request.POST.get("follow") == "0":
        follows.initiative_unfollow(user=request.user, initiative=initiative)
    else:
        follows.initiative_follow(user=request.user, initiative=initiative)
    if request.htmx:
        context = follows.follow_button(user=request.user, initiative=initiative)
        return render(request, FOLLOW_BUTTON, context)
    return redirect("initiative_detail", initiative.pk)
