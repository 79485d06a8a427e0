"""allauth's adapter (ACCOUNT_ADAPTER): names from the sign-up form, links on SITE_URL,
``next`` by the site's rule."""

from allauth.account.adapter import DefaultAccountAdapter
from django.urls import reverse

from wbapp.http import same_site_path

from .emails import absolute_url


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
