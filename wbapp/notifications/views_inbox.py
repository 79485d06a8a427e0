"""The in-app side of notifications: the inbox, the header's unread count, preferences,
and following or muting one initiative.

The notifications domain (who is told what, e-mail, digests) lives in services.py,
fanout.py and delivery.py; these views only read it and call its functions.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import parse_etags, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from documents.lookups import get_initiative_for_user
from wbapp.activity.models import Frequency, Notification
from wbapp.http import HtmxHttpRequest, add_service_errors

from . import services
from .context_processors import UnreadBadge
from .forms import PreferencesForm
from .lines import describe, excerpts_for

INBOX = "notifications/inbox.html"
PREFERENCES = "notifications/preferences.html"
INITIATIVE = "notifications/initiative_notifications.html"
PAGE_SIZE = 50
# htmx stops polling on this status: a signed-out page has no count to follow.
STOP_POLLING = 286

FOLLOW_ACTIONS = {
    "follow": (services.initiative_follow, "You follow “{}”."),
    "unfollow": (services.initiative_unfollow, "You no longer follow “{}”."),
    "mute": (services.initiative_mute, "“{}” is muted: only what is addressed to you reaches you."),
    "unmute": (services.initiative_unmute, "“{}” is no longer muted."),
}


def _get_notification_for_user(user, notification_id: int) -> Notification:
    """The user's own notification; anyone else's is a 404, never a 403."""
    notification = (
        Notification.objects.for_inbox().filter(pk=notification_id, user_id=user.pk).first()
    )
    if notification is None:
        raise Http404("No such notification.")
    return notification


def _with_line(notification: Notification) -> Notification:
    activity = notification.activity
    notification.line = describe(activity, excerpts_for([activity]))
    return notification


def _int_or_none(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def _safe_next(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


# --- The inbox -------------------------------------------------------------------------


@dataclass
class Day:
    label: str
    date: date
    notifications: list = field(default_factory=list)


def _day_label(day: date, today: date) -> str:
    if day == today:
        return "Today"
    if day == today - timedelta(days=1):
        return "Yesterday"
    return date_format(day, "l j F" if day.year == today.year else "l j F Y")


def group_by_day(notifications: list[Notification], *, today: date) -> list[Day]:
    """Consecutive notifications of one local day (the user's time zone) under one heading."""
    days: list[Day] = []
    for notification in notifications:
        day = timezone.localdate(notification.line.created_at)
        if not days or days[-1].date != day:
            days.append(Day(label=_day_label(day, today), date=day))
        days[-1].notifications.append(notification)
    return days


def _inbox_context(request: HttpRequest) -> dict:
    user = request.user
    before = _int_or_none(request.GET.get("before") or request.POST.get("before"))
    # One more than a page tells whether there is an older page.
    notifications = services.inbox(user, limit=PAGE_SIZE + 1, before=before)
    older = notifications[PAGE_SIZE - 1].pk if len(notifications) > PAGE_SIZE else None
    notifications = notifications[:PAGE_SIZE]
    unread = services.unread_count(user)
    return {
        "days": group_by_day(notifications, today=timezone.localdate()),
        "before": before,
        "older": older,
        "newest": notifications[0].pk if notifications else 0,
        "unread": unread,
        "unread_badge": UnreadBadge(user, count=unread),
    }


@login_required
@require_GET
def inbox(request: HtmxHttpRequest) -> HttpResponse:
    return render(request, INBOX, _inbox_context(request))


def _count_oob(request: HttpRequest, badge: UnreadBadge) -> str:
    """The header's count again, swapped out of band after a mark-read."""
    inner = render_to_string(
        "notifications/includes/unread_count.html", {"badge": badge}, request=request
    )
    return f'<span id="unread-count" hx-swap-oob="innerHTML">{inner}</span>'


@login_required
@require_POST
def notifications_read_all(request: HtmxHttpRequest) -> HttpResponse:
    # Up to the newest notification the page showed: one that arrived since stays unread.
    up_to = _int_or_none(request.POST.get("up_to"))
    changed = services.mark_read(user=request.user, all=True, up_to=up_to)
    if request.htmx:
        context = _inbox_context(request)
        response = render(request, f"{INBOX}#inbox", context)
        response.write(_count_oob(request, context["unread_badge"]))
        return response
    if changed:
        messages.success(
            request, f"Marked {changed} notification{'s' if changed != 1 else ''} read."
        )
    url = reverse("notifications")
    before = _int_or_none(request.POST.get("before"))
    return redirect(f"{url}?before={before}" if before else url)


@login_required
@require_POST
def notification_read(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    notification = _get_notification_for_user(request.user, notification_id)
    services.mark_read(user=request.user, ids=[notification.pk])
    if request.htmx:
        notification.read_at = notification.read_at or timezone.now()
        response = render(request, f"{INBOX}#item", {"notification": _with_line(notification)})
        # The list's heading and the header's count say how many are left, out of band.
        badge = UnreadBadge(request.user)
        title = {"unread": badge.count, "oob": True}
        response.write(render_to_string(f"{INBOX}#inbox_title", title, request=request))
        response.write(_count_oob(request, badge))
        return response
    return redirect(_safe_next(request, reverse("notifications")))


@login_required
@require_GET
def notification_open(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    """Click-through: mark it read and go to the exact comment, iteration or session.

    A GET that writes, deliberately: it is a link the reader opens (in a new tab
    too), and marking read twice changes nothing.
    """
    notification = _get_notification_for_user(request.user, notification_id)
    if notification.read_at is None:
        services.mark_read(user=request.user, ids=[notification.pk])
    path = _with_line(notification).line.path
    if not path or not url_has_allowed_host_and_scheme(path, allowed_hosts=None):
        return redirect("notifications")
    return redirect(path)


@require_GET
def notifications_count(request: HtmxHttpRequest) -> HttpResponse:
    """The header's unread count, polled by every open page.

    304 with no body while the count is unchanged (notifications.js sends the
    last ETag back); the count is one indexed COUNT of unread rows.
    """
    if not request.user.is_authenticated:
        # Not a redirect to the sign-in page, which htmx would swap into the header.
        return HttpResponse(status=STOP_POLLING)
    badge = UnreadBadge(request.user)
    if badge.etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = render(request, "notifications/includes/unread_count.html", {"badge": badge})
    response["ETag"] = badge.etag
    response["Cache-Control"] = "private, no-store"
    return response


# --- Preferences ------------------------------------------------------------------------


def _preferences_context(request: HttpRequest, form: PreferencesForm, **extra) -> dict:
    return {
        "form": form,
        "time_zone": request.user.time_zone,
        "follows": services.followed_initiatives(request.user),
        "off": Frequency.OFF,
        **extra,
    }


@login_required
@require_http_methods(["GET", "POST"])
def notification_settings(request: HtmxHttpRequest) -> HttpResponse:
    user = request.user
    preference = services.preferences_get(user)
    initial = {
        "frequency": preference.frequency,
        "hour": preference.hour,
        "weekday": preference.weekday,
    }
    form = PreferencesForm(request.POST or None, initial=initial)
    saved = False
    if request.method == "POST" and form.is_valid():
        try:
            preference = services.preferences_update(user=user, **form.cleaned_data)
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
    if request.htmx and request.method == "POST":
        context = {
            "form": form,
            "time_zone": user.time_zone,
            "saved": _saved_message(preference) if saved else "",
        }
        return render(request, f"{PREFERENCES}#preferences_form", context, status=status)
    return render(request, PREFERENCES, _preferences_context(request, form), status=status)


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


# --- Following and muting one initiative -------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def initiative_notifications(request: HtmxHttpRequest, initiative_id: int) -> HttpResponse:
    """Follow, unfollow, mute or unmute one initiative (any member; outsiders get 404).

    The initiative page loads the "control" fragment into its header with htmx;
    the preferences page posts from its list and gets its "row" back. Without
    htmx this is a small page of its own, and a POST redirects to ``next``.
    """
    initiative = get_initiative_for_user(request.user, initiative_id)
    fragment = request.POST.get("fragment") or request.GET.get("fragment") or "control"
    if fragment not in ("control", "row"):
        fragment = "control"
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in FOLLOW_ACTIONS:
            return HttpResponse("Unknown action.", status=400, content_type="text/plain")
        change, message = FOLLOW_ACTIONS[action]
        state = change(user=request.user, initiative=initiative)
        if not request.htmx:
            messages.success(request, message.format(initiative.title))
            return redirect(
                _safe_next(request, reverse("initiative_notifications", args=[initiative.pk]))
            )
    else:
        state = services.follow_state(user=request.user, initiative=initiative)
    context = {"initiative": initiative, "state": state, "team": initiative.team}
    if not request.htmx:
        return render(request, INITIATIVE, context)
    response = render(request, f"{INITIATIVE}#{fragment}", context)
    if request.method == "POST" and fragment == "control":
        # Muting drops an explicit follow: the page's Follow button follows, out of band.
        response.write(_follow_button_oob(request, initiative))
    return response


def _follow_button_oob(request: HttpRequest, initiative) -> str:
    counts = initiative.followers.aggregate(
        total=Count("pk"), mine=Count("pk", filter=Q(pk=request.user.pk))
    )
    context = {
        "initiative": initiative,
        "follower_count": counts["total"],
        "is_following": counts["mine"] > 0,
        "oob": True,
    }
    return render_to_string("documents/initiative_detail.html#follow", context, request=request)
