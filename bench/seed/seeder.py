"""The bench seeder: people, teams, documents and iterations, then the rest in order.

It bypasses the services, which would take minutes, but writes the rows they
write: iterations rendered with ``documents.rendering``, word counts and change
sizes as ``documents.services.iterations`` computes them, comments anchored with
``reviews.anchoring.resolve_anchor`` and rendered with ``reviews.mentions``, the
activity the services record (already fanned out: it is history).
"""

import random
from collections import defaultdict
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.utils import timezone

from documents import comparing
from documents.models import Document, DraftSection, FaqEntry, Initiative, Revision
from documents.rendering import length_report, render_markdown
from wbapp.accounts.models import Membership, Role, Team, User
from wbapp.activity.models import Activity, Notification, Reason, Verb

from . import text
from .initiatives import light, showcase
from .plans import (
    BATCH,
    BENCH_PASSWORD,
    FACILITATOR_EMAIL,
    FAQ_FIELDS,
    NOTES,
    ONE_LINERS,
    READER_EMAIL,
    SECTION_FIELDS,
    SEED,
    SHOWCASE_TEAM,
    SHOWCASE_TITLE,
    TWIN,
    TWIN_TEAM,
    TWIN_TITLE,
    DocumentPlan,
    Scale,
    track_versions,
)

# The reader's newest notifications are unread, the rest read long ago.
UNREAD_NOTIFICATIONS = 30
SESSION_VERBS = frozenset(
    {
        Verb.SESSION_SCHEDULED,
        Verb.SESSION_STARTED,
        Verb.SESSION_DISCUSSION,
        Verb.DECISION_RECORDED,
    }
)


