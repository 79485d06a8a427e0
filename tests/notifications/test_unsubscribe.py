"""One-click unsubscribe: signed tokens, and turning every e-mail off."""

from django.core import signing

from wbapp.activity.models import Frequency
from wbapp.notifications import preferences, unsubscribe


def test_an_unsubscribe_token_names_its_user(cast):
    token = unsubscribe.unsubscribe_token(cast.viewer)

    assert unsubscribe.user_from_unsubscribe_token(token) == cast.viewer


def test_a_tampered_or_foreign_token_names_nobody(cast):
    token = unsubscribe.unsubscribe_token(cast.viewer)
    forged = signing.Signer(salt="another-salt").sign_object({"u": cast.owner.pk, "e": "x"})

    assert unsubscribe.user_from_unsubscribe_token(token[:-2] + "xx") is None
    assert unsubscribe.user_from_unsubscribe_token(forged) is None


def test_a_token_stops_working_when_the_address_changes(cast):
    token = unsubscribe.unsubscribe_token(cast.viewer)
    cast.viewer.email = "new-address@example.com"
    cast.viewer.save(update_fields=["email"])

    assert unsubscribe.user_from_unsubscribe_token(token) is None


def test_unsubscribing_turns_every_email_off(cast):
    preferences.unsubscribe(user=cast.viewer)

    assert preferences.preferences_get(cast.viewer).frequency == Frequency.OFF
