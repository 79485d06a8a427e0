"""The page frame every page extends (templates/base.html)."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_with_debug_on_form_errors_are_still_swapped_in(client, settings):
    # django-htmx's debug script ({% htmx_script %} adds it when DEBUG is on) shows a
    # 400 answer as the whole page; our forms answer 400 with their errors to swap in.
    settings.DEBUG = True

    html = client.get(reverse("account_login")).content.decode()

    assert "django_htmx/htmx-2.min.js" in html
    assert "django-htmx.js" not in html
