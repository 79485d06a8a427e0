"""Chromium applies the Permissions-Policy header as written: every feature it names is off."""

import pytest
from playwright.sync_api import Page

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_chromium_knows_every_feature_turned_off_and_allows_none_of_them(page: Page, settings):
    warnings = []
    page.on("console", lambda message: warnings.append(message.text))

    page.goto("/accounts/login/")

    allowed = set(page.evaluate("document.featurePolicy.allowedFeatures()"))
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(
        settings.PERMISSIONS_POLICY
    )
    assert not allowed & set(settings.PERMISSIONS_POLICY)
    # An unknown feature name would be reported on every page.
    assert [text for text in warnings if "Permissions-Policy" in text] == []
