"""The team board: a team's initiatives by status, its members and its recent activity.

The page of a team (``/t/<slug>/``); it lives with the documents it lists, above
the accounts app whose team it shows. Members and activity are read as plain
values: a team of 160 members would otherwise build 320 model rows to show a line
of names.
"""

from collections import Counter

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from wbapp.accounts.lookups import get_team_for_user
from wbapp.accounts.models import Role, Team, person_name
from wbapp.activity.models import Verb
from wbapp.http import HtmxHttpRequest

from .cards import time_label, url_for_each
from .initiatives import board_initiatives

RECENT_ACTIVITY = 20
VERBS = dict(Verb.choices)


def _members(team: Team) -> list[tuple[str, str]]:
    """(role, name) of each member: owners first, then by name."""
    rows = team.memberships.values_list("role", "user__display_name", "user__email")
    members = [(role, person_name(display_name, email)) for role, display_name, email in rows]
    return sorted(members, key=lambda m: (-Role.rank(m[0]), m[1].lower()))


def _activities(team: Team) -> list[dict]:
    """The team's recent activity, with what each sentence needs."""
    initiative_url = url_for_each("initiative_detail")
    rows = team.activities.values(
        "verb",
        "payload",
        "created_at",
        "initiative_id",
        "initiative__title",
        "actor__display_name",
        "actor__email",
    )[:RECENT_ACTIVITY]
    activities = []
    for row in rows:
        iso, label = time_label(row["created_at"])
        actor = row["actor__email"] and person_name(row["actor__display_name"], row["actor__email"])
        initiative_id = row["initiative_id"]
        activities.append(
            {
                "verb": row["verb"],
                "verb_display": VERBS.get(row["verb"], row["verb"]),
                "payload": row["payload"],
                "created_iso": iso,
                "created_label": label,
                "actor": actor,
                "initiative_title": row["initiative__title"],
                "initiative_url": initiative_id and initiative_url(initiative_id),
            }
        )
    return activities


@login_required
@require_GET
def team_board(request: HtmxHttpRequest, slug: str) -> HttpResponse:
    team = get_team_for_user(request.user, slug)
    members = _members(team)
    role_counts = Counter(role for role, _ in members)
    context = {
        "team": team,
        # The lookup brought the viewer's role with the team.
        "my_role": Role(team._viewer_role).label,
        "member_count": len(members),
        "member_names": [name for _, name in members],
        "role_counts": [
            (value, label, role_counts[value])
            for value, label in Role.choices
            if role_counts[value]
        ],
        "activities": _activities(team),
        "board": board_initiatives(team, request.user),
    }
    return render(request, "accounts/team_board.html", context)
