"""The inbox: the list of notifications by day, reading them, and the header's unread count."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET, require_POST

from wbapp.activity.models import Notification
from wbapp.http import HtmxHttpRequest, next_path, same_site_path

from ..context_processors import UnreadBadge
from ..inbox import inbox as inbox_notifications
from ..inbox import mark_read, unread_count
from ..inbox_query import InboxNotification
from ..lines import describe, excerpts_for
from .common import int_or_none
from .inbox_rows import Rows

INBOX = "notifications/inbox.html"
PAGE_SIZE = 50
# htmx stops polling on this status: a signed-out page has no count to follow.
STOP_POLLING = 286


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


def group_by_day(notifications: list[InboxNotification], *, today: date) -> list[Day]:
    """Consecutive notifications of one local day (the user's time zone) under one heading."""
    days: list[Day] = []
    # Read once: timezone.localdate() asks for it again for every notification.
    zone = timezone.get_current_timezone()
    for notification in notifications:
        day = notification.line.created_at.astimezone(zone).date()
        if not days or days[-1].date != day:
            days.append(Day(label=_day_label(day, today), date=day))
        days[-1].notifications.append(notification)
    return days


def _inbox_context(request: HttpRequest) -> dict:
    user = request.user
    before = int_or_none(request.GET.get("before") or request.POST.get("before"))
    # One more than a page tells whether there is an older page.
    notifications = inbox_notifications(user, limit=PAGE_SIZE + 1, before=before)
    older = notifications[PAGE_SIZE - 1].pk if len(notifications) > PAGE_SIZE else None
    notifications = notifications[:PAGE_SIZE]
    rows = Rows(request)
    for notification in notifications:
        notification.li = rows.li(notification)
    unread = unread_count(user)
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
    up_to = int_or_none(request.POST.get("up_to"))
    changed = mark_read(user=request.user, all=True, up_to=up_to)
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
    before = int_or_none(request.POST.get("before"))
    return redirect(f"{url}?before={before}" if before else url)


@login_required
@require_POST
def notification_read(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    notification = _get_notification_for_user(request.user, notification_id)
    mark_read(user=request.user, ids=[notification.pk])
    if request.htmx:
        notification.read_at = notification.read_at or timezone.now()
        notification = _with_line(notification)
        notification.html = Rows(request).html(notification)
        response = render(request, f"{INBOX}#item", {"notification": notification})
        # The list's heading and the header's count say how many are left, out of band.
        badge = UnreadBadge(request.user)
        title = {"unread": badge.count, "oob": True}
        response.write(render_to_string(f"{INBOX}#inbox_title", title, request=request))
        response.write(_count_oob(request, badge))
        return response
    return redirect(next_path(request, reverse("notifications")))


@login_required
@require_GET
def notification_open(request: HtmxHttpRequest, notification_id: int) -> HttpResponse:
    """Click-through: mark it read and go to the exact comment, iteration or session.

    A GET that writes, deliberately: it is a link the reader opens (in a new tab
    too), and marking read twice changes nothing.
    """
    notification = _get_notification_for_user(request.user, notification_id)
    if notification.read_at is None:
        mark_read(user=request.user, ids=[notification.pk])
    return redirect(same_site_path(_with_line(notification).line.path) or reverse("notifications"))


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
