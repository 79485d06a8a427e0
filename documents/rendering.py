"""Markdown to safe HTML, word counts, reading time and length warnings.

Rendering is two layers on purpose: markdown-it runs with raw HTML disabled (so
``<script>`` in a draft is text, not markup) and its own link validation, then
nh3 re-parses the output against an allow-list. Either layer alone would do
today; together a bug or a new plugin in one of them does not open a hole.
"""

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

from .templates_data import PRESS_RELEASE

# --- Markdown ---------------------------------------------------------------------

EXTERNAL_LINK_REL = "noopener noreferrer nofollow"

ALLOWED_TAGS = frozenset(
    {
        "a",
        "blockquote",
        "br",
        "code",
        "em",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "strong",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
# Table column alignment arrives as style="text-align:…", which the Content
# Security Policy would block; it becomes one of these classes instead.
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})

_md = MarkdownIt("commonmark", {"html": False}).enable("table")


def _is_external(url: str) -> bool:
    return url.startswith("//") or urlsplit(url).scheme.lower() in {"http", "https"}


def _workback_attributes(state) -> None:
    """Core rule: rel on external links, alignment classes instead of styles."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"}:
            style = token.attrGet("style")
            if style:
                token.attrs.pop("style", None)
                align = str(style).removeprefix("text-align:").strip()
                token.attrSet("class", f"align-{align}")
        for child in token.children or ():
            if child.type == "link_open" and _is_external(str(child.attrGet("href") or "")):
                child.attrSet("rel", EXTERNAL_LINK_REL)


_md.core.ruler.push("workback_attributes", _workback_attributes)


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    # Images load only from Workback itself (appendix images are served to
    # members): a remote image would tell a third party who reads the document.
    if tag == "img" and name == "src":
        return value if value.startswith("/") and not value.startswith("//") else None
    if tag == "a" and name == "rel":
        return EXTERNAL_LINK_REL if value == EXTERNAL_LINK_REL else None
    return value


_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style"},
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=None,
    allowed_classes={"th": set(ALIGN_CLASSES), "td": set(ALIGN_CLASSES)},
    strip_comments=True,
)


def render_markdown(text: str) -> str:
    """Markdown (CommonMark and tables) as sanitized HTML, safe to mark safe."""
    if not text or not text.strip():
        return ""
    return _cleaner.clean(_md.render(text)).strip()


# --- Word counts and reading time --------------------------------------------------

# A word starts and ends with a letter or digit and may hold apostrophes, dots or
# hyphens inside ("don't", "e-mail", "3.5"). Markdown punctuation is not a word.
WORD_PATTERN = r"[^\W_]+(?:['’.\-][^\W_]+)*"
_WORD = re.compile(WORD_PATTERN)

WORDS_PER_MINUTE = 230
PRESS_RELEASE_WORD_LIMIT = 550  # one page
FAQ_WORD_LIMIT = 2_750  # five pages
NARRATIVE_WORD_LIMIT = 3_300  # six pages
ONEPAGER_WORD_LIMIT = 550  # one page


def word_count(text: str) -> int:
    return len(_WORD.findall(text or ""))


def reading_minutes(words: int, wpm: int = WORDS_PER_MINUTE) -> int:
    """Whole minutes to read ``words`` at ``wpm``; any text takes at least a minute."""
    return math.ceil(words / wpm) if words > 0 else 0


@dataclass(frozen=True)
class LengthWarning:
    message: str
    words: int
    limit: int


@dataclass(frozen=True)
class LengthReport:
    """Word counts of a draft or an iteration, and what runs too long."""

    total_words: int
    press_release_words: int
    faq_words: int
    section_words: dict[str, int] = field(default_factory=dict)
    warnings: tuple[LengthWarning, ...] = ()

    @property
    def reading_minutes(self) -> int:
        return reading_minutes(self.total_words)


def _get(item, name: str) -> str:
    value = item.get(name, "") if isinstance(item, dict) else getattr(item, name, "")
    return value or ""


def faq_entry_words(entry) -> int:
    return word_count(_get(entry, "question")) + word_count(_get(entry, "answer"))


def length_report(kind: str, sections: Iterable, faq_entries: Iterable = ()) -> LengthReport:
    """Counts for ``sections`` and ``faq_entries`` (model rows or snapshot dicts).

    Section headings are labels, not prose, so only bodies count; an FAQ entry
    counts its question and its answer.
    """
    sections = list(sections)
    faq_entries = list(faq_entries)
    section_words = {_get(s, "key"): word_count(_get(s, "body")) for s in sections}
    press_release_words = sum(
        word_count(_get(s, "body")) for s in sections if _get(s, "part") == PRESS_RELEASE
    )
    faq_words = sum(faq_entry_words(entry) for entry in faq_entries)
    total = sum(section_words.values()) + faq_words

    warnings = []
    if kind == "prfaq" and press_release_words > PRESS_RELEASE_WORD_LIMIT:
        warnings.append(
            LengthWarning(
                f"The press release runs past one page ({press_release_words:,} words; "
                f"aim for {PRESS_RELEASE_WORD_LIMIT:,}).",
                press_release_words,
                PRESS_RELEASE_WORD_LIMIT,
            )
        )
    if faq_words > FAQ_WORD_LIMIT:
        warnings.append(
            LengthWarning(
                f"The FAQ runs past five pages ({faq_words:,} words; aim for {FAQ_WORD_LIMIT:,}).",
                faq_words,
                FAQ_WORD_LIMIT,
            )
        )
    if kind == "narrative" and total > NARRATIVE_WORD_LIMIT:
        warnings.append(
            LengthWarning(
                f"The narrative runs past six pages ({total:,} words; "
                f"aim for {NARRATIVE_WORD_LIMIT:,}).",
                total,
                NARRATIVE_WORD_LIMIT,
            )
        )
    if kind == "onepager" and total > ONEPAGER_WORD_LIMIT:
        warnings.append(
            LengthWarning(
                f"The one-pager runs past one page ({total:,} words; "
                f"aim for {ONEPAGER_WORD_LIMIT:,}).",
                total,
                ONEPAGER_WORD_LIMIT,
            )
        )
    return LengthReport(
        total_words=total,
        press_release_words=press_release_words,
        faq_words=faq_words,
        section_words=section_words,
        warnings=tuple(warnings),
    )


# --- Export --------------------------------------------------------------------------


def snapshot_markdown(*, title: str, content: dict, subtitle: str = "") -> str:
    """A snapshot (an iteration's ``content``) as one Markdown document."""
    lines = [f"# {title}", ""]
    if subtitle:
        lines += [f"_{subtitle}_", ""]
    for section in content.get("sections", []):
        lines += [f"## {section['heading']}", ""]
        if section["body"].strip():
            lines += [section["body"].strip(), ""]
    for audience, heading in (("external", "External FAQ"), ("internal", "Internal FAQ")):
        entries = [e for e in content.get("faq", []) if e["audience"] == audience]
        if not entries:
            continue
        lines += [f"## {heading}", ""]
        for entry in entries:
            lines += [f"### {entry['question'].strip() or 'Untitled question'}", ""]
            if entry["answer"].strip():
                lines += [entry["answer"].strip(), ""]
    return "\n".join(lines).rstrip() + "\n"
