"""The e-mails of accounts and teams: one function per kind, three templates each."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Invitation


def absolute_url(path: str) -> str:
    """``path`` on the site named by settings.SITE_URL (tasks have no request to ask)."""
    return settings.SITE_URL.rstrip("/") + path


def send_invitation_email(invitation: Invitation, *, token: str) -> None:
    context = {
        "invitation": invitation,
        "team": invitation.team,
        "inviter": invitation.invited_by,
        "role": invitation.get_role_display(),
        "accept_url": absolute_url(reverse("invitation_accept", args=[token])),
        "expires_at": invitation.expires_at,
    }
    # Subjects are one line whatever the template's whitespace.
    subject = " ".join(render_to_string("emails/invitation_subject.txt", context).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("emails/invitation_message.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[invitation.email],
    )
    message.attach_alternative(
        render_to_string("emails/invitation_message.html", context), "text/html"
    )
    message.send()
