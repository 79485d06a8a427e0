"""A demo team of five, for trying Workback out (`make run` loads it).

Two reviewers and a viewer, so that the private reading can be tried with two
people reading at once, and a session on the latest iteration ready to start.

Idempotent: every part looks its rows up first, so running it again adds
nothing and never resets a password someone changed. Every write after the
users and the team goes through the apps' services, as a user's would.
"""

from dataclasses import dataclass
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents.models import Document, DocumentKind, Initiative
from documents.services import drafting, initiatives, iterations
from reviews.models import Comment, ParticipantRole, SessionOutcome
from reviews.services.action_items import action_item_create
from reviews.services.comments import comment_create, reply_create
from reviews.services.decisions import session_close
from reviews.services.phases import (
    participant_mark_done,
    participant_open,
    session_start_discussion,
    session_start_reading,
)
from reviews.services.scheduling import session_schedule, suggested_reading_minutes
from wbapp.accounts.emails import absolute_url
from wbapp.accounts.models import Membership, Role, Team, User
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record
from wbapp.demo.content import INITIATIVE, ITERATIONS, REVIEW, UPCOMING_REVIEW_TITLE

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
    DemoPerson("priya@example.com", "Priya Shah", "Europe/Berlin", Role.REVIEWER),
    DemoPerson("ana@example.com", "Ana Souza", "America/Sao_Paulo", Role.VIEWER),
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


def _write_iteration(document: Document, author: User, note: str, sections: dict, faq: list):
    """Type the given sections and FAQ entries into the draft, then save an iteration."""
    for section in document.sections.filter(key__in=sections):
        drafting.section_save(
            user=author, section=section, body=sections[section.key], base_version=section.version
        )
    for audience, question, answer in faq:
        drafting.faq_entry_add(
            user=author, document=document, audience=audience, question=question, answer=answer
        )
    return iterations.iteration_save(user=author, document=document, note=note)


def _past_review(revision, users: dict[str, User]) -> None:
    """A review session of ``revision`` that ran its course: read, discussed, decided."""
    maya, raj, lee = (users[p.email] for p in PEOPLE[:3])
    session = session_schedule(
        user=maya,
        revision=revision,
        title=REVIEW["title"],
        starts_at=timezone.now() + timedelta(minutes=1),
        reading_minutes=suggested_reading_minutes(revision.word_count),
        facilitator=maya,
        participants=[(raj, ParticipantRole.REVIEWER), (lee, ParticipantRole.BAR_RAISER)],
    )
    session_start_reading(user=maya, session=session)
    for reviewer in (raj, lee):
        participant_open(user=reviewer, session=session)
    for email, section_key, quote, kind, body in REVIEW["comments"]:
        comment_create(
            user=users[email],
            revision=revision,
            session=session,
            kind=kind,
            body=body,
            section_key=section_key,
            quote=quote,
        )
    for reviewer in (raj, lee):
        participant_mark_done(user=reviewer, session=session)
    session_start_discussion(user=maya, session=session)
    threads = {c.body: c for c in Comment.objects.filter(session=session)}
    for body, answer in REVIEW["replies"]:
        reply_create(user=maya, comment=threads[body], body=answer)
    for email, title in REVIEW["action_items"]:
        action_item_create(
            user=maya,
            initiative=session.initiative,
            title=title,
            owner=users[email],
            session=session,
            due_on=timezone.localdate() + timedelta(days=7),
        )
    session_close(
        user=maya,
        session=session,
        outcome=SessionOutcome.ITERATE,
        decision_notes=REVIEW["decision"],
    )


def demo_initiative(team: Team, users: dict[str, User]) -> Initiative:
    """ "Self-serve returns": a PR/FAQ in three iterations, the first one reviewed."""
    existing = team.initiatives.filter(title=INITIATIVE["title"]).first()
    if existing is not None:
        return existing
    maya = users[PEOPLE[0].email]
    answers = {key: value for key, value in INITIATIVE.items() if key != "title"}
    initiative = initiatives.initiative_create(
        user=maya, team=team, title=INITIATIVE["title"], **answers
    )
    document = initiatives.document_create(
        user=maya, initiative=initiative, kind=DocumentKind.PRFAQ
    )
    for number, (note, sections, faq) in enumerate(ITERATIONS, start=1):
        revision = _write_iteration(document, maya, note, sections, faq)
        if number == 1:
            _past_review(revision, users)
    return initiative


def demo_upcoming_session(initiative: Initiative, users: dict[str, User]):
    """A review of the latest iteration, scheduled and ready for Maya to start the reading.

    Lee and Priya read in private at the same time; Ana, a viewer, observes.
    """
    existing = initiative.sessions.filter(title=UPCOMING_REVIEW_TITLE).first()
    if existing is not None:
        return existing
    maya = users["maya@example.com"]
    revision = initiative.documents.get().revisions.order_by("-number").first()
    return session_schedule(
        user=maya,
        revision=revision,
        title=UPCOMING_REVIEW_TITLE,
        starts_at=timezone.now() + timedelta(minutes=5),
        reading_minutes=suggested_reading_minutes(revision.word_count),
        facilitator=maya,
        participants=[
            (users["lee@example.com"], ParticipantRole.REVIEWER),
            (users["priya@example.com"], ParticipantRole.REVIEWER),
            (users["ana@example.com"], ParticipantRole.OBSERVER),
        ],
    )


class Command(BaseCommand):
    help = "Create a demo team of five, a reviewed PR/FAQ and a session to start (idempotent)."

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
            initiative = demo_initiative(team, users)
            session = demo_upcoming_session(initiative, users)
        self.stdout.write(f"Demo team “{team.name}”: {absolute_url(team.get_absolute_url())}")
        self.stdout.write(
            f"Demo initiative “{initiative.title}”: "
            f"{absolute_url(reverse('initiative_detail', args=[initiative.pk]))}"
        )
        self.stdout.write(
            f"Review session ready to start, “{session.title}”: "
            f"{absolute_url(reverse('session_detail', args=[session.pk]))}"
        )
        self.stdout.write("Sign in as any of them (open a private window for a second person):")
        for person in PEOPLE:
            self.stdout.write(
                f"  {person.email:<20} {DEMO_PASSWORD}  {person.display_name}, "
                f"{Role(person.role).label.lower()}"
            )
