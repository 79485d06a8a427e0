import pytest

from wbapp.accounts.models import Membership, Role, Team

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/teams/new/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/teams/new/")


def test_the_form_is_shown(cast, client_for):
    response = client_for(cast.outsider).get("/teams/new/")

    assert response.status_code == 200
    assert b'name="name"' in response.content


def test_creating_a_team_leads_to_its_board_with_the_creator_as_owner(cast, client_for):
    client = client_for(cast.outsider)

    response = client.post("/teams/new/", {"name": "Growth"})

    team = Team.objects.get(name="Growth")
    assert response.status_code == 302
    assert response["Location"] == f"/t/{team.slug}/"
    assert Membership.objects.get(team=team).user == cast.outsider
    assert Membership.objects.get(team=team).role == Role.OWNER
    board = client.get(response["Location"])
    assert "Team “Growth” created." in board.content.decode()


def test_an_empty_name_is_refused_with_400(cast, client_for):
    response = client_for(cast.outsider).post("/teams/new/", {"name": ""})

    assert response.status_code == 400
    assert b"field--invalid" in response.content
    assert not Team.objects.filter(name="").exists()


def test_a_name_without_letters_is_still_accepted(cast, client_for):
    response = client_for(cast.outsider).post("/teams/new/", {"name": "—"})

    assert response.status_code == 302
