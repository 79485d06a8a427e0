from django.utils.functional import SimpleLazyObject

from .navigation import nav_teams


def navigation(request):
    """The signed-in user's teams, for the navigation bar (read only if rendered)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_teams": []}
    return {"nav_teams": SimpleLazyObject(lambda: nav_teams(user))}
