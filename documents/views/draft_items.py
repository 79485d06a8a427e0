"""A section or FAQ entry as the drafting page shows it: its words, HTML and addresses."""

from dataclasses import dataclass
from functools import cached_property

from django.urls import reverse

from .. import kept
from ..models import Document, DraftSection, FaqEntry
from ..rendering import reading_minutes

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
    words: int
    first: bool = False
    last: bool = False
    # The text's HTML when the page read every row's at once (kept.draft_html).
    rendered: str | None = None
    # The page's row_addresses(); a fragment of one row reverses its own.
    addresses: dict[type, dict[str, str]] | None = None

    @property
    def html(self) -> str:
        return kept.row_html(self.row) if self.rendered is None else self.rendered

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


def draft_items(rows, rendered: dict[str, str], addresses: dict) -> list[DraftItem]:
    items = [
        DraftItem(
            row=row,
            words=row.word_count,
            rendered=kept.html_of(rendered, row),
            addresses=addresses,
        )
        for row in rows
    ]
    if items:
        items[0].first = True
        items[-1].last = True
    return items
