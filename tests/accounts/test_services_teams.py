import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import TeamFactory, UserFactory
from wbapp.accounts.models import Membership, Role
from wbapp.accounts.services import team_create
from wbapp.activity.models import Activity, Verb

pytestmark = pytest.mark.django_db


def test_team_create_makes_the_creator_its_owner():
    user = UserFactory()

    team = team_create(user=user, name="Returns & Refunds")

    assert team.name == "Returns & Refunds"
    assert team.slug == "returns-refunds"
    assert Membership.objects.get(team=team).user == user
    assert Membership.objects.get(team=team).role == Role.OWNER
    assert user.has_perm("accounts.manage_team", team)


def test_team_create_records_the_activity():
    user = UserFactory()

    team = team_create(user=user, name="Payments")

    activity = Activity.objects.get(team=team)
    assert activity.verb == Verb.TEAM_CREATED
    assert activity.actor == user


def test_team_create_gives_a_second_team_of_the_same_name_a_suffixed_slug():
    TeamFactory(name="Search", slug="search")
    user = UserFactory()

    first = team_create(user=user, name="Search")
    second = team_create(user=user, name="search!")

    assert first.slug == "search-2"
    assert second.slug == "search-3"


def test_team_create_falls_back_to_a_generic_slug_for_names_without_letters():
    team = team_create(user=UserFactory(), name="???")

    assert team.slug == "team"


def test_team_create_refuses_a_blank_name():
    with pytest.raises(ValidationError) as excinfo:
        team_create(user=UserFactory(), name="   ")

    assert "name" in excinfo.value.message_dict


def test_team_create_refuses_anonymous_users():
    with pytest.raises(PermissionDenied):
        team_create(user=AnonymousUser(), name="Ghosts")
