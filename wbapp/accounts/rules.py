"""Object-level permissions on teams (django-rules).

Every permission names a minimum role; membership is looked up once per user
and team and cached on the user object for the rest of the request.
"""

import rules
from django.utils.functional import empty

from .models import Membership, Role


def _role_cache(user) -> dict:
    # request.user is a lazy proxy while rules receives the User it wraps: keep the
    # cache on the real User so that lookups can prime it and predicates read it.
    target = user.__dict__.get("_wrapped", user)
    if target is empty:
        user._setup()
        target = user._wrapped
    return target.__dict__.setdefault("_team_roles", {})


def remember_team_role(user, team_id: int, role: str | None) -> None:
    """Prime the cache with a role a lookup already read (saves a query per check)."""
    _role_cache(user)[team_id] = role


def forget_team_role(user, team_id: int) -> None:
    """Drop a cached role after the membership changed."""
    _role_cache(user).pop(team_id, None)


def known_team_membership(user, team_id: int) -> bool | None:
    """Whether ``user`` is in the team, if a lookup already read it this request; else None."""
    cache = _role_cache(user)
    if team_id not in cache:
        return None
    return cache[team_id] is not None


def team_role(user, team) -> str | None:
    """The user's role in ``team``, or None for non-members."""
    if user is None or not user.is_authenticated or team is None:
        return None
    cache = _role_cache(user)
    if team.pk not in cache:
        cache[team.pk] = (
            Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
        )
    return cache[team.pk]


def role_at_least(minimum: str):
    @rules.predicate(name=f"role_at_least_{minimum}")
    def predicate(user, team) -> bool:
        role = team_role(user, team)
        return role is not None and Role.rank(role) >= Role.rank(minimum)

    return predicate


is_member = role_at_least(Role.VIEWER)
is_reviewer = role_at_least(Role.REVIEWER)
is_editor = role_at_least(Role.EDITOR)
is_owner = role_at_least(Role.OWNER)

rules.add_perm("accounts.view_team", is_member)
rules.add_perm("accounts.leave_team", is_member)
rules.add_perm("accounts.manage_team", is_owner)
