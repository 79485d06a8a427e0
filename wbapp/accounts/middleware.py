import zoneinfo

from django.utils import timezone


def skips_user_time_zone(view):
    """Mark a view that activates the user's zone itself, if at all.

    The live endpoint answers most polls with a 304 and no query; activating the
    zone before it runs would load the user for each of them.
    """
    view.skips_user_time_zone = True
    return view


def activate_user_time_zone(user) -> None:
    if user.is_authenticated:
        try:
            timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
    else:
        timezone.deactivate()


class UserTimezoneMiddleware:
    """Show times in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        timezone.deactivate()
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "skips_user_time_zone", False):
            activate_user_time_zone(request.user)
