import redis
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from reviews.dashboard import my_reviews
from wbapp.accounts.my_teams import my_invitations, my_teams


@login_required
def home(request):
    """ "My reviews": sessions, threads, action items and cords waiting on the user."""
    context = {
        "teams": my_teams(request.user),
        "invitations": my_invitations(request.user),
        "reviews": my_reviews(request.user),
    }
    return render(request, "home.html", context)


def _check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _check_redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


@never_cache
@require_GET
def healthz(request):
    """200 when every configured dependency answers, 503 naming the one that does not."""
    checks = {"database": _check_database}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis
    status = {}
    for name, check in checks.items():
        try:
            status[name] = check()
        except Exception as exc:  # any failure is a failed health check
            status[name] = f"error: {exc.__class__.__name__}"
    if not settings.REDIS_URL:
        status["redis"] = "not configured (tasks run in-process)"
    healthy = all(value == "ok" for key, value in status.items() if key in checks)
    return JsonResponse(
        {"status": "ok" if healthy else "error", **status}, status=200 if healthy else 503
    )
