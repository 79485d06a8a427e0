"""Realistic data for `make bench`: ``manage.py seed_bench --scale small|large``.

What it writes, reproducibly (one fixed random seed):

- users with verified addresses, teams and memberships;
- the **showcase**: the initiative "Self-serve returns" whose PR/FAQ (the nine
  template sections and 30 FAQ entries) and 12-section, ~3,300-word narrative
  each have 50 iterations, and 20 review sessions of 50 participants: closed
  ones, one in discussion with 500 revealed comment threads (replies, +1s,
  action items), one in its reading with 10 private comments per reader, one
  scheduled;
- a **twin** of the showcase with the same shape but a handful of everything,
  in a small team, so that the bench can check that every page costs the same
  number of queries for 5 comments as for 500;
- light initiatives across the teams (`large`: 1,000 of them and 2,000 users).

It bypasses the services, which would take minutes, but writes the rows they
write: iterations rendered with ``documents.rendering``, word counts and change
sizes as ``documents.services`` computes them, comments anchored with
``reviews.anchoring.resolve_anchor`` and rendered with ``reviews.mentions``,
the activity the services record (already fanned out: it is history).

It seeds only an empty database, or re-seeds (``--reset``) one it seeded
before: every bench user shares one published password. Run again on a seeded
database, it only moves the two readings' clocks so that they are running now,
and prints the showcase's addresses (``--manifest FILE`` writes them as JSON).
"""

import argparse
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from documents import comparing
from documents.models import (
    Document,
    DocumentKind,
    DraftSection,
    FaqEntry,
    Initiative,
    InitiativeStatus,
    Revision,
)
from documents.rendering import WORD_PATTERN, length_report, render_markdown
from documents.templates_data import PRESS_RELEASE, PRFAQ_SECTIONS
from reviews import mentions
from reviews.anchoring import anchor_targets, index_to_utf16, resolve_anchor, section_plain_text
from reviews.models import (
    ActionItem,
    Comment,
    CommentKind,
    CommentStatus,
    Participant,
    ParticipantRole,
    Reaction,
    Reply,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
    SessionTransition,
)
from reviews.services.scheduling import suggested_reading_minutes
from wbapp.accounts.models import Membership, Role, Team, User
from wbapp.activity.models import Activity, Verb

from . import _bench_text as text

SEED = 20_250_707
BENCH_PASSWORD = "workback-bench"  # noqa: S105 - published on purpose, for a bench database.
READER_EMAIL = "bench-reader@example.com"
FACILITATOR_EMAIL = "bench-facilitator@example.com"
SHOWCASE_TEAM = "bench-returns"
TWIN_TEAM = "bench-exchanges"
SHOWCASE_TITLE = "Self-serve returns"
TWIN_TITLE = "Exchanges instead of refunds"
NARRATIVE_TITLE = "Operating plan"
SCRATCH_TITLE = "Working notes"
# The bench polls and reads during the reading; it must still be running then.
LIVE_READING_MINUTES = 60
LIVE_READING_STARTED = timedelta(minutes=5)
BATCH = 2_000
SECTION_FIELDS = ("key", "heading", "body", "part")
FAQ_FIELDS = ("key", "audience", "question", "answer")
ONE_LINERS = frozenset(
    {"headline", "subheading", "leader_quote", "customer_quote", "call_to_action"}
)


@dataclass(frozen=True)
class Shape:
    """How much one showcase holds."""

    iterations: int
    faq: int
    first_faq: int  # FAQ entries in iteration 1; one more per iteration after
    narrative_sections: int
    narrative_words: int
    sessions: int  # closed ones, then one each in discussion, reading and scheduled
    participants: int
    threads: int  # in the session under discussion
    closed_threads: int  # in each closed session
    reading_comments: int  # private comments per reader in the running reading


FULL = Shape(
    iterations=50,
    faq=30,
    first_faq=10,
    narrative_sections=12,
    narrative_words=3_300,
    sessions=20,
    participants=50,
    threads=500,
    closed_threads=12,
    reading_comments=10,
)
TWIN = Shape(
    iterations=2,
    faq=3,
    first_faq=3,
    narrative_sections=3,
    narrative_words=300,
    sessions=4,
    participants=3,
    threads=5,
    closed_threads=2,
    reading_comments=1,
)


@dataclass(frozen=True)
class Scale:
    name: str
    users: int
    teams: int  # besides the showcase's and the twin's
    initiatives: int  # light ones, besides the showcase and the twin
    board: int  # of those, on the showcase team's board
    team_members: int  # members of the showcase team
    showcase: Shape


