"""A demo team with three people, for trying Workback out (`make run` loads it).

Idempotent: every part looks its rows up first, so running it again adds
nothing and never resets a password someone changed. Each part is one
function, so later parts (initiatives, documents) slot in below the team.
"""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from wbapp.accounts.emails import absolute_url
from wbapp.accounts.models import Membership, Role, Team, User
from wbapp.activity.models import Verb
from wbapp.activity.services import activity_record

DEMO_PASSWORD = "workback-demo"  # noqa: S105 - published on purpose, for a local demo.


@dataclass(frozen=True)
class DemoPerson:
    email: str
    display_name: str
    time_zone: str
    role: str


PEOPLE = [
    DemoPerson("maya@example.com", "Maya Chen", "America/Los_Angeles", Role.OWNER),
    DemoPerson("raj@example.com", "Raj Patel", "Asia/Kolkata", Role.EDITOR),
    DemoPerson("lee@example.com", "Lee Okafor", "Europe/London", Role.REVIEWER),
]


def demo_users() -> dict[str, User]:
    """The demo people, with a verified e-mail address each (sign-in needs one)."""
    users = {}
    for person in PEOPLE:
        user, created = User.objects.get_or_create(
            email=person.email,
            defaults={"display_name": person.display_name, "time_zone": person.time_zone},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.get_or_create(
            user=user, email=person.email, defaults={"primary": True, "verified": True}
        )
        users[person.email] = user
    return users


def demo_team(users: dict[str, User]) -> Team:
    """The team "Returns & Refunds" with each demo person in their role."""
    owner = users[PEOPLE[0].email]
    team, created = Team.objects.get_or_create(
        slug="returns", defaults={"name": "Returns & Refunds"}
    )
    if created:
        activity_record(team=team, actor=owner, verb=Verb.TEAM_CREATED, name=team.name)
    for person in PEOPLE:
        user = users[person.email]
        _, joined = Membership.objects.get_or_create(
            team=team, user=user, defaults={"role": person.role}
        )
        if joined and user != owner:
            activity_record(team=team, actor=user, verb=Verb.MEMBER_JOINED, role=person.role)
    return team


class Command(BaseCommand):
    help = "Create a demo team with three users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-without-debug",
            action="store_true",
            help="Run even with DEBUG off. The demo accounts share a published password.",
        )

    def handle(self, *args, allow_without_debug: bool = False, **options):
        if not settings.DEBUG and not allow_without_debug:
            raise CommandError(
                "demo_data creates accounts with a published password; it runs only with "
                "DEBUG=1 (or --allow-without-debug)."
            )
        with transaction.atomic():
            users = demo_users()
            team = demo_team(users)
        self.stdout.write(f"Demo team “{team.name}”: {absolute_url(team.get_absolute_url())}")
        for person in PEOPLE:
            self.stdout.write(f"  {person.email:<20} {Role(person.role).label}")
        self.stdout.write(f"Password for all three: {DEMO_PASSWORD}")
