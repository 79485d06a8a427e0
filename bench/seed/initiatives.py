"""The showcase, its small twin and the light initiatives around them."""

import random
from dataclasses import replace
from datetime import timedelta

from documents.models import DocumentKind, Initiative, InitiativeStatus, Revision
from reviews.models import ParticipantRole, SessionOutcome, SessionPhase
from reviews.services.scheduling import suggested_reading_minutes
from wbapp.accounts.models import Team, User
from wbapp.activity.models import Verb

from . import text
from .plans import (
    LIVE_READING_MINUTES,
    LIVE_READING_STARTED,
    NARRATIVE_TITLE,
    NOTES,
    SCRATCH_TITLE,
    SHOWCASE_TITLE,
    TWIN,
    TWIN_TITLE,
    DocumentPlan,
    Shape,
    key,
    narrative_plan,
    prfaq_plan,
    section,
    track_versions,
)
from .sessions import write_session


def showcase(
    seeder,
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
    rng = seeder.rng
    writer = text.Writer(rng, topic)
    start = seeder.now - timedelta(days=200)
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
        updated_at=seeder.now,
    )
    initiative.followers.add(owner, reader)
    seeder.activity(
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
    prfaq = seeder.document(initiative, DocumentKind.PRFAQ, "", owner, start)
    prfaq_revisions = seeder.iterations(
        prfaq, writer, prfaq_plan(rng, writer, shape), authors, times
    )
    narrative = seeder.document(
        initiative, DocumentKind.NARRATIVE, NARRATIVE_TITLE, owner, start + timedelta(days=1)
    )
    narrative_revisions = seeder.iterations(
        narrative, writer, narrative_plan(rng, writer, shape), authors, times
    )
    scratch = seeder.document(
        initiative, DocumentKind.NARRATIVE, SCRATCH_TITLE, reader, seeder.now - timedelta(days=3)
    )
    seeder.iterations(
        scratch,
        writer,
        DocumentPlan(
            sections=[
                section(key(rng, "s"), heading, writer.body(250))
                for heading in ("Open questions", "Next steps")
            ],
            faq=[],
            first_faq=0,
        ),
        [reader],
        [seeder.now - timedelta(days=2)],
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
        write_session(
            seeder,
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
    write_session(
        seeder,
        revision=latest,
        phase=SessionPhase.DISCUSSION,
        facilitator=owner,
        participants=people,
        writer=writer,
        starts_at=seeder.now - timedelta(minutes=minutes + 30),
        reading_minutes=minutes,
        threads=shape.threads,
    )
    write_session(
        seeder,
        revision=narrative_revisions[-1],
        phase=SessionPhase.READING,
        facilitator=owner,
        participants=people,
        writer=writer,
        starts_at=seeder.now - LIVE_READING_STARTED - timedelta(minutes=2),
        reading_minutes=LIVE_READING_MINUTES,
        private_each=shape.reading_comments,
    )
    write_session(
        seeder,
        revision=narrative_revisions[-1],
        phase=SessionPhase.SCHEDULED,
        facilitator=owner,
        participants=people,
        writer=writer,
        starts_at=seeder.now + timedelta(days=3),
        reading_minutes=suggested_reading_minutes(narrative_revisions[-1].word_count),
        title=f"Second review of the {NARRATIVE_TITLE.lower()}",
    )
    return initiative


def light(seeder, teams: list[tuple[Team, list[User], list[User]]], count: int, board: int):
    """``count`` small initiatives: ``board`` of them in the first team, the rest spread."""
    rng = seeder.rng
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
        created = seeder.now - timedelta(days=rng.randint(5, 360))
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
        if n < board:
            # The reader follows their own team's initiatives: a busy inbox, larger at scale.
            initiative.followers.add(seeder.reader)
        seeder.activity(
            team=team,
            actor=owner,
            verb=Verb.INITIATIVE_CREATED,
            at=created,
            initiative=initiative,
            title=initiative.title,
        )
        document = seeder.document(initiative, DocumentKind.PRFAQ, "", owner, created)
        revisions, previous, versions = [], None, {}
        for number, content in enumerate(contents, start=1):
            at = created + timedelta(days=number * 3)
            track_versions(versions, previous, content, at, owner)
            note = "First full draft" if number == 1 else NOTES[number]
            revisions.append(seeder.iteration(document, number, owner, at, note, content, previous))
            previous = content
        Revision.objects.bulk_create(revisions)
        seeder.draft_rows(document, previous, versions)
        outcome = {
            InitiativeStatus.APPROVED: SessionOutcome.APPROVED,
            InitiativeStatus.SHELVED: SessionOutcome.SHELVED,
        }.get(status)
        if outcome is None and status == InitiativeStatus.DRAFTING and rng.random() < 0.2:
            outcome = SessionOutcome.ITERATE
        candidates = [u for u in dict.fromkeys(reviewers) if u != owner]
        people = [
            (u, ParticipantRole.REVIEWER) for u in rng.sample(candidates, min(3, len(candidates)))
        ]
        if outcome:
            write_session(
                seeder,
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
            write_session(
                seeder,
                revision=revisions[-1],
                phase=SessionPhase.SCHEDULED,
                facilitator=owner,
                participants=people,
                writer=writer,
                starts_at=seeder.now + timedelta(days=rng.randint(1, 14)),
                reading_minutes=suggested_reading_minutes(revisions[-1].word_count),
            )
        if n and n % 200 == 0:
            seeder.log(f"  {n} light initiatives…")
