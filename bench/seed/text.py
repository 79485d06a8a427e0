"""Words for the bench seeder: PR/FAQs, narratives, comments and replies that read like real ones.

Everything comes from a ``random.Random`` the caller seeds, so the same seed
writes the same documents. Sentences are built from templates and a topic's
vocabulary (customers, the product, its metrics, the teams around it), with the
Markdown real authors use: emphasis, lists, a table, a link now and then. The
vocabulary itself is data: ``words.json`` beside this module, read once.
"""

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Topic:
    title: str
    product: str
    customers: str
    customer: str
    action: str  # what the customer does with the product, as a verb phrase
    pain: str
    benefit: str
    metric: str
    unit: str
    team: str
    partner: str


def _tuples(value):
    """JSON's lists as tuples: the word lists are constants."""
    if isinstance(value, list):
        return tuple(_tuples(v) for v in value)
    if isinstance(value, dict):
        return {k: _tuples(v) for k, v in value.items()}
    return value


_WORDS = {
    name: _tuples(value)
    for name, value in json.loads((Path(__file__).parent / "words.json").read_text()).items()
}
TOPICS: tuple[Topic, ...] = tuple(Topic(**topic) for topic in _WORDS["topics"])
SHOWCASE_TOPIC = TOPICS[0]
FIRST_NAMES = _WORDS["first_names"]
LAST_NAMES = _WORDS["last_names"]
TIME_ZONES = _WORDS["time_zones"]
CITIES = _WORDS["cities"]
MONTHS = _WORDS["months"]
TEAM_WORDS = _WORDS["team_words"]
TEAM_SUFFIXES = _WORDS["team_suffixes"]
INITIATIVE_MODIFIERS = _WORDS["initiative_modifiers"]
SEGMENTS = _WORDS["segments"]
OUTCOMES = _WORDS["outcomes"]
ACTIONS = _WORDS["actions"]
MILESTONES = _WORDS["milestones"]
TENETS = _WORDS["tenets"]
RISKS = _WORDS["risks"]
MITIGATIONS = _WORDS["mitigations"]
UNKNOWNS = _WORDS["unknowns"]
LEARN = _WORDS["learn"]
LEADERS = _WORDS["leaders"]
SUPPORTS = _WORDS["supports"]
PHONE_TIMES = _WORDS["phone_times"]
FAQ_EXTERNAL = _WORDS["faq_external"]
FAQ_INTERNAL = _WORDS["faq_internal"]
NARRATIVE_HEADINGS = _WORDS["narrative_headings"]
COMMENT_OPENERS = _WORDS["comment_openers"]
REPLIES = _WORDS["replies"]
DECISIONS = _WORDS["decisions"]
ACTION_ITEMS = _WORDS["action_items"]


