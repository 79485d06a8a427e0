"""One-click unsubscribe links: a signed token names the user and address, and never expires."""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from wbapp.accounts.models import User

# Named after the app the pipeline lived in when the first e-mails went out: the links
# in every e-mail sent since carry tokens signed with it.
UNSUBSCRIBE_SALT = "wbapp.activity.unsubscribe"


def unsubscribe_token(user) -> str:
    """A signed token naming the user and address; it never expires (old e-mails keep working)."""
    signer = signing.Signer(salt=UNSUBSCRIBE_SALT)
    return signer.sign_object({"u": user.pk, "e": user.email.lower()})


def unsubscribe_url(user) -> str:
    path = reverse("notifications_unsubscribe", args=[unsubscribe_token(user)])
    return settings.SITE_URL.rstrip("/") + path


def user_from_unsubscribe_token(token: str):
    """The user a token names, or None for a bad token or a changed address."""
    try:
        data = signing.Signer(salt=UNSUBSCRIBE_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or user.email.lower() != data.get("e"):
        return None
    return user
