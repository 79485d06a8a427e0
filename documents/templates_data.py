"""The sections each kind of document starts with.

The PR/FAQ template has typed sections with fixed keys: comments and iteration
comparisons anchor to them, so a key, once published, never changes. Narrative
and one-pager sections are free: they get random keys (``s-<8 hex>``) when the
document is created, and authors add, rename, reorder and remove them.
"""

from dataclasses import dataclass

PRESS_RELEASE = "press_release"


@dataclass(frozen=True)
class TemplateSection:
    key: str
    heading: str
    guidance: str
    part: str = ""


PRFAQ_SECTIONS: tuple[TemplateSection, ...] = (
    TemplateSection(
        "headline",
        "Headline",
        "One sentence a customer would understand: who gets what, in their words.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "subheading",
        "Subheading",
        "Who the customer is and the benefit they get, in one or two sentences.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "summary",
        "Summary",
        "City and date of the launch, then the product and its benefit in a short paragraph.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "problem",
        "Problem",
        "The problem or opportunity, from the customer's side, before this product existed.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "solution",
        "Solution",
        "How the product solves the problem, elegantly and specifically.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "leader_quote",
        "Leader quote",
        "A quote from a company spokesperson: why we built it.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "getting_started",
        "How to get started",
        "How easy it is to begin, and where.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "customer_quote",
        "Customer quote",
        "A hypothetical customer describes how they experienced the benefit.",
        PRESS_RELEASE,
    ),
    TemplateSection(
        "call_to_action",
        "Call to action",
        "What the reader should do next, and where to learn more.",
        PRESS_RELEASE,
    ),
)

PRFAQ_KEYS: frozenset[str] = frozenset(section.key for section in PRFAQ_SECTIONS)
GUIDANCE: dict[str, str] = {section.key: section.guidance for section in PRFAQ_SECTIONS}

# The customary six-page narrative outline; authors rename or remove what they do not need.
NARRATIVE_SECTIONS: tuple[TemplateSection, ...] = (
    TemplateSection("", "Introduction", "What this memo is for and what you ask of the reader."),
    TemplateSection("", "Goals", "What success looks like, measurably."),
    TemplateSection("", "Tenets", "The beliefs that guide the decisions below."),
    TemplateSection("", "State of the business", "Where things stand today, with data."),
    TemplateSection("", "Lessons learned", "What worked, what did not, and why."),
    TemplateSection("", "Strategic priorities", "What we will do next, and what we will not."),
)

ONEPAGER_SECTIONS: tuple[TemplateSection, ...] = (
    TemplateSection("", "One-pager", "The idea, the customer and the ask, on one page."),
)
