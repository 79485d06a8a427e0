import zoneinfo
from functools import cache

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
