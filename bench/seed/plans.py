"""What the bench seeder writes, by size and shape: scales, showcases, document plans.

All of it is plain data and pure functions of a seeded ``random.Random``.
"""

import random
import re
from dataclasses import dataclass, replace
from datetime import timedelta

from documents.rendering import WORD_PATTERN
from documents.templates_data import PRESS_RELEASE, PRFAQ_SECTIONS

from . import text

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


def key(rng: random.Random, prefix: str) -> str:
    return f"{prefix}-{rng.getrandbits(32):08x}"


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
                "key": key(rng, "q"),
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
        section(key(rng, "s"), heading, body)
        for heading, body in writer.narrative_sections(
            shape.narrative_sections, shape.narrative_words
        )
    ]
    return DocumentPlan(
        sections=sections, faq=[], first_faq=0, change_rate=0.3, words=shape.narrative_words
    )


WORD = re.compile(WORD_PATTERN)


def word_spans(plain: str) -> list[tuple[int, int]]:
    """(start, end) of each word of ``plain``, for picking a passage at word boundaries."""
    return [(m.start(), m.end()) for m in WORD.finditer(plain)]


# --- The manifest: what the bench requests ---------------------------------------------
