"""The navigation bar's teams, kept in the cache per user and forgotten when they change."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import MembershipFactory, TeamFactory
from wbapp.accounts import services
from wbapp.accounts.navigation import forget_nav_teams, nav_teams

pytestmark = pytest.mark.django_db


def nav_names(client) -> list[str]:
    page = client.get("/").content.decode()
    nav = page[page.index('class="nav-links"') : page.index("+ New team")]
    shown = [name for name in ("Returns", "Billing", "Pricing") if f">{name}</a>" in nav]
    return sorted(shown, key=lambda name: nav.index(f">{name}</a>"))


def test_the_teams_are_read_once_and_then_kept(cast):
    assert [team.name for team in nav_teams(cast.viewer)] == ["Returns"]
    with CaptureQueriesContext(connection) as queries:
        assert [team.name for team in nav_teams(cast.viewer)] == ["Returns"]
    assert len(queries) == 0


def test_joining_a_team_shows_it_on_the_next_page(cast, client_for):
    client = client_for(cast.viewer)
    assert nav_names(client) == ["Returns"]

    MembershipFactory(user=cast.viewer, team=TeamFactory(name="Billing", slug="billing"))

    assert nav_names(client) == ["Billing", "Returns"]


def test_leaving_a_team_takes_it_off_the_bar(cast, client_for):
    billing = TeamFactory(name="Billing", slug="billing")
    MembershipFactory(user=cast.viewer, team=billing)
    client = client_for(cast.viewer)
    assert nav_names(client) == ["Billing", "Returns"]

    services.membership_leave(user=cast.viewer, team=billing)

    assert nav_names(client) == ["Returns"]


def test_a_renamed_team_is_renamed_on_every_members_bar(cast, client_for):
    assert [team.name for team in nav_teams(cast.owner)] == ["Returns"]
    assert [team.name for team in nav_teams(cast.viewer)] == ["Returns"]

    cast.team.name = "Pricing"
    cast.team.save()

    assert [team.name for team in nav_teams(cast.owner)] == ["Pricing"]
    assert nav_names(client_for(cast.viewer)) == ["Pricing"]


def test_a_page_that_read_the_old_teams_during_the_change_is_forgotten_at_commit(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        forget_nav_teams([cast.viewer.pk])
        # Another request, reading before the commit, keeps what it saw.
        nav_teams(cast.viewer)
        assert cache.get(f"accounts:nav-teams:{cast.viewer.pk}") is not None

    assert cache.get(f"accounts:nav-teams:{cast.viewer.pk}") is None
