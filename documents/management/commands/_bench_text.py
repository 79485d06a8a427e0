"""Words for seed_bench: PR/FAQs, narratives, comments and replies that read like real ones.

Everything comes from a ``random.Random`` the caller seeds, so the same seed
writes the same documents. Sentences are built from templates and a topic's
vocabulary (customers, the product, its metrics, the teams around it), with the
Markdown real authors use: emphasis, lists, a table, a link now and then.
"""

import random
import re
from dataclasses import dataclass

# --- Topics ------------------------------------------------------------------------------


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


TOPICS: tuple[Topic, ...] = (
    Topic(
        "Self-serve returns",
        "self-serve returns",
        "shoppers",
        "a shopper",
        "start a return from the order page",
        "waiting two days for a return label",
        "a refund promised up front",
        "time to refund",
        "days",
        "post-purchase",
        "the carrier",
    ),
    Topic(
        "One-tap reorder",
        "one-tap reorder",
        "regular buyers",
        "a regular buyer",
        "reorder last month's basket",
        "rebuilding the same basket every week",
        "a weekly shop done in seconds",
        "time to checkout",
        "minutes",
        "checkout",
        "the pricing team",
    ),
    Topic(
        "Live delivery tracking",
        "live delivery tracking",
        "customers waiting at home",
        "a customer waiting at home",
        "follow the van on a map",
        "staying in all day for a parcel",
        "a ten-minute delivery window",
        "missed deliveries",
        "per thousand parcels",
        "last mile",
        "the courier partners",
    ),
    Topic(
        "Seller onboarding in a day",
        "guided seller onboarding",
        "small sellers",
        "a small seller",
        "list their first product",
        "a three-week verification queue",
        "a first sale within a day",
        "time to first listing",
        "days",
        "marketplace",
        "the risk team",
    ),
    Topic(
        "Gift cards that never expire",
        "non-expiring gift cards",
        "gift givers",
        "a gift giver",
        "send a gift card by text message",
        "cards that lapse before anyone uses them",
        "a gift that is always worth its value",
        "unredeemed balance",
        "percent",
        "payments",
        "finance",
    ),
    Topic(
        "Price-drop alerts",
        "price-drop alerts",
        "careful shoppers",
        "a careful shopper",
        "watch an item for a lower price",
        "checking the same page every morning",
        "buying at the right moment without the effort",
        "alert conversion",
        "percent",
        "discovery",
        "the notifications team",
    ),
    Topic(
        "Support chat that knows your order",
        "order-aware support chat",
        "customers with a problem",
        "a customer with a problem",
        "ask about an order in chat",
        "repeating the order number to three agents",
        "an answer in the first reply",
        "first-contact resolution",
        "percent",
        "customer service",
        "the contact centre",
    ),
    Topic(
        "Subscriptions you can pause",
        "pausable subscriptions",
        "subscribers",
        "a subscriber",
        "pause a subscription for a month",
        "cancelling and signing up again after a holiday",
        "a subscription that fits their life",
        "monthly churn",
        "percent",
        "subscriptions",
        "billing",
    ),
)

SHOWCASE_TOPIC = TOPICS[0]

