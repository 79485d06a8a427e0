import zoneinfo
from functools import cache

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms

from .models import Role, Team, User


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class TeamForm(forms.Form):
    name = forms.CharField(
        max_length=Team._meta.get_field("name").max_length,
        help_text="Usually the product area or group, such as “Returns & Refunds”.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(
        choices=Role.choices,
        initial=Role.REVIEWER,
        help_text="Owners manage the team; editors write; reviewers comment; viewers read.",
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        max_length=User._meta.get_field("display_name").max_length,
        required=False,
        help_text="How teammates see you. Leave empty to use the start of your e-mail address.",
    )
    time_zone = forms.ChoiceField(
        choices=time_zone_choices,
        help_text="Times across Workback are shown in this zone.",
    )


def _display_name_field() -> forms.CharField:
    return forms.CharField(
        label="Full name",
        max_length=User._meta.get_field("display_name").max_length,
        help_text="How your teammates see you in Workback.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )


class SignupForm(AllauthSignupForm):
    """allauth's sign-up, asking for the full name first (ACCOUNT_FORMS["signup"]).

    Through an invitation (``invited_email``) the address is the invited one: the
    field comes filled in and read-only, and any other address is refused here,
    whatever the browser sends.
    """

    display_name = _display_name_field()
    field_order = ["display_name", "email", "password1", "password2"]

    def __init__(self, *args, invited_email: str | None = None, **kwargs) -> None:
        self.invited_email = invited_email
        super().__init__(*args, **kwargs)
        if invited_email:
            email = self.fields["email"]
            email.initial = invited_email
            email.widget.attrs["readonly"] = True
            email.help_text = "The invitation was sent to this address."

    def clean_display_name(self) -> str:
        name = self.cleaned_data["display_name"].strip()
        if not name:
            raise forms.ValidationError("Tell your teammates your name.")
        return name

    def clean_email(self) -> str:
        if self.invited_email and self.cleaned_data["email"].lower() != self.invited_email.lower():
            raise forms.ValidationError(
                f"This invitation is for {self.invited_email}. Sign up with that address, "
                "or ask a team owner to invite the address you want to use."
            )
        email = super().clean_email()
        if self.invited_email and self.account_already_exists:
            raise forms.ValidationError(
                f"There is already an account for {self.invited_email}. "
                "Sign in instead to join the team."
            )
        return email


class InvitationLoginForm(AllauthLoginForm):
    """allauth's sign-in with the invited address filled in."""

    def __init__(self, *args, invited_email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].initial = invited_email
