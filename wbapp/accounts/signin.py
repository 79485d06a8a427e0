"""Refused for now: sign-in forms and allauth's limits answer 429 with Retry-After.

A throttled sign-in shows its own page again, with the form and the reason (the
adapter's refusal says when to try again); allauth's other limits (sign-up, password
reset, …) show ``429.html`` in the site's layout. Either way the status is 429 and
``Retry-After`` says the seconds to wait. A password reset forgets the failures of the
address it was made from.
"""

from allauth.account.adapter import get_adapter
from allauth.account.models import EmailAddress
from allauth.account.signals import password_reset
from allauth.account.views import LoginView
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import throttle

# Which of allauth's limits guards each page that may answer 429.
_LIMIT_OF_PAGE = {
    "account_login": "login",
    "invitation_signin": "login",
    "account_signup": "signup",
    "invitation_signup": "signup",
    "account_reset_password": "reset_password",
    "account_reset_password_from_key": "reset_password_from_key",
    "account_change_password": "change_password",
    "account_set_password": "change_password",
    "account_email": "manage_email",
}


class RefusesWith429:
    """For allauth's sign-in views: a throttled attempt answers 429, not 200."""

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        for error in form.non_field_errors().as_data():
            if error.code == throttle.TOO_MANY and error.params:
                response.status_code = 429
                response["Retry-After"] = str(error.params["retry_after"])
        return response


class SigninView(RefusesWith429, LoginView):
    pass


login = SigninView.as_view()


@receiver(password_reset, dispatch_uid="signin-reset-forgets-failures")
def _reset_forgets_failures(sender, request, user, **kwargs) -> None:
    # The refusal advises a reset: whoever follows it signs in next, without waiting.
    address = get_adapter(request).get_client_ip(request)
    emails = {user.email, *EmailAddress.objects.filter(user=user).values_list("email", flat=True)}
    for email in emails:
        throttle.succeeded(email=email, address=address)


def too_many_requests(request: HttpRequest) -> HttpResponse:
    """allauth's 429 (``handler429`` of the URLs), in the site's layout."""
    name = request.resolver_match.url_name if request.resolver_match else None
    limits = [_LIMIT_OF_PAGE[name]] if name in _LIMIT_OF_PAGE else set(_LIMIT_OF_PAGE.values())
    wait = max(1, *(throttle.longest_window(limit) for limit in limits))
    response = render(request, "429.html", {"wait": throttle.in_words(wait)}, status=429)
    response["Retry-After"] = str(wait)
    return response
