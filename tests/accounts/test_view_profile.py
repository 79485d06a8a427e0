from datetime import UTC, datetime

import pytest
from django.test import Client

from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db

URL = "/settings/profile/"


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={URL}"


def test_the_form_shows_the_current_values(cast, client_for):
    cast.viewer.time_zone = "Europe/Berlin"
    cast.viewer.save()

    content = client_for(cast.viewer).get(URL).content.decode()

    assert 'value="Viewer"' in content
    assert '<option value="Europe/Berlin" selected>Europe/Berlin</option>' in content
    assert "viewer@example.com" in content


def test_saving_changes_name_and_time_zone(cast, client_for):
    client = client_for(cast.viewer)

    response = client.post(URL, {"display_name": "Vera", "time_zone": "America/New_York"})

    assert response.status_code == 302
    assert response["Location"] == URL
    cast.viewer.refresh_from_db()
    assert (cast.viewer.display_name, cast.viewer.time_zone) == ("Vera", "America/New_York")
    assert "Profile saved." in client.get(URL).content.decode()


def test_an_unknown_time_zone_is_refused_with_400(cast, client_for):
    response = client_for(cast.viewer).post(URL, {"display_name": "V", "time_zone": "Mars/Base"})

    assert response.status_code == 400
    assert b"field--invalid" in response.content
    cast.viewer.refresh_from_db()
    assert cast.viewer.time_zone == "UTC"


def test_a_new_time_zone_changes_the_times_shown_on_the_next_page(cast, client_for):
    Activity.objects.create(
        team=cast.team,
        actor=cast.owner,
        verb=Verb.TEAM_CREATED,
        created_at=datetime(2025, 1, 15, 12, 0, tzinfo=UTC),
    )
    client = client_for(cast.viewer)
    assert "15 Jan 2025, 12:00" in client.get("/t/returns/").content.decode()

    client.post(URL, {"display_name": "Viewer", "time_zone": "Asia/Kolkata"})

    assert "15 Jan 2025, 17:30" in client.get("/t/returns/").content.decode()


def test_a_new_time_zone_reaches_the_users_other_signed_in_devices(cast):
    Activity.objects.create(
        team=cast.team,
        actor=cast.owner,
        verb=Verb.TEAM_CREATED,
        created_at=datetime(2025, 1, 15, 12, 0, tzinfo=UTC),
    )
    laptop, phone = Client(), Client()
    laptop.force_login(cast.viewer)
    phone.force_login(cast.viewer)
    assert "15 Jan 2025, 12:00" in phone.get("/t/returns/").content.decode()

    laptop.post(URL, {"display_name": "Viewer", "time_zone": "Asia/Kolkata"})

    assert "15 Jan 2025, 17:30" in phone.get("/t/returns/").content.decode()
