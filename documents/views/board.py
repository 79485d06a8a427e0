"""The team board: a team's initiatives by status, its members and its recent activity.

The page of a team (``/t/<slug>/``); it lives with the documents it lists, above
the accounts app whose team it shows.
"""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wbapp.accounts.lookups import get_team_for_user, memberships_by_role
from wbapp.accounts.models import Role
from wbapp.http import HtmxHttpRequest

from .initiatives import board_initiatives

RECENT_ACTIVITY = 20


@login_required
@require_GET
def team_board(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    memberships = memberships_by_role(team)
    role_counts = Counter(m.role for m in memberships)
    context = {
        "team": team,
        "my_role": next(m for m in memberships if m.user_id == request.user.pk).get_role_display(),
        "memberships": memberships,
        "role_counts": [
            (value, label, role_counts[value])
            for value, label in Role.choices
            if role_counts[value]
        ],
        "activities": team.activities.select_related("actor", "initiative")[:RECENT_ACTIVITY],
        "board": board_initiatives(team, request.user),
    }
    return render(request, "accounts/team_board.html", context)
