"""The notification e-mails: one function per kind, three templates each.

Both kinds carry the RFC 8058 one-click unsubscribe headers and a visible
unsubscribe link; every item links to the exact comment, iteration or session.
"""

from email.utils import parseaddr

from django.conf import settings
from django.core.mail import DNS_NAME, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wbapp.activity.models import DeliveryKind, NotificationPreference

from .unsubscribe import unsubscribe_url


def _preferences_url() -> str:
    try:
        path = reverse("notification_settings")
    except NoReverseMatch:
        path = "/settings/notifications/"
    return settings.SITE_URL.rstrip("/") + path


def _schedule(preference: NotificationPreference) -> str:
    """How the user's e-mails are set, in words ("daily at 08:00")."""
    at = f"{preference.hour:02d}:00"
    if preference.frequency == DeliveryKind.DAILY:
        return f"a daily digest at {at}"
    if preference.frequency == DeliveryKind.WEEKLY:
        return f"a weekly digest on {preference.get_weekday_display()}s at {at}"
    return "an e-mail a few minutes after something happens"


def _preference(user) -> NotificationPreference:
    # Selected with the delivery (no query); a user without a row has the defaults.
    try:
        return user.notification_preference
    except NotificationPreference.DoesNotExist:
        return NotificationPreference(user=user)


def _context(content) -> dict:
    user = content.user
    tz = user.tzinfo
    for group in content.groups:
        for item in group.items:
            item.when = timezone.localtime(item.line.created_at, tz).strftime("%a %d %b, %H:%M")
    return {
        "user": user,
        "content": content,
        "groups": content.groups,
        "waiting": content.waiting,
        "item_count": content.item_count,
        "initiative_count": content.initiative_count,
        "kind": content.delivery.kind,
        "kind_label": {"daily": "daily", "weekly": "weekly"}.get(content.delivery.kind, ""),
        "schedule": _schedule(_preference(user)),
        "time_zone": user.time_zone,
        "preferences_url": _preferences_url(),
        "unsubscribe_url": unsubscribe_url(user),
        "site_url": settings.SITE_URL.rstrip("/"),
    }


def message_id(delivery) -> str:
    """The Message-ID of a delivery's e-mail: the same on every attempt at sending it.

    An e-mail sent again after its sender died (delivery.py) is then the same
    message to the recipient's mail client, which shows it once.
    """
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or str(DNS_NAME)
    return f"<workback.{delivery.pk}.{int(delivery.created_at.timestamp())}@{domain}>"


def _message(content, template: str, connection=None) -> EmailMultiAlternatives:
    context = _context(content)
    # Subjects are one line whatever the template's whitespace.
    subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{template}_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[content.user.email],
        connection=connection,
        headers={
            # RFC 8058: mail clients show an unsubscribe button that POSTs to the URL.
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # Out-of-office replies and the like should not answer a notification.
            "Auto-Submitted": "auto-generated",
            "Message-ID": message_id(content.delivery),
        },
    )
    message.attach_alternative(
        render_to_string(f"emails/{template}_message.html", context), "text/html"
    )
    return message


def digest_message(content, connection=None) -> EmailMultiAlternatives:
    """The daily or weekly digest: what waits on the user, then what happened, by initiative."""
    return _message(content, "digest", connection)


def notifications_message(content, connection=None) -> EmailMultiAlternatives:
    """An immediate e-mail: what happened in the last few minutes."""
    return _message(content, "notifications", connection)


def message_for(content, connection=None) -> EmailMultiAlternatives:
    """The e-mail of a delivery's kind, to send over ``connection`` (a new one if None)."""
    if content.delivery.kind == DeliveryKind.IMMEDIATE:
        return notifications_message(content, connection)
    return digest_message(content, connection)