FIRST_NAMES = [
    "Maya",
    "Raj",
    "Lee",
    "Ana",
    "Tom",
    "Ines",
    "Kofi",
    "Sara",
    "Jon",
    "Priya",
    "Marta",
    "Yuki",
    "Omar",
    "Lena",
    "Diego",
    "Hana",
    "Ivan",
    "Zoe",
    "Felix",
    "Amara",
    "Noah",
    "Elif",
    "Sam",
    "Chen",
    "Nora",
    "Luca",
    "Aisha",
    "Ben",
    "Rosa",
    "Tariq",
    "Mia",
    "Pavel",
    "Leila",
    "Hugo",
    "Ada",
    "Kenji",
    "Olga",
    "Ravi",
    "Clara",
    "Emeka",
    "Sofia",
    "Arjun",
    "Greta",
    "Malik",
    "Ines",
    "Theo",
    "Nadia",
    "Oscar",
    "Lina",
    "Victor",
]
LAST_NAMES = [
    "Chen",
    "Patel",
    "Okafor",
    "Silva",
    "Novak",
    "Haddad",
    "Mensah",
    "Berg",
    "Larsen",
    "Iyer",
    "Costa",
    "Tanaka",
    "Farah",
    "Weber",
    "Ramos",
    "Kim",
    "Petrov",
    "Dubois",
    "Fischer",
    "Nwosu",
    "Ahmed",
    "Yilmaz",
    "Moreau",
    "Zhang",
    "Rossi",
    "Kowalski",
    "Osei",
    "Cruz",
    "Lindqvist",
    "Nair",
    "Rahman",
    "Vogel",
    "Alves",
    "Sato",
    "Murphy",
    "Hansen",
    "Ortiz",
    "Walker",
    "Reyes",
    "Bakker",
]
TIME_ZONES = (
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)
CITIES = ("SEATTLE", "LONDON", "BERLIN", "TORONTO", "DUBLIN", "AUSTIN", "MADRID", "SYDNEY")
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
TEAM_WORDS = [
    "Returns",
    "Checkout",
    "Delivery",
    "Marketplace",
    "Payments",
    "Discovery",
    "Support",
    "Subscriptions",
    "Search",
    "Pricing",
    "Loyalty",
    "Catalog",
    "Fulfilment",
    "Growth",
    "Identity",
    "Mobile",
    "Platform",
    "Insights",
    "Ads",
    "Trust",
]
TEAM_SUFFIXES = ("", " Experience", " Platform", " Operations", " Labs", " Core")
INITIATIVE_MODIFIERS = (
    "",
    " for business customers",
    " in the app",
    " in Europe",
    " for first-time buyers",
    " on every order",
    " without sign-in",
    " at launch scale",
    " for marketplace sellers",
    " in three taps",
)

# --- Sentence material -----------------------------------------------------------------------

