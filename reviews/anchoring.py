"""Anchoring comments to the words they are about.

The browser sends what the reader selected inside one section's rendered body:
the section (or FAQ entry) key, the exact quote, some context before and after
it, and offsets into the section's plain text, i.e. the ``textContent`` of the
element that holds the section's rendered HTML. JavaScript counts offsets in
UTF-16 code units, so the stored ``start``/``end`` do too; Python indexes code
points, and this module converts between the two.

The server never trusts the offsets alone. It checks that the quote is at those
offsets; if not (whitespace the template added, a selection the browser
reported slightly differently), it finds the quote again, preferring the
occurrence whose surroundings match the given prefix and suffix, then
tolerating differences in whitespace. What it stores is always what the text
really says at the stored offsets, with prefix and suffix taken from the text.
"""

import itertools
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from django.core.exceptions import ValidationError

# Characters of context kept either side of a quote.
CONTEXT_CHARS = 32
MAX_QUOTE_CHARS = 5_000
# document_order = section index * ORDER_STRIDE + start; sections are far shorter.
ORDER_STRIDE = 1_000_000
# Occurrences of a quote weighed against the context before giving up on ambiguity.
MAX_CANDIDATES = 1_000


class _TextContent(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data):
        self.parts.append(data)


def section_plain_text(html: str) -> str:
    """The text of rendered, sanitized HTML as a browser's ``textContent`` gives it.

    Tags go, entities are unescaped, and the whitespace between block elements
    stays (it is text to the browser too). Sanitized HTML has no script, style
    or comments whose text would differ.
    """
    parser = _TextContent()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts)


# --- UTF-16 offsets ---------------------------------------------------------------------


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def utf16_to_index(text: str, offset: int) -> int | None:
    """The code point index at UTF-16 ``offset``; None if outside or inside a surrogate pair."""
    if offset < 0:
        return None
    units = 0
    for index, char in enumerate(text):
        if units == offset:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > offset:
            return None
    return len(text) if units == offset else None


def index_to_utf16(text: str, index: int) -> int:
    return utf16_length(text[:index])


# --- What can be anchored to ----------------------------------------------------------------


@dataclass(frozen=True)
class AnchorTarget:
    """A section or FAQ entry of an iteration, in document order."""

    key: str
    index: int
    heading: str
    html: str
    is_faq: bool


def anchor_targets(revision) -> list[AnchorTarget]:
    """The iteration's sections, then its external FAQ, then its internal FAQ."""
    items = [(s.key, s.heading, s.html, False) for s in revision.sections()]
    items += [(e.key, e.question, e.html, True) for e in revision.faq("external")]
    items += [(e.key, e.question, e.html, True) for e in revision.faq("internal")]
    return [
        AnchorTarget(key=key, index=index, heading=heading, html=html, is_faq=is_faq)
        for index, (key, heading, html, is_faq) in enumerate(items)
    ]


def document_order_key(section_index: int, start: int) -> int:
    return section_index * ORDER_STRIDE + min(start, ORDER_STRIDE - 1)


# --- Resolving a selection -------------------------------------------------------------------


@dataclass(frozen=True)
class Anchor:
    section_key: str
    quote: str
    prefix: str
    suffix: str
    start: int  # UTF-16 code units into the section's plain text
    end: int
    document_order: int


def common_suffix_length(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[-1 - n] == b[-1 - n]:
        n += 1
    return n


def common_prefix_length(a: str, b: str) -> int:
    n = 0
    while n < len(a) and n < len(b) and a[n] == b[n]:
        n += 1
    return n


def _best(text: str, spans: list[tuple[int, int]], prefix: str, suffix: str, hint: int | None):
    """The span whose surroundings best match the context; then the one nearest the hint."""

    def score(span):
        i, j = span
        context = common_suffix_length(
            text[max(0, i - len(prefix)) : i], prefix
        ) + common_prefix_length(text[j : j + len(suffix)], suffix)
        distance = abs(i - hint) if hint is not None else i
        return (-context, distance)

    return min(spans, key=score)


def _locate(
    text: str, quote: str, prefix: str, suffix: str, start: int | None, end: int | None
) -> tuple[int, int] | None:
    # 1. The offsets are right.
    if start is not None and end is not None:
        i, j = utf16_to_index(text, start), utf16_to_index(text, end)
        if i is not None and j is not None and text[i:j] == quote:
            return i, j
    hint = utf16_to_index(text, start) if start is not None else None
    # 2. The exact quote elsewhere: the occurrence in the right context.
    spans = []
    position = text.find(quote)
    while position != -1 and len(spans) < MAX_CANDIDATES:
        spans.append((position, position + len(quote)))
        position = text.find(quote, position + 1)
    if spans:
        return _best(text, spans, prefix, suffix, hint)
    # 3. The same words with different whitespace (a selection across paragraphs).
    words = quote.split()
    pattern = re.compile(r"\s+".join(re.escape(word) for word in words))
    spans = [m.span() for m in itertools.islice(pattern.finditer(text), MAX_CANDIDATES)]
    if spans:
        return _best(text, spans, prefix, suffix, hint)
    return None


def resolve_anchor(
    revision,
    *,
    section_key: str,
    quote: str,
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Anchor:
    """Check a selection against the iteration and return the anchor to store.

    An empty ``quote`` anchors to the whole section. Raises ValidationError
    when the section does not exist or the quote is not in it.
    """
    target = next((t for t in anchor_targets(revision) if t.key == section_key), None)
    if target is None:
        raise ValidationError(
            {"section_key": "That section is not part of this iteration."}, code="no_section"
        )
    if quote == "":
        return Anchor(
            section_key=section_key,
            quote="",
            prefix="",
            suffix="",
            start=0,
            end=0,
            document_order=document_order_key(target.index, 0),
        )
    if not quote.strip():
        raise ValidationError({"quote": "Select some words to comment on."}, code="blank_quote")
    if len(quote) > MAX_QUOTE_CHARS:
        raise ValidationError(
            {
                "quote": f"Quote at most {MAX_QUOTE_CHARS:,} characters: "
                "comment on a shorter passage."
            },
            code="long_quote",
        )
    text = section_plain_text(target.html)
    span = _locate(text, quote, prefix or "", suffix or "", start, end)
    if span is None:
        raise ValidationError(
            {"quote": f"The quoted words are not in “{target.heading}” of this iteration."},
            code="quote_not_found",
        )
    i, j = span
    start16 = index_to_utf16(text, i)
    return Anchor(
        section_key=section_key,
        quote=text[i:j],
        prefix=text[max(0, i - CONTEXT_CHARS) : i],
        suffix=text[j : j + CONTEXT_CHARS],
        start=start16,
        end=start16 + utf16_length(text[i:j]),
        document_order=document_order_key(target.index, start16),
    )
