import pytest

from tests.factories import MembershipFactory
from wbapp.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db


def url(cast, user) -> str:
    pk = Membership.objects.get(team=cast.team, user=user).pk
    return f"/t/returns/members/{pk}/remove/"


def is_member(cast, user) -> bool:
    return Membership.objects.filter(team=cast.team, user=user).exists()


def test_outsider_gets_404(cast, client_for):
    assert client_for(cast.outsider).post(url(cast, cast.viewer)).status_code == 404
    assert is_member(cast, cast.viewer)


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_who_are_not_owners_get_403(cast, client_for, role):
    assert client_for(cast.member(role)).post(url(cast, cast.viewer)).status_code == 403
    assert is_member(cast, cast.viewer)


def test_get_is_not_allowed(cast, client_for):
    assert client_for(cast.owner).get(url(cast, cast.viewer)).status_code == 405


def test_owner_removes_a_member(cast, client_for):
    client = client_for(cast.owner)

    response = client.post(url(cast, cast.reviewer))

    assert response.status_code == 302
    assert response["Location"] == "/t/returns/members/"
    assert not is_member(cast, cast.reviewer)
    assert "Reviewer was removed from Returns." in client.get(response["Location"]).content.decode()


def test_the_removed_member_loses_access(cast, client_for):
    client_for(cast.owner).post(url(cast, cast.reviewer))

    assert client_for(cast.reviewer).get("/t/returns/").status_code == 404


def test_removing_the_last_owner_is_refused_with_400(cast, client_for):
    response = client_for(cast.owner).post(url(cast, cast.owner))

    assert response.status_code == 400
    assert "Owner is the only owner of Returns and cannot be removed." in response.content.decode()
    assert is_member(cast, cast.owner)


def test_an_owner_removing_themselves_goes_home(cast, client_for):
    MembershipFactory(team=cast.team, role=Role.OWNER)

    response = client_for(cast.owner).post(url(cast, cast.owner))

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not is_member(cast, cast.owner)
