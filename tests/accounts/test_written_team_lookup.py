"""wbapp/accounts/lookups.py: the written team lookup gives what the ORM gives.

Field by field, with the viewer's role, for each member, an outsider and a slug
that matches nothing.
"""

import pytest

from wbapp.accounts import lookups
from wbapp.accounts.lookups import get_team_for_user, teams_for

pytestmark = pytest.mark.django_db


def _loaded(team) -> dict:
    return {field.attname: getattr(team, field.attname) for field in team._meta.concrete_fields}


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_the_written_team_lookup_gives_what_the_orm_gives(cast, role):
    user = cast.member(role)

    written = lookups._written(user, cast.team.slug)
    built = teams_for(user, cast.team.slug).first()

    assert _loaded(written) == _loaded(built)
    assert written._viewer_role == built._viewer_role == role
    assert written.get_deferred_fields() == set()


def test_outsiders_and_unknown_slugs_find_nothing(cast):
    assert lookups._written(cast.outsider, cast.team.slug) is None
    assert teams_for(cast.outsider, cast.team.slug).first() is None
    assert lookups._written(cast.owner, "nope") is None


def test_off_postgresql_the_orm_lookup_runs(cast, monkeypatch):
    monkeypatch.setattr(lookups.connection, "vendor", "sqlite")

    team = get_team_for_user(cast.viewer, cast.team.slug)

    assert team == cast.team and team._viewer_role == "viewer"
