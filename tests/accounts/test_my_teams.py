"""wbapp/accounts/my_teams.py: the written queries list the teams and invitations the ORM lists.

For members of one team and of several, the outsider, and someone with no team;
invitations pending to the address in another case, accepted, revoked,
declined, to someone else, and from an inviter who has since been deleted.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests.factories import InvitationFactory, MembershipFactory, TeamFactory, UserFactory
from wbapp.accounts.models import Role, Team
from wbapp.accounts.my_teams import TeamLink, _pending, _row, my_invitations, my_teams

pytestmark = pytest.mark.django_db


def teams_as_the_orm_reads_them(user) -> list[TeamLink]:
    return [TeamLink(name=t.name, url=t.get_absolute_url()) for t in Team.objects.for_user(user)]


@pytest.fixture
def people(cast):
    now = timezone.now()
    for name in ("Zebra crossing", "Alpha & Omega"):
        MembershipFactory(team=TeamFactory(name=name), user=cast.viewer)
    gone = UserFactory(display_name="Gone")
    pending = [
        InvitationFactory(email=cast.viewer.email.upper(), invited_by=cast.owner, role=Role.EDITOR),
        InvitationFactory(email=cast.viewer.email, invited_by=gone),
        InvitationFactory(email=cast.viewer.email, invited_by=UserFactory(display_name="")),
    ]
    for at, invitation in enumerate(pending):
        invitation.created_at = now - timedelta(days=at)
        invitation.save(update_fields=["created_at"])
    InvitationFactory(email=cast.viewer.email, accepted_at=now)
    InvitationFactory(email=cast.viewer.email, revoked_at=now)
    InvitationFactory(email=cast.viewer.email, declined_at=now)
    InvitationFactory(email=cast.reviewer.email, invited_by=cast.viewer)
    gone.delete()
    return [cast.owner, cast.viewer, cast.reviewer, cast.outsider, UserFactory()]


def test_the_written_queries_list_what_the_orm_lists(people):
    for user in people:
        assert my_teams(user) == teams_as_the_orm_reads_them(user)
        assert my_invitations(user) == [_row(i) for i in _pending(user)]


def test_the_data_tells_the_rules_apart(people, cast):
    assert [team.name for team in my_teams(cast.viewer)] == [
        "Alpha & Omega",
        "Returns",
        "Zebra crossing",
    ]
    invitations = my_invitations(cast.viewer)
    assert [i.role_label for i in invitations] == ["Editor", "Reviewer", "Reviewer"]
    assert invitations[0].invited_by == "Owner"
    assert invitations[1].invited_by is None  # the inviter was deleted
    assert invitations[2].invited_by.startswith("user")  # named by their e-mail
    assert len(my_invitations(cast.reviewer)) == 1
    assert my_teams(people[-1]) == [] and my_invitations(people[-1]) == []


def test_my_reviews_shows_my_teams_and_invitations(people, cast, client_for):
    html = client_for(cast.viewer).get(reverse("home")).content.decode()
    invitation = _pending(cast.viewer).first()
    assert "Invitations for you" in html
    assert (
        f'<strong>{invitation.team.name}</strong> — as <span class="badge badge--editor">Editor'
        in html
    )
    assert ", from Owner" in html
    assert f"expires {date_format(timezone.localtime(invitation.expires_at), 'j M Y')}" in html
    assert f'href="{reverse("team_board", args=["returns"])}"><strong>Returns</strong>' in html
    assert "Alpha &amp; Omega" in html
