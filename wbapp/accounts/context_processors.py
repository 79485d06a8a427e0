from django.utils.functional import SimpleLazyObject

from .models import Team


def navigation(request):
    """The signed-in user's teams, for the navigation bar (queried only if rendered)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_teams": []}
    return {"nav_teams": SimpleLazyObject(lambda: list(Team.objects.for_user(user)))}
