"""The one page of notifications that works without signing in: unsubscribe.

Mail clients implementing RFC 8058 POST "List-Unsubscribe=One-Click" to the
List-Unsubscribe URL with no cookies and no CSRF token, so the POST is exempt
from CSRF: the signed token is the authorisation, and the only thing it can do
is turn notification e-mails off. GET only shows a confirm button, because link
scanners and previews fetch URLs without a person behind them.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from . import services

TEMPLATE = "notifications/unsubscribe.html"


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = services.user_from_unsubscribe_token(token)
    if user is None:
        return render(request, TEMPLATE, {"state": "invalid"}, status=404)
    if request.method == "POST":
        services.unsubscribe(user=user)
        return render(request, TEMPLATE, {"state": "done", "email": user.email})
    preference = services.preferences_get(user)
    already = preference.frequency == "off"
    return render(
        request,
        TEMPLATE,
        {"state": "off" if already else "confirm", "email": user.email, "token": token},
    )
