"""A section or FAQ entry as the drafting page shows it: its words, HTML and addresses.

What every viewer sees of a row (its heading, length and text) is kept under the
one rule (``wbapp.cache.html_key``): rendered from the ``section_shown`` and
``faq_entry_shown`` partials of documents/draft.html without the request, under
the row's primary key, ``version`` (raised by every save of its text or heading)
and ``updated_at``, with the code that counts its words, renders its Markdown and
gives a template section its guidance. The viewer's controls (edit, move, remove
and their CSRF tokens) are rendered for each request into the slot left for them.
"""

from dataclasses import dataclass
from functools import cached_property

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from wbapp.cache import html_key, kept_many

from .. import kept, rendering, templates_data
from ..models import Document, DraftSection, FaqEntry
from ..rendering import reading_minutes

DRAFT = "documents/draft.html"
# Where a kept row takes the viewer's controls: a fixed marker that no row's text
# can hold (headings are escaped, Markdown is sanitised without comments).
CONTROLS_SLOT = mark_safe("<!--controls-->")  # noqa: S308 - a fixed comment marker, no input
# A row's kept HTML never changes for its key; the cache may drop it any time.
SHOWN_TTL_SECONDS = 7 * 24 * 60 * 60

# Each row's actions, by URL name. A page reverses them once with a stand-in key and
# puts each row's key in: reversing five addresses for each of 40 rows cost a fifth
# of the drafting page's time. Keys are slugs, so the stand-in cannot clash.
ROW_ACTIONS = {
    DraftSection: {
        "detail": "section_detail",
        "save": "section_save",
        "move": "section_move",
        "remove": "section_remove",
    },
    FaqEntry: {
        "detail": "faq_detail",
        "save": "faq_save",
        "move": "faq_move",
        "remove": "faq_remove",
    },
}
KEY_STAND_IN = "row-key-stand-in"


def row_addresses(document: Document) -> dict[type, dict[str, str]]:
    """The addresses of every row action of ``document``, with a stand-in for the key."""
    args = [document.initiative_id, document.pk]
    addresses = {
        model: {action: reverse(name, args=[*args, KEY_STAND_IN]) for action, name in names.items()}
        for model, names in ROW_ACTIONS.items()
    }
    draft = reverse("draft", args=args)
    for actions in addresses.values():
        actions["edit"] = f"{draft}?edit={KEY_STAND_IN}"
    return addresses


@dataclass
class DraftItem:
    """A section or FAQ entry as the drafting page shows it."""

    row: DraftSection | FaqEntry
    first: bool = False
    last: bool = False
    # The page's row_addresses(); a fragment of one row reverses its own.
    addresses: dict[type, dict[str, str]] | None = None
    # What every viewer sees, before and after the controls' slot (keep_shown).
    shown: tuple[SafeString, SafeString] | None = None

    @property
    def before_controls(self) -> SafeString:
        if self.shown is None:
            keep_shown([self])
        return self.shown[0]

    @property
    def after_controls(self) -> SafeString:
        if self.shown is None:
            keep_shown([self])
        return self.shown[1]

    @cached_property
    def words(self) -> int:
        # Counted only where shown: a page whose rows come kept counts them once, for its stats.
        return self.row.word_count

    @cached_property
    def html(self) -> str:
        """The text's HTML (the preview of an editor, the body of a shown row)."""
        return kept.row_html(self.row)

    @cached_property
    def urls(self) -> dict[str, str]:
        """Where this row's Edit, Save, Move and Remove go (``edit`` with its anchor)."""
        addresses = self.addresses or row_addresses(self.row.document)
        urls = {
            action: url.replace(KEY_STAND_IN, self.row.key)
            for action, url in addresses[type(self.row)].items()
        }
        urls["edit"] += f"#{self.anchor}"
        return urls

    @property
    def minutes(self) -> int:
        return reading_minutes(self.words)

    @property
    def anchor(self) -> str:
        prefix = "section" if isinstance(self.row, DraftSection) else "faq"
        return f"{prefix}-{self.row.key}"


def _shown_key(row: DraftSection | FaqEntry) -> str:
    kind = "section" if isinstance(row, DraftSection) else "faq"
    return html_key(
        [DRAFT],
        "shown",
        kind,
        row.pk,
        row.version,
        row.updated_at.timestamp(),
        code=[rendering, templates_data],
    )


def _render_shown(item: DraftItem) -> str:
    # The row alone: nothing of the viewer or the request can reach kept HTML.
    partial = "section_shown" if isinstance(item.row, DraftSection) else "faq_entry_shown"
    return render_to_string(f"{DRAFT}#{partial}", {"item": item, "controls_slot": CONTROLS_SLOT})


def keep_shown(items: list[DraftItem]) -> None:
    """Find every item's shown HTML at once (one round trip); render and keep the missing."""
    wanted = {_shown_key(item.row): item for item in items}
    found = kept_many(
        {key: (lambda item=item: _render_shown(item)) for key, item in wanted.items()},
        SHOWN_TTL_SECONDS,
    )
    for key, item in wanted.items():
        before, _, after = found[key].partition(CONTROLS_SLOT)
        item.shown = (mark_safe(before), mark_safe(after))  # noqa: S308 - rendered, escaped HTML


def draft_items(rows, addresses: dict) -> list[DraftItem]:
    """The page's items of ``rows``, in order, with their shown HTML (keep_shown)."""
    items = [DraftItem(row=row, addresses=addresses) for row in rows]
    if items:
        items[0].first = True
        items[-1].last = True
    return items