class Writer:
    """Prose about one topic, from one random generator."""

    def __init__(self, rng: random.Random, topic: Topic):
        self.rng = rng
        self.t = topic

    def pick(self, items):
        return self.rng.choice(items)

    def pct(self) -> int:
        return self.rng.randint(8, 92)

    def number(self) -> str:
        whole = self.rng.randint(1, 40)
        return f"{whole}.{self.rng.randint(0, 9)}" if self.rng.random() < 0.4 else str(whole)

    # Each template reads as one sentence of a business memo.
    def sentence(self) -> str:
        t, pick = self.t, self.pick
        templates = (
            lambda: f"In {pick(MONTHS)}, {self.pct()}% of {pick(SEGMENTS)} {pick(OUTCOMES)}.",
            lambda: f"{pick(SEGMENTS).capitalize()} told us that {t.pain} is the worst part.",
            lambda: (
                f"We will {pick(ACTIONS)} before {pick(MILESTONES)}, so that {t.customers} "
                f"get {t.benefit}."
            ),
            lambda: f"The pilot cut {t.metric} from {self.number()} to {self.number()} {t.unit}.",
            lambda: (
                f"The {t.team} team owns the launch; {t.partner} supports it with {pick(SUPPORTS)}."
            ),
            lambda: f"Our tenet is simple: {pick(TENETS)}.",
            lambda: f"If {pick(RISKS)}, we {pick(MITIGATIONS)}.",
            lambda: f"{pick(LEADERS)} asked whether {pick(RISKS)}; the data so far says no.",
            lambda: f"Most {t.customers} {t.action} on a phone, often {pick(PHONE_TIMES)}.",
            lambda: f"We do not yet know {pick(UNKNOWNS)}, so we will {pick(LEARN)} first.",
            lambda: f"Today {t.customer} who wants to {t.action} faces {t.pain}.",
            lambda: f"With {t.product}, {t.customers} get {t.benefit}.",
            lambda: (
                f"Support handled {self.rng.randint(2, 40) * 100:,} contacts a week about "
                f"this, and {self.pct()}% of them ended in a refund."
            ),
            lambda: (
                f"The cost per order is {self.number()} cents lower than the current "
                f"process, before {pick(MILESTONES)}."
            ),
            lambda: f"This is not a {t.team} project alone: {t.partner} has to change too.",
            lambda: f"We chose to {pick(ACTIONS)} rather than build everything at once.",
        )
        return pick(templates)()

    def paragraph(self, sentences: int | None = None) -> str:
        count = sentences or self.rng.randint(3, 6)
        text = " ".join(self.sentence() for _ in range(count))
        if self.rng.random() < 0.25:
            # Authors stress the one phrase the reader must not miss.
            words = text.split(" ")
            i = self.rng.randrange(0, max(1, len(words) - 3))
            words[i] = f"**{words[i]}"
            words[i + 2] = (
                f"{words[i + 2].rstrip('.,;')}**"
                + (words[i + 2][len(words[i + 2].rstrip(".,;")) :])
            )
            text = " ".join(words)
        return text

    def bullets(self) -> str:
        items = self.rng.sample(ACTIONS + MITIGATIONS, self.rng.randint(3, 5))
        ordered = self.rng.random() < 0.3
        return "\n".join(
            f"{n}. {item.capitalize()}." if ordered else f"- {item.capitalize()}."
            for n, item in enumerate(items, start=1)
        )

    def table(self) -> str:
        rows = ["| Metric | Last year | Pilot | Goal |", "| --- | ---: | ---: | ---: |"]
        for label in (self.t.metric.capitalize(), "Support contacts", "Repeat purchase", "NPS"):
            rows.append(f"| {label} | {self.number()} | {self.number()} | {self.number()} |")
        return "\n".join(rows)

    def body(self, words: int) -> str:
        """Paragraphs (and the odd list or table) until about ``words`` words."""
        blocks: list[str] = []
        total = 0
        while total < words - 25 or not blocks:
            roll = self.rng.random()
            if roll < 0.12 and blocks:
                block = self.bullets()
            elif roll < 0.15 and blocks:
                block = self.table()
            else:
                block = self.paragraph()
            blocks.append(block)
            total += len(block.split())
        return "\n\n".join(blocks)

    # --- Documents ---

    def prfaq_sections(self) -> dict[str, str]:
        """Bodies for the PR/FAQ template's nine press-release sections, by key."""
        t = self.t
        city = self.pick(CITIES)
        first, last = self.pick(FIRST_NAMES), self.pick(LAST_NAMES)
        return {
            "headline": f"{t.product.capitalize()}: {t.benefit}",
            "subheading": f"{t.customers.capitalize()} can now {t.action} and get {t.benefit}, "
            f"without {t.pain}.",
            "summary": f"{city} — Today we launch {t.product}. " + self.paragraph(4),
            "problem": self.paragraph(5) + "\n\n" + self.paragraph(4),
            "solution": self.paragraph(5) + "\n\n" + self.bullets() + "\n\n" + self.paragraph(3),
            "leader_quote": f"“{self.sentence()} {self.sentence()}” said {first} {last}, "
            f"head of {t.team}.",
            "getting_started": f"Open the app and {t.action}. " + self.paragraph(2),
            "customer_quote": f"“I used to put up with {t.pain}. Now I {t.action} and I am "
            f"done,” said {self.pick(FIRST_NAMES)}, a customer in the pilot.",
            "call_to_action": f"Try {t.product} today, and tell us what to improve at "
            f"[our feedback page](https://example.com/feedback).",
        }

    def faq_answer(self, words: int = 90) -> str:
        return self.body(words)

    def faq_questions(self, audience: str, count: int) -> list[str]:
        pool = FAQ_EXTERNAL if audience == "external" else FAQ_INTERNAL
        return [pool[i % len(pool)] for i in range(count)]

    def narrative_sections(self, sections: int, words: int) -> list[tuple[str, str]]:
        per = max(words // sections, 20)
        headings = [NARRATIVE_HEADINGS[i % len(NARRATIVE_HEADINGS)] for i in range(sections)]
        return [(heading, self.body(per)) for heading in headings]

    # --- Revising ---

    def revise(self, text: str, rate: float = 0.04, grow: bool | None = None) -> str:
        """About ``rate`` of the sentences rewritten; with ``grow`` set, now and then a
        paragraph added (True) or cut (False) as well."""
        if not text:
            return self.paragraph(2)
        revised = []
        for block in text.split("\n\n"):
            if block.startswith(("|", "- ", "1. ")):
                revised.append(block)
                continue
            sentences = re.split(r"(?<=[.!?])\s+", block)
            sentences = [self.sentence() if self.rng.random() < rate else s for s in sentences]
            revised.append(" ".join(sentences))
        if grow is not None and self.rng.random() < 0.15:
            prose = [i for i, block in enumerate(revised) if not block.startswith(("|", "-", "1."))]
            if grow:
                revised.insert(self.rng.randrange(len(revised) + 1), self.paragraph())
            elif len(prose) > 1:
                del revised[self.rng.choice(prose)]
        return "\n\n".join(revised)

    # --- Review ---

    def comment(self, kind: str) -> str:
        opener = self.pick(COMMENT_OPENERS[kind])
        if self.rng.random() < 0.6:
            return f"{opener} {self.sentence()}"
        return opener

    def reply(self) -> str:
        return self.pick(REPLIES)

    def decision(self) -> str:
        return self.pick(DECISIONS)

    def action_item(self) -> str:
        return self.pick(ACTION_ITEMS)


def person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def team_name(rng: random.Random, n: int) -> str:
    return f"{TEAM_WORDS[n % len(TEAM_WORDS)]}{rng.choice(TEAM_SUFFIXES)}"


def initiative_title(rng: random.Random, topic: Topic) -> str:
    return f"{topic.title}{rng.choice(INITIATIVE_MODIFIERS)}"