class Seeder:
    def __init__(self, scale: Scale, say):
        self.scale = scale
        self.say = say
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible text, not secrets
        self.now = timezone.now()
        self.password = make_password(BENCH_PASSWORD)
        self.html: dict[str, str] = {}
        self.activities: list[Activity] = []
        self.reader: User | None = None  # the bench's signed-in user, once written

    # --- Helpers ---

    def render(self, body: str) -> str:
        """``render_markdown``, once per distinct text (iterations repeat most sections)."""
        if body not in self.html:
            self.html[body] = render_markdown(body)
        return self.html[body]

    def rendered(self, content: dict) -> dict[str, str]:
        # As documents.services.iterations._render: every section body and FAQ answer, by key.
        html = {s["key"]: self.render(s["body"]) for s in content["sections"]}
        html.update({e["key"]: self.render(e["answer"]) for e in content["faq"]})
        return html

    def activity(self, *, team, actor, verb, at, initiative=None, **payload) -> None:
        self.activities.append(
            Activity(
                team=team,
                actor=actor,
                verb=verb,
                initiative=initiative,
                payload=payload,
                created_at=at,
                # History: its notifications would have gone out long ago.
                fanned_out=True,
            )
        )

    def log(self, message: str) -> None:
        self.say(message)

    # --- People and teams ---

    def users(self) -> list[User]:
        rng = self.rng
        users = [
            User(
                email=FACILITATOR_EMAIL,
                display_name="Maya Chen",
                time_zone="America/Los_Angeles",
                password=self.password,
                date_joined=self.now - timedelta(days=400),
            ),
            User(
                email=READER_EMAIL,
                display_name="Bench Reader",
                time_zone="Europe/London",
                password=self.password,
                date_joined=self.now - timedelta(days=400),
            ),
        ]
        for n in range(self.scale.users - len(users)):
            users.append(
                User(
                    email=f"bench-{n:05d}@example.com",
                    display_name=text.person_name(rng),
                    time_zone=rng.choice(text.TIME_ZONES),
                    password=self.password,
                    date_joined=self.now - timedelta(days=rng.randint(30, 400)),
                )
            )
        User.objects.bulk_create(users, batch_size=BATCH)
        EmailAddress.objects.bulk_create(
            (EmailAddress(user=u, email=u.email, primary=True, verified=True) for u in users),
            batch_size=BATCH,
        )
        return users

    def team(self, slug: str, name: str, members: list[tuple[User, str]]) -> Team:
        team = Team.objects.create(slug=slug, name=name, created_at=self.now - timedelta(days=400))
        Membership.objects.bulk_create(
            Membership(
                team=team,
                user=user,
                role=role,
                joined_at=self.now - timedelta(days=self.rng.randint(100, 399)),
            )
            for user, role in members
        )
        owner = next(user for user, role in members if role == Role.OWNER)
        self.activity(
            team=team, actor=owner, verb=Verb.TEAM_CREATED, at=team.created_at, name=team.name
        )
        return team

    # --- Documents and iterations ---

    def document(self, initiative, kind, title, author, at) -> Document:
        document = Document.objects.create(
            initiative=initiative, kind=kind, title=title, created_at=at, created_by=author
        )
        self.activity(
            team=initiative.team,
            actor=author,
            verb=Verb.DOCUMENT_CREATED,
            at=at,
            initiative=initiative,
            document_id=document.pk,
            document_title=document.display_title,
            kind=kind,
        )
        return document

    def iterations(
        self, document: Document, writer: text.Writer, plan: DocumentPlan, authors, times
    ) -> list[Revision]:
        """``len(times)`` iterations of ``plan``, each a revision of the one before."""
        rng = self.rng
        sections = [dict(s) for s in plan.sections]
        faq_plan = [dict(e) for e in plan.faq]
        shown_faq = plan.first_faq
        versions: dict[str, tuple[int, object, User]] = {}
        revisions, previous = [], None
        notes = NOTES
        for number, at in enumerate(times, start=1):
            author = authors[0] if number == 1 or rng.random() < 0.7 else rng.choice(authors)
            if number > 1:
                # Narratives keep near their length: paragraphs come and go around it.
                words = sum(len(s["body"].split()) for s in sections)
                grow = (words < plan.words) if plan.words else None
                for section in sections:
                    # One-line sections (headline, quotes) are rewritten on purpose, not a
                    # sentence at a time.
                    if section["key"] not in ONE_LINERS and rng.random() < plan.change_rate:
                        section["body"] = writer.revise(section["body"], grow=grow)
                for entry in faq_plan[:shown_faq]:
                    if rng.random() < plan.change_rate / 2:
                        entry["answer"] = writer.revise(entry["answer"])
                shown_faq = min(len(faq_plan), shown_faq + 1)
            faq = sorted(faq_plan[:shown_faq], key=lambda e: (e["audience"], e["position"]))
            content = {
                "sections": [{k: s[k] for k in SECTION_FIELDS} for s in sections],
                "faq": [{k: e[k] for k in FAQ_FIELDS} for e in faq],
            }
            track_versions(versions, previous, content, at, author)
            note = notes[(number - 1) % len(notes)] if number > 1 else "First full draft"
            revisions.append(self.iteration(document, number, author, at, note, content, previous))
            previous = content
        Revision.objects.bulk_create(revisions, batch_size=10)
        self.draft_rows(document, previous, versions)
        return revisions

    def iteration(
        self, document: Document, number: int, author, at, note: str, content: dict, previous
    ) -> Revision:
        """Iteration ``number`` of ``content`` (unsaved) and its "iteration saved" activity."""
        self.activity(
            team=document.initiative.team,
            actor=author,
            verb=Verb.ITERATION_SAVED,
            at=at,
            initiative=document.initiative,
            document_id=document.pk,
            document_title=document.display_title,
            number=number,
            note=note,
        )
        return Revision(
            document=document,
            number=number,
            author=author,
            created_at=at,
            note=note,
            content=content,
            word_count=length_report(
                document.kind, content["sections"], content["faq"]
            ).total_words,
            change_size=comparing.change_size(previous, content),
            rendered=self.rendered(content),
        )

    def draft_rows(self, document: Document, content: dict, versions: dict) -> None:
        """The working draft: the newest iteration's text, each row at its saved version."""
        DraftSection.objects.bulk_create(
            DraftSection(
                document=document,
                key=s["key"],
                part=s["part"],
                heading=s["heading"],
                body=s["body"],
                position=position,
                version=versions[s["key"]][0],
                updated_at=versions[s["key"]][1],
                updated_by=versions[s["key"]][2],
            )
            for position, s in enumerate(content["sections"])
        )
        positions: dict[str, int] = defaultdict(int)
        rows = []
        for e in content["faq"]:
            rows.append(
                FaqEntry(
                    document=document,
                    key=e["key"],
                    audience=e["audience"],
                    question=e["question"],
                    answer=e["answer"],
                    position=positions[e["audience"]],
                    version=versions[e["key"]][0],
                    updated_at=versions[e["key"]][1],
                    updated_by=versions[e["key"]][2],
                )
            )
            positions[e["audience"]] += 1
        FaqEntry.objects.bulk_create(rows)

    def run(self) -> None:
        scale, rng = self.scale, self.rng
        shape = scale.showcase
        users = self.users()
        facilitator, reader, rest = users[0], users[1], users[2:]
        self.reader = reader
        # The showcase team: readers for every session, a few editors and viewers.
        editors = rest[:3]
        reviewers = rest[3 : 3 + shape.participants - 1]
        used = 3 + len(reviewers)
        viewers = rest[used : used + max(0, scale.team_members - 2 - used)]
        members = [(facilitator, Role.OWNER), (reader, Role.EDITOR)]
        members += [(u, Role.EDITOR) for u in editors]
        members += [(u, Role.REVIEWER) for u in reviewers]
        members += [(u, Role.REVIEWER if n % 3 else Role.VIEWER) for n, u in enumerate(viewers)]
        team = self.team(SHOWCASE_TEAM, "Returns & Refunds", members)
        self.log(f"Users: {len(users)}; showcase team: {len(members)} members.")
        showcase(
            self,
            team=team,
            title=SHOWCASE_TITLE,
            topic=text.SHOWCASE_TOPIC,
            shape=shape,
            owner=facilitator,
            reader=reader,
            editors=editors,
            reviewers=reviewers,
        )
        self.log("Showcase written.")
        twin_reviewers = reviewers[: TWIN.participants - 1]
        twin_team = self.team(
            TWIN_TEAM,
            "Exchanges",
            [(facilitator, Role.OWNER), (reader, Role.EDITOR)]
            + [(u, Role.REVIEWER) for u in twin_reviewers],
        )
        showcase(
            self,
            team=twin_team,
            title=TWIN_TITLE,
            topic=text.TOPICS[1],
            shape=TWIN,
            owner=facilitator,
            reader=reader,
            editors=[],
            reviewers=twin_reviewers,
        )
        self.log("Twin written.")

        # Other teams: everyone else, about the same number each, some in two teams.
        others = rest[used + len(viewers) :] or rest
        teams = [(team, [facilitator, reader, *editors], reviewers)]
        size = max(4, len(others) // max(scale.teams, 1))
        for n in range(scale.teams):
            people = others[n * size : (n + 1) * size] or rng.sample(others, min(4, len(others)))
            extra = rng.sample(rest, min(len(rest), size // 3))
            roles = [(people[0], Role.OWNER)] + [
                (u, Role.EDITOR if i < 2 else Role.REVIEWER if i % 4 else Role.VIEWER)
                for i, u in enumerate(people[1:])
            ]
            seen = {u.pk for u, _ in roles}
            roles += [(u, Role.REVIEWER) for u in extra if u.pk not in seen]
            slug_name = text.team_name(rng, n)
            other = self.team(f"bench-team-{n:03d}", slug_name, roles)
            editors_of = [u for u, r in roles if r in (Role.OWNER, Role.EDITOR)]
            reviewers_of = [u for u, r in roles if r == Role.REVIEWER] + editors_of
            teams.append((other, editors_of, reviewers_of))
        light(self, teams, scale.initiatives, scale.board)
        Activity.objects.bulk_create(self.activities, batch_size=BATCH)
        self.log(f"Activity: {len(self.activities)} events.")
        count = self.inbox(reader)
        self.log(f"The reader's inbox: {count} notifications.")

    def inbox(self, reader: User) -> int:
        """The reader's notifications, as the fan-out left them: every event by someone else
        on the initiatives they follow (the showcase, its twin and their team's), all but the
        newest read.

        The reason is the strongest the reader had: their own thread, their review session,
        or following the initiative.
        """
        ids = set(Initiative.objects.filter(followers=reader).values_list("pk", flat=True))
        events = sorted(
            (a for a in self.activities if a.initiative_id in ids and a.actor_id != reader.pk),
            key=lambda a: (a.created_at, a.pk),
        )
        rows = []
        for n, event in enumerate(events):
            if event.payload.get("comment_author_id") == reader.pk:
                reason = Reason.THREAD
            elif event.verb in SESSION_VERBS:
                reason = Reason.PARTICIPANT
            else:
                reason = Reason.FOLLOWER
            unread = n >= len(events) - UNREAD_NOTIFICATIONS
            rows.append(
                Notification(
                    user=reader,
                    activity=event,
                    reason=reason,
                    created_at=event.created_at,
                    read_at=None if unread else event.created_at + timedelta(hours=1),
                )
            )
        Notification.objects.bulk_create(rows, batch_size=BATCH)
        return len(rows)