SEGMENTS = (
    "first-time customers",
    "customers on a phone",
    "customers over sixty",
    "business buyers",
    "customers outside the capital cities",
    "Prime members",
    "customers who shop at night",
    "customers in the pilot",
)
OUTCOMES = (
    "gave up before the last step",
    "contacted support at least once",
    "came back within a week",
    "finished in under a minute",
    "chose the cheapest option",
    "asked for a human",
)
ACTIONS = (
    "ship the smallest version that proves the benefit",
    "run the pilot in two regions",
    "instrument every step of the flow",
    "remove the manual review for low-risk cases",
    "publish the policy in plain words",
    "train support on the new flow",
    "measure the effect on repeat purchases",
    "share weekly numbers with the leadership team",
)
MILESTONES = (
    "the holiday peak",
    "the end of the quarter",
    "the pricing review",
    "the next planning cycle",
    "the partner contract renews",
    "we scale past the pilot",
)
TENETS = (
    "the customer never has to ask permission",
    "we say no to features that add a step",
    "trust first, verify afterwards, at scale",
    "every promise on the page is one we can keep",
    "we measure what customers feel, not what we ship",
    "the default is the choice most customers would make",
    "a support contact is a defect",
)
RISKS = (
    "fraud rises faster than the pilot suggests",
    "the carrier cannot handle the volume",
    "costs per order grow past the margin",
    "customers misread the promise",
    "the legal review takes longer than planned",
    "adoption stays below a third",
)
MITIGATIONS = (
    "cap the promise per account and review weekly",
    "keep the old flow as a fallback for a month",
    "add a second partner in the largest regions",
    "slow the rollout and fix the top three defects first",
    "rewrite the page with the legal team in the room",
    "invest in the onboarding moment instead of more features",
)
UNKNOWNS = (
    "how many customers will switch in the first month",
    "whether the saving holds outside the pilot",
    "what the second purchase looks like",
    "how sellers will react",
    "which step causes most of the drop-off",
)
LEARN = ("run a two-week experiment", "interview twenty customers", "model three scenarios")
LEADERS = ("The CFO", "Our VP", "The bar raiser", "Legal", "The operations lead", "Finance")
SUPPORTS = (
    "two engineers for a quarter",
    "a shared dashboard",
    "an on-call rotation",
    "weekly reviews of the numbers",
    "the customer research budget",
)
PHONE_TIMES = ("the evening it arrives", "on the way to work", "late at night", "at lunch")
FAQ_EXTERNAL = (
    "Which orders does this work for?",
    "How much does it cost?",
    "When will I see the benefit?",
    "Do I need the app?",
    "What if something goes wrong?",
    "Can I change my mind?",
    "Is my data safe?",
    "Does it work outside my country?",
    "Can I do this for someone else?",
    "What happens to my existing orders?",
    "How do I get help?",
    "Will this be available for business accounts?",
    "Why does it ask for my location?",
    "How is this different from what I do today?",
    "What if I do not have a printer?",
    "Can I turn it off?",
    "Does it work with gift orders?",
    "How fast is it really?",
)
FAQ_INTERNAL = (
    "What does this cost us per order?",
    "How big is the opportunity?",
    "What are the top three risks?",
    "Why now?",
    "What do we need from other teams?",
    "How will we measure success?",
    "What are we not doing?",
    "What does the pilot tell us?",
    "How does this affect fraud?",
    "What is the headcount ask?",
    "What happens if adoption is low?",
    "How does this interact with the loyalty programme?",
    "What did we learn from the last attempt?",
    "Which regions launch first, and why?",
    "What would make us stop?",
    "How do partners get paid?",
    "What is the support impact?",
    "Which assumptions are we least sure of?",
)
NARRATIVE_HEADINGS = (
    "Introduction",
    "Goals",
    "Tenets",
    "State of the business",
    "Customer research",
    "Lessons learned",
    "Strategic priorities",
    "Operations plan",
    "Economics",
    "Risks and mitigations",
    "Alternatives considered",
    "What we ask of the reader",
)
COMMENT_OPENERS = {
    "question": (
        "Where does this number come from?",
        "Is this the pilot or the survey?",
        "Who decides this, and when?",
        "How does this hold for customers outside the pilot?",
        "What happens on the day this fails?",
        "Do we know this, or do we hope it?",
    ),
    "suggestion": (
        "Say this in the customer's words.",
        "Move this up: it is the real benefit.",
        "Cut this sentence; the next one says it better.",
        "Add the baseline so the reader can judge the gain.",
        "Name the team that owns this.",
        "Give one example instead of the list.",
    ),
    "concern": (
        "This promise may be hard to keep at peak.",
        "I do not think finance has agreed to this.",
        "The cost line looks optimistic.",
        "This reads as a feature, not a customer benefit.",
        "We tried this in 2021 and support volume doubled.",
        "The timeline assumes no legal review.",
    ),
    "blocker": (
        "Legal has not seen the refund promise.",
        "We cannot launch this without the fraud model.",
        "This contradicts the policy we published last month.",
        "The carrier contract does not allow this.",
    ),
}
REPLIES = (
    "Good catch; I will fix it in the next iteration.",
    "It is from the pilot, twelve weeks of data. I will add the source.",
    "Agreed. Let us take it offline with finance.",
    "I disagree: the survey and the pilot say the same thing.",
    "+1, this was my question too.",
    "Added an FAQ entry for this.",
    "Legal reviewed it on Tuesday; notes are in the appendix.",
    "Can we size it before the next review?",
    "Yes, and the numbers are in the appendix table.",
    "Done in the draft.",
)
DECISIONS = (
    "Iterate: sharpen the customer quote; size the fraud risk before the next review.",
    "Iterate: the FAQ answers the how but not the why. Bring the pilot numbers.",
    "Iterate: cut the press release to one page and move the costs to the internal FAQ.",
    "Iterate: good progress. Name an owner for every risk.",
)
ACTION_ITEMS = (
    "Size the fraud risk with the risk team",
    "Get legal sign-off on the refund promise",
    "Add the pilot baseline to the summary",
    "Rewrite the customer quote with a real interview",
    "Model costs at holiday peak volume",
    "Confirm carrier capacity in writing",
)


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
