import zoneinfo

from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.utils import timezone

# A day; a miss costs the user's row, which most pages load anyway.
TIME_ZONE_TTL_SECONDS = 24 * 60 * 60


def time_zone_cache_key(user_id) -> str:
    return f"accounts:user:{user_id}:tz"


def forget_time_zone(user_id) -> None:
    """Drop the cached zone after the user's row changed (see AccountsConfig.ready)."""
    cache.delete(time_zone_cache_key(user_id))


def _time_zone_name(request) -> str | None:
    """The signed-in user's zone, without loading the user where the cache knows it.

    The live endpoint answers most polls with a 304 and no query at all; reading
    ``request.user`` here would cost each of them the user's row.
    """
    user_id = request.session.get(SESSION_KEY)
    if user_id is None:
        return None
    key = time_zone_cache_key(user_id)
    name = cache.get(key)
    if name is None:
        if not request.user.is_authenticated:
            return None
        name = request.user.time_zone
        cache.set(key, name, TIME_ZONE_TTL_SECONDS)
    return name


class UserTimezoneMiddleware:
    """Show times in the signed-in user's own time zone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        name = _time_zone_name(request)
        try:
            if name:
                timezone.activate(zoneinfo.ZoneInfo(name))
            else:
                timezone.deactivate()
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        return self.get_response(request)
