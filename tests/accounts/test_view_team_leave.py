import pytest

from wbapp.accounts.models import Membership

pytestmark = pytest.mark.django_db

URL = "/t/returns/leave/"


def test_outsider_gets_404(cast, client_for):
    assert client_for(cast.outsider).post(URL).status_code == 404


def test_get_is_not_allowed(cast, client_for):
    assert client_for(cast.viewer).get(URL).status_code == 405


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_a_member_leaves_and_goes_home(cast, client_for, role):
    user = cast.member(role)

    response = client_for(user).post(URL)

    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not Membership.objects.filter(team=cast.team, user=user).exists()


def test_the_last_owner_is_told_to_promote_someone_first(cast, client_for):
    response = client_for(cast.owner).post(URL)

    assert response.status_code == 400
    content = response.content.decode()
    assert "You are the only owner of Returns." in content
    assert "Promote another member to owner first, then leave." in content
    assert Membership.objects.filter(team=cast.team, user=cast.owner).exists()
