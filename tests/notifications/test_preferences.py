"""Preferences: how and when a user hears about what happened."""

import pytest
from django.core.exceptions import ValidationError

from wbapp.activity.models import NotificationPreference
from wbapp.notifications import preferences


def test_preferences_default_to_a_daily_digest_at_eight_without_writing(cast):
    preference = preferences.preferences_get(cast.viewer)

    assert (preference.frequency, preference.hour, preference.weekday) == ("daily", 8, 0)
    assert not NotificationPreference.objects.exists()


def test_preferences_are_saved(cast):
    preferences.preferences_update(user=cast.viewer, frequency="weekly", hour=17, weekday=4)

    saved = preferences.preferences_get(cast.viewer)
    assert (saved.frequency, saved.hour, saved.weekday) == ("weekly", 17, 4)


@pytest.mark.parametrize(
    ("frequency", "hour", "weekday", "field"),
    [
        ("hourly", 8, 0, "frequency"),
        ("daily", 24, 0, "hour"),
        ("daily", -1, 0, "hour"),
        ("weekly", 8, 7, "weekday"),
    ],
)
def test_invalid_preferences_are_refused_by_field(cast, frequency, hour, weekday, field):
    with pytest.raises(ValidationError) as error:
        preferences.preferences_update(
            user=cast.viewer, frequency=frequency, hour=hour, weekday=weekday
        )

    assert field in error.value.message_dict
