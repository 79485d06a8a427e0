"""Action items of an initiative, and "My action items" across every team.

Items made from a thread are created in the thread (comments.action_item_create);
here reviewers and up add items that belong to the initiative as a whole. Ticking
an item done or undone is comments.action_item_done (htmx, with a plain fallback
that returns to the page named by ``next``).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from documents.lookups import get_initiative_for_user
from wbapp.http import HtmxHttpRequest, add_service_errors

from ..dashboard import my_action_items
from ..forms import ActionItemForm
from ..models import ActionItem
from ..services import action_items
from .common import members_of, viewer_for

ADD = "reviews.comment_on_initiative"
# An initiative's page of items shows this many; older done items drop off the end.
PAGE_LIMIT = 200
RECENTLY_DONE = 20


@login_required
@require_http_methods(["GET", "POST"])
def initiative_action_items(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """Every action item of the initiative (open first), and a form to add one."""
    initiative = get_initiative_for_user(request.user, initiative_id)
    team = initiative.team
    can_add = request.user.has_perm(ADD, initiative)
    if request.method == "POST" and not can_add:
        raise PermissionDenied
    form = None
    if can_add:
        form = ActionItemForm(
            request.POST or None, members=members_of(team), initial={"owner": request.user.pk}
        )
    if request.method == "POST" and form.is_valid():
        try:
            action_items.action_item_create(
                user=request.user,
                initiative=initiative,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_on=form.cleaned_data["due_on"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Action item added.")
            return redirect(reverse("initiative_action_items", args=[initiative.pk]))
    items = list(
        ActionItem.objects.filter(initiative=initiative).select_related("owner", "session")[
            :PAGE_LIMIT
        ]
    )
    context = {
        "initiative": initiative,
        "team": team,
        "open_items": [item for item in items if not item.is_done],
        "done_items": [item for item in items if item.is_done],
        "form": form,
        "viewer": viewer_for(request.user, initiative=initiative),
        "next": request.path,
    }
    status = 400 if form is not None and form.errors else 200
    return render(request, "reviews/initiative_action_items.html", context, status=status)


@login_required
@require_GET
def my_action_items_page(request: HtmxHttpRequest) -> HttpResponse:
    """The user's own open items across all their teams, grouped by initiative."""
    items = my_action_items(request.user, limit=None)
    done = list(
        ActionItem.objects.visible_to(request.user)
        .filter(owner=request.user, done_at__isnull=False)
        .select_related("initiative", "session", "owner")
        .order_by("-done_at", "-pk")[:RECENTLY_DONE]
    )
    groups: dict[int, dict] = {}
    for item in items:
        group = groups.setdefault(item.initiative_id, {"initiative": item.initiative, "items": []})
        group["items"].append(item)
    context = {
        "groups": list(groups.values()),
        "done_items": done,
        "next": request.path,
    }
    return render(request, "reviews/my_action_items.html", context)
