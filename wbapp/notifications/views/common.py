"""What the notification views share: reading ``next`` and numbers from a request."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def int_or_none(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if number > 0 else None


def safe_next(request: HttpRequest, fallback: str) -> str:
    """``next`` from the form or the query string if it stays on this site, else ``fallback``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
