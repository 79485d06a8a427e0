"""A user's notification settings, and the one page that works without signing in: unsubscribe.

Mail clients implementing RFC 8058 POST "List-Unsubscribe=One-Click" to the
List-Unsubscribe URL with no cookies and no CSRF token, so that POST is exempt
from CSRF: the signed token is the authorisation, and the only thing it can do
is turn notification e-mails off. Its GET only shows a confirm button, because
link scanners and previews fetch URLs without a person behind them.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from wbapp.activity.models import Frequency
from wbapp.http import HtmxHttpRequest, add_service_errors

from .. import preferences
from ..digests import digest_preview
from ..follows import followed_initiatives
from ..forms import PreferencesForm
from ..unsubscribe import user_from_unsubscribe_token

PREFERENCES = "notifications/preferences.html"
UNSUBSCRIBE = "notifications/unsubscribe.html"


def _preferences_context(request: HttpRequest, form: PreferencesForm, preview, **extra) -> dict:
    return {
        "form": form,
        "time_zone": request.user.time_zone,
        "follows": followed_initiatives(request.user),
        "off": Frequency.OFF,
        "preview": preview,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    preference = preferences.preferences_get(user)
    initial = {
        "frequency": preference.frequency,
        "hour": preference.hour,
        "weekday": preference.weekday,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            preference = preferences.preferences_update(user=user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if not request.htmx:
                messages.success(request, _saved_message(preference))
                return redirect("notification_settings")
            saved = True
            form = PreferencesForm(
                initial={
                    "frequency": preference.frequency,
                    "hour": preference.hour,
                    "weekday": preference.weekday,
                },
            )
    status = 400 if form.errors else 200
    # The digest as it would go out now, on the schedule saved (not one refused).
    preview = digest_preview(user=user, preference=preference, now=timezone.now())
    if request.htmx and request.method == "POST":
        context = {
            "form": form,
            "time_zone": user.time_zone,
            "saved": _saved_message(preference) if saved else "",
            "preview": preview,
        }
        return render(request, f"{PREFERENCES}#preferences_form", context, status=status)
    return render(request, PREFERENCES, _preferences_context(request, form, preview), status=status)


def _saved_message(preference) -> str:
    hour = f"{preference.hour:02d}:00"
    match preference.frequency:
        case Frequency.IMMEDIATE:
            return "Saved. You get an e-mail within a few minutes of each event."
        case Frequency.DAILY:
            return f"Saved. Your daily digest arrives at {hour}."
        case Frequency.WEEKLY:
            return (
                f"Saved. Your weekly digest arrives on {preference.get_weekday_display()}s "
                f"at {hour}."
            )
        case _:
            return "Saved. Workback sends you no notification e-mail; your inbox still fills."


@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    user = user_from_unsubscribe_token(token)
    if user is None:
        return render(request, UNSUBSCRIBE, {"state": "invalid"}, status=404)
    if request.method == "POST":
        preferences.unsubscribe(user=user)
        return render(request, UNSUBSCRIBE, {"state": "done", "email": user.email})
    preference = preferences.preferences_get(user)
    already = preference.frequency == "off"
    return render(
        request,
        UNSUBSCRIBE,
        {"state": "off" if already else "confirm", "email": user.email, "token": token},
    )
