from django import forms

from wbapp.activity.models import Frequency, Weekday

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PreferencesForm(forms.Form):
    """How often e-mail goes out, and when. The hour is local to the user's time zone."""

    frequency = forms.ChoiceField(
        label="E-mail me",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose how often Workback e-mails you.",
            "invalid_choice": "Choose one of the options: immediately, daily, weekly or never.",
        },
    )
    hour = forms.TypedChoiceField(
        label="Digest time",
        choices=HOURS,
        coerce=int,
        help_text="When the daily or weekly digest arrives.",
        error_messages={
            "required": "Choose the hour your digest arrives.",
            "invalid_choice": "Choose an hour between 00:00 and 23:00.",
        },
    )
    weekday = forms.TypedChoiceField(
        label="Day of the weekly digest",
        choices=Weekday.choices,
        coerce=int,
        help_text="Only for the weekly digest.",
        error_messages={
            "required": "Choose the day of your weekly digest.",
            "invalid_choice": "Choose a day from Monday to Sunday.",
        },
    )
