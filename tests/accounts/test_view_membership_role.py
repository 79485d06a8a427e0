import pytest

from tests.factories import MembershipFactory
from wbapp.accounts import services
from wbapp.accounts.models import Membership, Role

pytestmark = pytest.mark.django_db


def url(cast, user) -> str:
    pk = Membership.objects.get(team=cast.team, user=user).pk
    return f"/t/returns/members/{pk}/role/"


def role_of(cast, user) -> str:
    return Membership.objects.get(team=cast.team, user=user).role


def test_outsider_gets_404(cast, client_for):
    response = client_for(cast.outsider).post(url(cast, cast.viewer), {"role": "editor"})

    assert response.status_code == 404
    assert role_of(cast, cast.viewer) == Role.VIEWER


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_members_who_are_not_owners_get_403(cast, client_for, role):
    response = client_for(cast.member(role)).post(url(cast, cast.viewer), {"role": "editor"})

    assert response.status_code == 403
    assert role_of(cast, cast.viewer) == Role.VIEWER


def test_a_membership_of_another_team_is_404(cast, client_for):
    elsewhere = MembershipFactory()

    response = client_for(cast.owner).post(
        f"/t/returns/members/{elsewhere.pk}/role/", {"role": "owner"}
    )

    assert response.status_code == 404


def test_owner_changes_a_role_and_is_redirected_back(cast, client_for):
    client = client_for(cast.owner)

    response = client.post(url(cast, cast.viewer), {"role": "editor"})

    assert response.status_code == 302
    assert response["Location"] == "/t/returns/members/"
    assert role_of(cast, cast.viewer) == Role.EDITOR
    assert "Viewer is now editor." in client.get("/t/returns/members/").content.decode()


def test_with_htmx_the_row_comes_back_with_the_new_badge(cast, client_for):
    response = client_for(cast.owner).post(
        url(cast, cast.viewer), {"role": "reviewer"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    pk = Membership.objects.get(team=cast.team, user=cast.viewer).pk
    assert content.lstrip().startswith(f'<tr id="member-{pk}">')
    assert '<span class="badge badge--reviewer">Reviewer</span>' in content
    assert '<option value="reviewer" selected>' in content
    assert "<html" not in content
    assert "Viewer is now reviewer." in content
    assert role_of(cast, cast.viewer) == Role.REVIEWER


def test_demoting_the_last_owner_is_refused_with_the_page_and_400(cast, client_for):
    response = client_for(cast.owner).post(url(cast, cast.owner), {"role": "editor"})

    assert response.status_code == 400
    content = response.content.decode()
    assert "<html" in content
    assert "Owner is the only owner. Make someone else an owner first." in content
    assert role_of(cast, cast.owner) == Role.OWNER


def test_with_htmx_a_refusal_returns_the_row_with_the_error(cast, client_for):
    response = client_for(cast.owner).post(
        url(cast, cast.owner), {"role": "viewer"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 400
    content = response.content.decode()
    assert content.lstrip().startswith("<tr ")
    assert 'aria-invalid="true"' in content
    assert "only owner" in content
    # The row still shows the role the member really has.
    assert '<option value="owner" selected>' in content


def test_an_unknown_role_is_refused(cast, client_for):
    response = client_for(cast.owner).post(url(cast, cast.viewer), {"role": "admin"})

    assert response.status_code == 400
    assert "Choose one of the team roles." in response.content.decode()
    assert role_of(cast, cast.viewer) == Role.VIEWER


def test_an_owner_demoting_themselves_with_htmx_gets_a_full_refresh(cast, client_for):
    MembershipFactory(team=cast.team, role=Role.OWNER)

    response = client_for(cast.owner).post(
        url(cast, cast.owner), {"role": "editor"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"
    assert role_of(cast, cast.owner) == Role.EDITOR


@pytest.mark.parametrize("htmx", [False, True])
def test_changing_the_role_of_a_member_removed_meanwhile_is_a_404_that_says_so(
    cast, client_for, monkeypatch, htmx
):
    change_role = services.membership_change_role

    def removed_first(*, membership, by, role):
        # Another owner removes the member between this request's lookup and its write.
        Membership.objects.filter(pk=membership.pk).delete()
        return change_role(membership=membership, by=by, role=role)

    monkeypatch.setattr(services, "membership_change_role", removed_first)
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    client = client_for(cast.owner)
    client.raise_request_exception = False
    response = client.post(url(cast, cast.viewer), {"role": "editor"}, **extra)

    assert response.status_code == 404
    assert "removed meanwhile" in response.content.decode()
    assert not Membership.objects.filter(team=cast.team, user=cast.viewer).exists()