SCALES = {
    "small": Scale("small", 150, 3, 40, 12, 60, FULL),
    "large": Scale("large", 2_100, 98, 1_000, 120, 160, FULL),
    # For the test suite (a hidden flag): the same shape, a handful of everything.
    "tiny": Scale(
        "tiny",
        20,
        1,
        4,
        2,
        10,
        replace(
            TWIN,
            iterations=3,
            faq=4,
            first_faq=2,
            participants=4,
            threads=8,
            reading_comments=2,
        ),
    ),
}


def _key(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(32):08x}"


class Seeder:
    def __init__(self, scale: Scale, stdout):
        self.scale = scale
        self.stdout = stdout
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible text, not secrets
        self.now = timezone.now()
        self.password = make_password(BENCH_PASSWORD)
        self.html: dict[str, str] = {}
        self.activities: list[Activity] = []

    # --- Helpers ---

    def render(self, body: str) -> str:
        """``render_markdown``, once per distinct text (iterations repeat most sections)."""
        if body not in self.html:
            self.html[body] = render_markdown(body)
        return self.html[body]

    def rendered(self, content: dict) -> dict[str, str]:
        # As documents.services._render: every section body and FAQ answer, by key.
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
        self.stdout.write(message)

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
        self, document: Document, writer: text.Writer, plan: "DocumentPlan", authors, times
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

    # --- Review sessions ---

    def anchor(self, revision: Revision, targets) -> dict:
        """A passage a reader would select, checked and stored as ``comment_create`` does."""
        rng = self.rng
        key, plain = rng.choices(targets, weights=[max(len(t[1]), 1) for t in targets])[0]
        words = _word_spans(plain)
        if len(words) < 3 or rng.random() < 0.04:
            quote = ""  # the whole section
            start = end = None
            prefix = suffix = ""
        else:
            length = rng.randint(2, min(9, len(words) - 1))
            first = rng.randrange(0, len(words) - length)
            i, j = words[first][0], words[first + length - 1][1]
            quote = plain[i:j]
            prefix, suffix = plain[max(0, i - 32) : i], plain[j : j + 32]
            start, end = index_to_utf16(plain, i), index_to_utf16(plain, j)
        anchor = resolve_anchor(
            revision,
            section_key=key,
            quote=quote,
            prefix=prefix,
            suffix=suffix,
            start=start,
            end=end,
        )
        return {
            "section_key": anchor.section_key,
            "quote": anchor.quote,
            "prefix": anchor.prefix,
            "suffix": anchor.suffix,
            "start": anchor.start,
            "end": anchor.end,
            "document_order": anchor.document_order,
        }

    def session(
        self,
        *,
        revision: Revision,
        phase: str,
        facilitator: User,
        participants: list[tuple[User, str]],
        writer: text.Writer,
        starts_at,
        reading_minutes: int,
        threads: int = 0,
        private_each: int = 0,
        outcome: str = "",
        title: str = "",
    ) -> ReviewSession:
        """A session of ``revision`` as the services leave it in ``phase``."""
        rng = self.rng
        document = revision.document
        initiative = document.initiative
        team = initiative.team
        iteration = {
            "document_id": document.pk,
            "document_title": document.display_title,
            "number": revision.number,
        }
        reading_started = discussion_started = closed_at = reading_ends = None
        if phase != SessionPhase.SCHEDULED:
            reading_started = starts_at + timedelta(minutes=2)
            reading_ends = reading_started + timedelta(minutes=reading_minutes)
        if phase in (SessionPhase.DISCUSSION, SessionPhase.CLOSED):
            discussion_started = reading_ends - timedelta(minutes=rng.randint(0, 3))
        if phase == SessionPhase.CLOSED:
            closed_at = discussion_started + timedelta(minutes=rng.randint(20, 40))
        decision = writer.decision() if phase == SessionPhase.CLOSED else ""
        if outcome == SessionOutcome.APPROVED:
            decision = "Approved: fund the launch as written."
        elif outcome == SessionOutcome.SHELVED:
            decision = "Shelved: the benefit does not justify the cost this year."
        created_at = starts_at - timedelta(days=2)
        session = ReviewSession.objects.create(
            initiative=initiative,
            document=document,
            revision=revision,
            title=title or f"Review of {document.display_title}, iteration {revision.number}",
            starts_at=starts_at,
            reading_minutes=reading_minutes,
            facilitator=facilitator,
            phase=phase,
            reading_started_at=reading_started,
            reading_ends_at=reading_ends,
            discussion_started_at=discussion_started,
            closed_at=closed_at,
            outcome=outcome if phase == SessionPhase.CLOSED else "",
            decision_notes=decision,
            decision_html=render_markdown(decision),
            created_by=facilitator,
            created_at=created_at,
        )
        session_payload = {"session_id": session.pk, "session_title": session.title}
        self.activity(
            team=team,
            actor=facilitator,
            verb=Verb.SESSION_SCHEDULED,
            at=created_at,
            initiative=initiative,
            **session_payload,
            **iteration,
            starts_at=starts_at.isoformat(),
            reading_minutes=reading_minutes,
            facilitator_id=facilitator.pk,
            participant_ids=[user.pk for user, _ in participants],
        )
        # --- Participants and transitions ---
        done_share = {SessionPhase.READING: 0.4}.get(phase, 1.0)
        rows = []
        for user, role in participants:
            joined = done = None
            if reading_started is not None:
                joined = reading_started + timedelta(seconds=rng.randint(0, 120))
                end = reading_ends if phase != SessionPhase.READING else self.now
                if rng.random() < done_share and end > joined:
                    done = min(end, joined + timedelta(minutes=rng.randint(5, reading_minutes)))
            rows.append(
                Participant(
                    session=session,
                    user=user,
                    role=role,
                    invited_at=created_at,
                    joined_at=joined,
                    done_at=done,
                )
            )
        Participant.objects.bulk_create(rows)
        moves = []
        if reading_started is not None:
            moves.append((SessionPhase.SCHEDULED, SessionPhase.READING, reading_started))
            self.activity(
                team=team,
                actor=facilitator,
                verb=Verb.SESSION_STARTED,
                at=reading_started,
                initiative=initiative,
                **session_payload,
                reading_ends_at=reading_ends.isoformat(),
            )
        if discussion_started is not None:
            moves.append((SessionPhase.READING, SessionPhase.DISCUSSION, discussion_started))
        if closed_at is not None:
            moves.append((SessionPhase.DISCUSSION, SessionPhase.CLOSED, closed_at))
        SessionTransition.objects.bulk_create(
            SessionTransition(session=session, from_phase=a, to_phase=b, by=facilitator, at=at)
            for a, b, at in moves
        )
        # --- Comments ---
        commenters = [user for user, role in participants if role != ParticipantRole.OBSERVER]
        targets = [(t.key, section_plain_text(t.html)) for t in anchor_targets(revision)]
        comments = []
        if phase == SessionPhase.READING:
            for user in commenters:
                for _ in range(private_each):
                    comments.append(
                        self.comment(
                            revision, session, user, writer, targets, reading_started, self.now
                        )
                    )
        elif threads and reading_started is not None:
            for _ in range(threads):
                comments.append(
                    self.comment(
                        revision,
                        session,
                        rng.choice(commenters),
                        writer,
                        targets,
                        reading_started,
                        discussion_started,
                    )
                )
        Comment.objects.bulk_create(comments, batch_size=BATCH)
        bumps = len(moves) + sum(1 for p in rows if p.joined_at) + sum(1 for p in rows if p.done_at)
        if discussion_started is not None and comments:
            bumps += self.discussion(
                session=session,
                comments=comments,
                participants=commenters,
                facilitator=facilitator,
                writer=writer,
                start=discussion_started,
                end=closed_at or self.now,
                iteration=iteration,
                resolve_all=phase == SessionPhase.CLOSED,
            )
        if discussion_started is not None:
            self.activity(
                team=team,
                actor=facilitator,
                verb=Verb.SESSION_DISCUSSION,
                at=discussion_started,
                initiative=initiative,
                **session_payload,
                by_timer=False,
            )
        if closed_at is not None:
            self.activity(
                team=team,
                actor=facilitator,
                verb=Verb.DECISION_RECORDED,
                at=closed_at,
                initiative=initiative,
                **session_payload,
                **iteration,
                outcome=outcome,
                decision_notes=decision[:500],
            )
        session.state_version = 1 + bumps
        focused = None
        if phase == SessionPhase.DISCUSSION and comments:
            ordered = sorted(comments, key=lambda c: (c.document_order, c.created_at, c.pk))
            focused = ordered[min(len(ordered) - 1, len(ordered) // 12)]
        session.focused_comment = focused
        ReviewSession.objects.filter(pk=session.pk).update(
            state_version=session.state_version, focused_comment=focused
        )
        return session

    def comment(self, revision, session, author, writer, targets, start, end) -> Comment:
        rng = self.rng
        kind = rng.choices(CommentKind.values, weights=[40, 30, 22, 8])[0]
        body = writer.comment(kind)
        span = max(int((end - start).total_seconds()), 1)
        return Comment(
            revision=revision,
            initiative=revision.document.initiative,
            session=session,
            author=author,
            kind=kind,
            body=body,
            body_html=mentions.render_body(body),
            created_at=start + timedelta(seconds=rng.randint(0, span)),
            **self.anchor(revision, targets),
        )

    def discussion(
        self,
        *,
        session,
        comments,
        participants,
        facilitator,
        writer,
        start,
        end,
        iteration,
        resolve_all,
    ) -> int:
        """What a discussion adds to revealed threads: replies, +1s, resolutions, action items."""
        rng = self.rng
        initiative = session.initiative
        team = initiative.team
        session_payload = {"session_id": session.pk, "session_title": session.title}
        span = max(int((end - start).total_seconds()), 1)
        bumps = 0
        replies, reactions, items = [], [], []
        for comment in comments:
            # The reveal records every comment the reading kept back (services._reveal).
            self.activity(
                team=team,
                actor=comment.author,
                verb=Verb.COMMENT_ADDED,
                at=start,
                initiative=initiative,
                comment_id=comment.pk,
                **session_payload,
                **iteration,
                kind=comment.kind,
                section_key=comment.section_key,
            )
            count = 1 if resolve_all else rng.choices([0, 1, 2, 3, 4], [30, 30, 20, 12, 8])[0]
            for _ in range(count):
                body = writer.reply()
                replies.append(
                    Reply(
                        comment=comment,
                        author=rng.choice(participants + [facilitator]),
                        body=body,
                        body_html=mentions.render_body(body),
                        created_at=start + timedelta(seconds=rng.randint(0, span)),
                    )
                )
            for user in rng.sample(participants, min(len(participants), rng.choice([0, 0, 1, 2]))):
                if user.pk != comment.author_id:
                    reactions.append(Reaction(comment=comment, user=user, created_at=start))
            if resolve_all or rng.random() < 0.2:
                comment.status = CommentStatus.RESOLVED
                comment.resolved_by = facilitator
                comment.resolved_at = start + timedelta(seconds=rng.randint(0, span))
                bumps += 1
            if rng.random() < 0.03:
                items.append(
                    ActionItem(
                        initiative=initiative,
                        session=session,
                        comment=comment,
                        title=writer.action_item(),
                        owner=rng.choice(participants),
                        due_on=(end + timedelta(days=rng.randint(3, 20))).date(),
                        created_by=facilitator,
                        created_at=start + timedelta(seconds=rng.randint(0, span)),
                    )
                )
        Comment.objects.bulk_update(
            [c for c in comments if c.status == CommentStatus.RESOLVED],
            ["status", "resolved_by", "resolved_at"],
            batch_size=BATCH,
        )
        Reply.objects.bulk_create(replies, batch_size=BATCH)
        Reaction.objects.bulk_create(reactions, batch_size=BATCH)
        ActionItem.objects.bulk_create(items)
        for reply in replies:
            self.activity(
                team=team,
                actor=reply.author,
                verb=Verb.REPLY_ADDED,
                at=reply.created_at,
                initiative=initiative,
                comment_id=reply.comment.pk,
                reply_id=reply.pk,
                comment_author_id=reply.comment.author_id,
                **iteration,
            )
        for item in items:
            self.activity(
                team=team,
                actor=facilitator,
                verb=Verb.ACTION_ITEM_ASSIGNED,
                at=item.created_at,
                initiative=initiative,
                action_item_id=item.pk,
                title=item.title,
                owner_id=item.owner_id,
                due_on=item.due_on.isoformat(),
                session_id=session.pk,
                comment_id=item.comment_id,
            )
        return bumps + len(replies) + len(reactions) + len(items)

    # --- The showcase and its twin ---

    def showcase(
        self,
        *,
        team: Team,
        title: str,
        topic: text.Topic,
        shape: Shape,
        owner: User,
        reader: User,
        editors: list[User],
        reviewers: list[User],
    ) -> Initiative:
        rng = self.rng
        writer = text.Writer(rng, topic)
        start = self.now - timedelta(days=200)
        initiative = Initiative.objects.create(
            team=team,
            title=title,
            owner=owner,
            status=InitiativeStatus.IN_REVIEW,
            customer=f"{topic.customers.capitalize()}, most often on a phone.",
            problem=f"Today {topic.customer} faces {topic.pain}.",
            benefit=topic.benefit.capitalize() + ".",
            evidence=writer.paragraph(2),
            experience=f"They {topic.action}; " + writer.sentence(),
            created_at=start,
            updated_at=self.now,
        )
        initiative.followers.add(owner, reader)
        self.activity(
            team=team,
            actor=owner,
            verb=Verb.INITIATIVE_CREATED,
            at=start,
            initiative=initiative,
            title=title,
        )
        authors = [owner, reader, *editors]
        span = timedelta(days=180)
        times = [
            start + timedelta(days=1) + span * n / max(shape.iterations, 1)
            for n in range(shape.iterations)
        ]
        prfaq = self.document(initiative, DocumentKind.PRFAQ, "", owner, start)
        prfaq_revisions = self.iterations(
            prfaq, writer, prfaq_plan(rng, writer, shape), authors, times
        )
        narrative = self.document(
            initiative, DocumentKind.NARRATIVE, NARRATIVE_TITLE, owner, start + timedelta(days=1)
        )
        narrative_revisions = self.iterations(
            narrative, writer, narrative_plan(rng, writer, shape), authors, times
        )
        scratch = self.document(
            initiative, DocumentKind.NARRATIVE, SCRATCH_TITLE, reader, self.now - timedelta(days=3)
        )
        self.iterations(
            scratch,
            writer,
            DocumentPlan(
                sections=[
                    section(_key(rng, "s"), heading, writer.body(250))
                    for heading in ("Open questions", "Next steps")
                ],
                faq=[],
                first_faq=0,
            ),
            [reader],
            [self.now - timedelta(days=2)],
        )

        # Sessions: the facilitator is the owner; the reader is always a reviewer.
        people = [(reader, ParticipantRole.REVIEWER)]
        for n, user in enumerate(reviewers[: shape.participants - 1]):
            role = ParticipantRole.REVIEWER
            if n == 0:
                role = ParticipantRole.BAR_RAISER
            elif n == shape.participants - 2 and shape.participants > 3:
                role = ParticipantRole.OBSERVER
            people.append((user, role))
        closed = shape.sessions - 3
        for k in range(closed):
            revision = prfaq_revisions[k * (len(prfaq_revisions) - 1) // max(closed, 1)]
            self.session(
                revision=revision,
                phase=SessionPhase.CLOSED,
                facilitator=owner,
                participants=people,
                writer=writer,
                starts_at=revision.created_at + timedelta(days=1),
                reading_minutes=suggested_reading_minutes(revision.word_count),
                threads=shape.closed_threads,
                outcome=SessionOutcome.ITERATE,
            )
        latest = prfaq_revisions[-1]
        minutes = suggested_reading_minutes(latest.word_count)
        self.session(
            revision=latest,
            phase=SessionPhase.DISCUSSION,
            facilitator=owner,
            participants=people,
            writer=writer,
            starts_at=self.now - timedelta(minutes=minutes + 30),
            reading_minutes=minutes,
            threads=shape.threads,
        )
        self.session(
            revision=narrative_revisions[-1],
            phase=SessionPhase.READING,
            facilitator=owner,
            participants=people,
            writer=writer,
            starts_at=self.now - LIVE_READING_STARTED - timedelta(minutes=2),
            reading_minutes=LIVE_READING_MINUTES,
            private_each=shape.reading_comments,
        )
        self.session(
            revision=narrative_revisions[-1],
            phase=SessionPhase.SCHEDULED,
            facilitator=owner,
            participants=people,
            writer=writer,
            starts_at=self.now + timedelta(days=3),
            reading_minutes=suggested_reading_minutes(narrative_revisions[-1].word_count),
            title=f"Second review of the {NARRATIVE_TITLE.lower()}",
        )
        return initiative

    # --- Light initiatives ---

    def light(self, teams: list[tuple[Team, list[User], list[User]]], count: int, board: int):
        """``count`` small initiatives: ``board`` of them in the first team, the rest spread."""
        rng = self.rng
        pool: dict[tuple[int, int], list[dict]] = {}

        def chain(topic_index: int, variant: int) -> list[dict]:
            # A few texts per topic, shared by many initiatives: rendering stays cheap.
            if (topic_index, variant) not in pool:
                rng_text = random.Random(topic_index * 100 + variant)  # noqa: S311
                writer = text.Writer(rng_text, topic)
                plan = prfaq_plan(writer.rng, writer, replace(TWIN, faq=4, first_faq=4))
                contents = []
                sections = [dict(s) for s in plan.sections]
                for n in range(3):
                    if n:
                        for s in sections:
                            if writer.rng.random() < 0.4:
                                s["body"] = writer.revise(s["body"], rate=0.1)
                    contents.append(
                        {
                            "sections": [dict(s) for s in sections],
                            "faq": [dict(e) for e in plan.faq],
                        }
                    )
                pool[(topic_index, variant)] = contents
            return pool[(topic_index, variant)]

        for n in range(count):
            team, editors, reviewers = teams[0] if n < board else teams[1 + n % (len(teams) - 1)]
            topic_index = rng.randrange(len(text.TOPICS))
            topic = text.TOPICS[topic_index]
            contents = chain(topic_index, rng.randrange(3))[: rng.randint(1, 3)]
            owner = rng.choice(editors)
            created = self.now - timedelta(days=rng.randint(5, 360))
            status = rng.choices(InitiativeStatus.values, weights=[50, 10, 25, 15])[
                0
            ]  # drafting, in review, approved, shelved
            writer = text.Writer(rng, topic)
            title = text.initiative_title(rng, topic)
            if title in (SHOWCASE_TITLE, TWIN_TITLE):
                title += " (second attempt)"  # the bench finds its showcases by title
            initiative = Initiative.objects.create(
                team=team,
                title=title,
                owner=owner,
                status=status,
                customer=topic.customers.capitalize() + ".",
                problem=f"Today {topic.customer} faces {topic.pain}.",
                benefit=topic.benefit.capitalize() + ".",
                created_at=created,
                updated_at=created + timedelta(days=len(contents) * 3),
            )
            initiative.followers.add(owner)
            self.activity(
                team=team,
                actor=owner,
                verb=Verb.INITIATIVE_CREATED,
                at=created,
                initiative=initiative,
                title=initiative.title,
            )
            document = self.document(initiative, DocumentKind.PRFAQ, "", owner, created)
            revisions, previous, versions = [], None, {}
            for number, content in enumerate(contents, start=1):
                at = created + timedelta(days=number * 3)
                track_versions(versions, previous, content, at, owner)
                note = "First full draft" if number == 1 else NOTES[number]
                revisions.append(
                    self.iteration(document, number, owner, at, note, content, previous)
                )
                previous = content
            Revision.objects.bulk_create(revisions)
            self.draft_rows(document, previous, versions)
            outcome = {
                InitiativeStatus.APPROVED: SessionOutcome.APPROVED,
                InitiativeStatus.SHELVED: SessionOutcome.SHELVED,
            }.get(status)
            if outcome is None and status == InitiativeStatus.DRAFTING and rng.random() < 0.2:
                outcome = SessionOutcome.ITERATE
            candidates = [u for u in dict.fromkeys(reviewers) if u != owner]
            people = [
                (u, ParticipantRole.REVIEWER)
                for u in rng.sample(candidates, min(3, len(candidates)))
            ]
            if outcome:
                self.session(
                    revision=revisions[-1],
                    phase=SessionPhase.CLOSED,
                    facilitator=owner,
                    participants=people,
                    writer=writer,
                    starts_at=revisions[-1].created_at + timedelta(days=1),
                    reading_minutes=suggested_reading_minutes(revisions[-1].word_count),
                    threads=3,
                    outcome=outcome,
                )
            elif status == InitiativeStatus.IN_REVIEW:
                self.session(
                    revision=revisions[-1],
                    phase=SessionPhase.SCHEDULED,
                    facilitator=owner,
                    participants=people,
                    writer=writer,
                    starts_at=self.now + timedelta(days=rng.randint(1, 14)),
                    reading_minutes=suggested_reading_minutes(revisions[-1].word_count),
                )
            if n and n % 200 == 0:
                self.log(f"  {n} light initiatives…")

    # --- All of it ---

    def run(self) -> None:
        scale, rng = self.scale, self.rng
        shape = scale.showcase
        users = self.users()
        facilitator, reader, rest = users[0], users[1], users[2:]
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
        self.showcase(
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
        self.showcase(
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
        self.light(teams, scale.initiatives, scale.board)
        Activity.objects.bulk_create(self.activities, batch_size=BATCH)
        self.log(f"Activity: {len(self.activities)} events.")


# --- Document plans -------------------------------------------------------------------


@dataclass
class DocumentPlan:
    sections: list[dict]
    faq: list[dict]
    first_faq: int
    change_rate: float = 0.35
    words: int = 0  # a narrative's length to stay near; 0: no paragraphs added or cut


NOTES = (
    "First full draft",
    "Tightened the press release",
    "Answered the open FAQ questions",
    "Pilot numbers in the summary",
    "Rewrote the customer quote",
    "Costs moved to the internal FAQ",
    "Addressed the bar raiser's comments",
    "Sharper problem statement",
    "New risks section after legal review",
    "Cut 200 words",
    "Carrier capacity confirmed",
    "Fraud sizing added",
)


def track_versions(versions: dict, previous: dict | None, content: dict, at, author) -> None:
    """Each draft row's version after the saves that led to ``content``.

    A template section starts at version 1 and the first save makes it 2; an FAQ
    entry is created with its text at version 1; every later change adds one.
    """
    old = {i["key"]: i for i in previous["sections"] + previous["faq"]} if previous else {}
    for item in content["sections"]:
        if old.get(item["key"]) != item:
            versions[item["key"]] = (versions.get(item["key"], (1,))[0] + 1, at, author)
    for item in content["faq"]:
        if old.get(item["key"]) != item:
            version = versions[item["key"]][0] + 1 if item["key"] in versions else 1
            versions[item["key"]] = (version, at, author)


def section(key: str, heading: str, body: str, part: str = "") -> dict:
    return {"key": key, "heading": heading, "body": body, "part": part}


def prfaq_plan(rng: random.Random, writer: text.Writer, shape: Shape) -> DocumentPlan:
    bodies = writer.prfaq_sections()
    sections = [section(s.key, s.heading, bodies[s.key], PRESS_RELEASE) for s in PRFAQ_SECTIONS]
    external = writer.faq_questions("external", (shape.faq + 1) // 2)
    internal = writer.faq_questions("internal", shape.faq // 2)
    faq, positions = [], {"external": 0, "internal": 0}
    for n in range(shape.faq):
        # Alternating, so that each iteration adds to both lists over time.
        audience = "external" if n % 2 == 0 or not internal else "internal"
        questions = external if audience == "external" else internal
        question = questions[positions[audience] % len(questions)]
        faq.append(
            {
                "key": _key(rng, "q"),
                "audience": audience,
                "question": question,
                "answer": writer.faq_answer(rng.randint(50, 100)),
                "position": positions[audience],
            }
        )
        positions[audience] += 1
    return DocumentPlan(sections=sections, faq=faq, first_faq=shape.first_faq)


def narrative_plan(rng: random.Random, writer: text.Writer, shape: Shape) -> DocumentPlan:
    sections = [
        section(_key(rng, "s"), heading, body)
        for heading, body in writer.narrative_sections(
            shape.narrative_sections, shape.narrative_words
        )
    ]
    return DocumentPlan(
        sections=sections, faq=[], first_faq=0, change_rate=0.3, words=shape.narrative_words
    )


_WORD = re.compile(WORD_PATTERN)


def _word_spans(plain: str) -> list[tuple[int, int]]:
    """(start, end) of each word of ``plain``, for picking a passage at word boundaries."""
    return [(m.start(), m.end()) for m in _WORD.finditer(plain)]


# --- The manifest: what the bench requests ---------------------------------------------


def _showcase_manifest(team_slug: str, title: str) -> dict:
    initiative = Initiative.objects.get(team__slug=team_slug, title=title)
    documents = {d.display_title: d for d in initiative.documents.all()}
    prfaq = next(d for d in documents.values() if d.kind == DocumentKind.PRFAQ)
    narrative, scratch = documents[NARRATIVE_TITLE], documents[SCRATCH_TITLE]
    latest = prfaq.revisions.order_by("-number").values_list("number", flat=True).first()
    newest = narrative.revisions.order_by("-number").values_list("number", flat=True).first()
    sessions = {s.phase: s for s in initiative.sessions.order_by("-starts_at")}
    discussion = sessions[SessionPhase.DISCUSSION]
    reading = sessions[SessionPhase.READING]
    scratch_sections = list(scratch.sections.order_by("position").values_list("key", "body"))
    participants = list(reading.participants.order_by("pk").values_list("user_id", flat=True))
    doc = [initiative.pk]
    return {
        "team": team_slug,
        "initiative": initiative.pk,
        "prfaq": prfaq.pk,
        "narrative": narrative.pk,
        "scratch": scratch.pk,
        "prfaq_iterations": latest,
        "narrative_iterations": newest,
        "discussion_session": discussion.pk,
        "reading_session": reading.pk,
        "discussion_comments": discussion.comments.count(),
        "reading_comments": reading.comments.count(),
        "participants": participants,
        "scratch_sections": [{"key": k, "body": b} for k, b in scratch_sections],
        "urls": {
            "board": reverse("team_board", args=[team_slug]),
            "initiative": reverse("initiative_detail", args=doc),
            "draft": reverse("draft", args=[*doc, prfaq.pk]),
            "iteration": reverse("iteration_detail", args=[*doc, prfaq.pk, latest]),
            "compare": reverse("compare", args=[*doc, narrative.pk, max(newest - 1, 1), newest]),
            "reading": reverse("session_detail", args=[reading.pk]),
            "discussion": reverse("session_detail", args=[discussion.pk]),
            "live": reverse("session_live", args=[reading.pk]) + "?phase=reading",
            "save": [
                reverse("section_save", args=[*doc, scratch.pk, key]) for key, _ in scratch_sections
            ],
        },
    }


def build_manifest(scale: str) -> dict:
    reader = User.objects.get(email=READER_EMAIL)
    facilitator = User.objects.get(email=FACILITATOR_EMAIL)
    return {
        "scale": scale,
        "password": BENCH_PASSWORD,
        "reader": {"id": reader.pk, "email": reader.email},
        "facilitator": {"id": facilitator.pk, "email": facilitator.email},
        "counts": {
            "users": User.objects.count(),
            "teams": Team.objects.count(),
            "initiatives": Initiative.objects.count(),
            "iterations": Revision.objects.count(),
            "sessions": ReviewSession.objects.count(),
            "comments": Comment.objects.count(),
            "replies": Reply.objects.count(),
            "activities": Activity.objects.count(),
        },
        "showcase": _showcase_manifest(SHOWCASE_TEAM, SHOWCASE_TITLE),
        "twin": _showcase_manifest(TWIN_TEAM, TWIN_TITLE),
    }


def seeded_scale() -> str | None:
    """The scale this database was seeded at, or None if seed_bench never ran here."""
    team = Team.objects.filter(slug=SHOWCASE_TEAM).first()
    if team is None:
        return None
    light = Initiative.objects.count() - 2
    return next((name for name, s in SCALES.items() if s.initiatives == light), "unknown")


def restart_readings(now=None) -> list[int]:
    """Put the two running readings' clocks at "started five minutes ago".

    The bench polls and reads them; a reading the bench (or a sweep) already
    ended cannot be restarted and needs --reset.
    """
    now = now or timezone.now()
    sessions = list(
        ReviewSession.objects.filter(
            initiative__team__slug__in=[SHOWCASE_TEAM, TWIN_TEAM],
            initiative__title__in=[SHOWCASE_TITLE, TWIN_TITLE],
            document__title=NARRATIVE_TITLE,
        ).exclude(phase=SessionPhase.SCHEDULED)
    )
    if len(sessions) != 2 or any(s.phase != SessionPhase.READING for s in sessions):
        raise CommandError("The bench's readings have ended; run seed_bench again with --reset.")
    started = now - LIVE_READING_STARTED
    for session in sessions:
        ReviewSession.objects.filter(pk=session.pk).update(
            reading_started_at=started,
            reading_ends_at=started + timedelta(minutes=session.reading_minutes),
            starts_at=started - timedelta(minutes=2),
        )
    return [s.pk for s in sessions]


class Command(BaseCommand):
    help = "Seed a dedicated bench database with realistic teams, documents and reviews."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=["small", "large"], default="small")
        # The test suite's scale: the same shape with a handful of everything.
        parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the database first (only one seed_bench wrote).",
        )
        parser.add_argument("--manifest", type=Path, help="Write the showcase's ids here (JSON).")

    def handle(self, *args, scale: str, tiny: bool, reset: bool, manifest: Path | None, **opts):
        name = "tiny" if tiny else scale
        current = seeded_scale()
        if current is None and User.objects.exists():
            raise CommandError(
                "This database has data seed_bench did not write. Seed a dedicated, empty "
                "database (the bench users share a published password)."
            )
        if current is not None and (reset or current != name):
            if not reset:
                raise CommandError(
                    f"This database was seeded at scale “{current}”; add --reset to re-seed it."
                )
            self.stdout.write("Emptying the bench database…")
            call_command("flush", interactive=False, verbosity=0)
            current = None
        if current is None:
            started = timezone.now()
            with transaction.atomic():
                Seeder(SCALES[name], self.stdout).run()
            seconds = (timezone.now() - started).total_seconds()
            self.stdout.write(f"Seeded scale “{name}” in {seconds:.0f} s.")
        else:
            self.stdout.write(f"Already seeded at scale “{name}”.")
            restart_readings()
        data = build_manifest(name)
        if manifest is not None:
            manifest.write_text(json.dumps(data, indent=2))
        self.report(data)

    def report(self, data: dict) -> None:
        counts = ", ".join(f"{n:,} {what}" for what, n in data["counts"].items())
        self.stdout.write(counts)
        self.stdout.write(f"Sign in as {data['reader']['email']} / {data['password']}")
        for label, key in (("Showcase", "showcase"), ("Twin", "twin")):
            part = data[key]
            self.stdout.write(
                f"{label}: initiative {part['initiative']}, PR/FAQ {part['prfaq']} "
                f"({part['prfaq_iterations']} iterations), narrative {part['narrative']}, "
                f"discussion session {part['discussion_session']} "
                f"({part['discussion_comments']} comments), reading session "
                f"{part['reading_session']} ({len(part['participants'])} participants)"
            )
            for scenario, url in part["urls"].items():
                urls = url if isinstance(url, list) else [url]
                self.stdout.write(f"  {scenario:<11} {' '.join(urls)}")
