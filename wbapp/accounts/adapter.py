"""allauth's adapter (ACCOUNT_ADAPTER): names from the sign-up form, links on SITE_URL,
failed sign-ins throttled per account and client address (``throttle``), ``next`` by the
site's rule."""

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ValidationError
from django.urls import reverse

from wbapp.http import same_site_path

from . import throttle
from .emails import absolute_url


def too_many(message: str, wait: int, *, otherwise: str = "") -> ValidationError:
    """A refused sign-in, saying when to try again (``retry_after``, for the 429's header)."""
    return ValidationError(
        f"{message} Try again in {throttle.in_words(wait)}{otherwise}.",
        code=throttle.TOO_MANY,
        params={"retry_after": wait},
    )


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # The sign-up form asks for the full name; teammates see it instead of the address.
        user.display_name = form.cleaned_data.get("display_name", "").strip()
        return super().save_user(request, user, form, commit)

    def is_safe_url(self, url) -> bool:
        # Where signing in (or out) returns to: the site's one rule for ``next``.
        return same_site_path(url) is not None

    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        # Like every link in Workback's e-mails, on the configured site address.
        return absolute_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    # --- Throttling failed sign-ins -----------------------------------------------------
    #
    # allauth's authenticate calls pre_authenticate before it checks the password, and
    # authentication_failed when the password is wrong. Its own "login_failed" limit is per
    # client address only (settings); here the account is counted with the address.

    def _pair(self, request, credentials: dict) -> dict:
        return {"email": credentials.get("email", ""), "address": self.get_client_ip(request)}

    def pre_authenticate(self, request, **credentials) -> None:
        pair = self._pair(request, credentials)
        wait = throttle.waiting(**pair)
        if wait:
            raise self._pair_refusal(wait)
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            raise too_many(
                "Too many failed sign-ins from your address.",
                throttle.longest_window("login_failed"),
            ) from None
        wait = throttle.claim(**pair)
        if wait:
            raise self._pair_refusal(wait)

    def _pair_refusal(self, wait: int) -> ValidationError:
        return too_many(
            "Too many failed sign-ins to this account from your address.",
            wait,
            otherwise=", or reset your password",
        )

    def authenticate(self, request, **credentials):
        user = super().authenticate(request, **credentials)
        if user is not None:
            throttle.succeeded(**self._pair(request, credentials))
        return user

    def authentication_failed(self, request, **credentials) -> None:
        super().authentication_failed(request, **credentials)
        throttle.failed(**self._pair(request, credentials))
