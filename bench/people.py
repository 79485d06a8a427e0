"""A team for the in-process benches, made without the test suite's factories.

``make bench`` runs on a fresh clone with only ``requirements.lock`` installed:
factory-boy is a dev dependency, so the benches build their people here, through
the accounts service that creates a team and plain rows for its members.
"""

from wbapp.accounts.models import Membership, Role, User
from wbapp.accounts.services import team_create


def bench_team(*, lead: str, members: int, role: str = Role.REVIEWER):
    """A team owned by a user named ``lead``, with ``members`` more users in ``role``.

    Passwords are unusable: nobody signs in to these throwaway databases over HTTP.
    """
    owner = User.objects.create_user(email="lead@bench.example", display_name=lead)
    team = team_create(user=owner, name="Bench")
    users = [
        User.objects.create_user(
            email=f"member-{n}@bench.example", display_name=f"{role.title()} {n}"
        )
        for n in range(members)
    ]
    Membership.objects.bulk_create(Membership(team=team, user=u, role=role) for u in users)
    return team, owner, users
