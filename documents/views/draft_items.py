"""A section or FAQ entry as the drafting page shows it: its words, HTML and addresses.

What every viewer sees of a row (its heading, length and text) is kept under the
one rule (``wbapp.cache.html_key``): rendered from the ``section_shown`` and
``faq_entry_shown`` partials of documents/draft.html without the request, under
the row's primary key, ``version`` (raised by every save of its text or heading)
and ``updated_at``, with the code that counts its words, renders its Markdown and
gives a template section its guidance. The viewer's controls (edit, move, remove
and their CSRF tokens) are rendered for each request into the slot left for them.
"""

import hashlib
from dataclasses import dataclass
from functools import cached_property
from types import SimpleNamespace

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from wbapp import cache
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
    # The viewer's controls, filled in by the page (stamp_controls); else the
    # section_controls or faq_controls partial renders them.
    controls: SafeString = SafeString()

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

    @property
    def with_controls(self) -> SafeString:
        """The row as the page shows it: what everyone sees with the viewer's controls
        (stamp_controls; none for a reader), as the section and faq_entry partials."""
        return mark_safe(self.before_controls + self.controls + self.after_controls)  # noqa: S308 - joined HTML

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


# What a row's controls name it by (a section's heading, an FAQ entry's question),
# stood in for while its kind of controls is rendered once (stamp_controls).
LABEL_STAND_IN = "row-label-stand-in"


def _label(row: DraftSection | FaqEntry) -> str:
    return row.heading if isinstance(row, DraftSection) else row.question


def _stand_in(item: DraftItem) -> SimpleNamespace:
    """What the controls' partial reads of ``item``, with stand-ins for its key and label."""
    kind = type(item.row)
    urls = dict((item.addresses or row_addresses(item.row.document))[kind])
    urls["edit"] += "#" + ("section" if kind is DraftSection else "faq") + f"-{KEY_STAND_IN}"
    # An empty question shows a default ("untitled"): that kind is rendered as it is.
    label = LABEL_STAND_IN if _label(item.row) else ""
    template = isinstance(item.row, DraftSection) and item.row.is_template_section
    row = SimpleNamespace(heading=label, question=label, is_template_section=template)
    return SimpleNamespace(row=row, urls=urls, first=item.first, last=item.last)


def stamp_controls(items: list[DraftItem], csrf_token: str) -> None:
    """Give each item the viewer's controls, for an editor of the page.

    The controls of the 40 rows of a draft differ only in the row's key and label,
    whether it is first or last and whether it is a template section: each kind is
    rendered once, with stand-ins, and filled in for every row of that kind (the
    label escaped as the template escapes it). Rendered for this request with its
    CSRF token, never kept.
    """
    stamps: dict[tuple, str] = {}
    for item in items:
        row = item.row
        label = _label(row)
        partial = "section_controls" if isinstance(row, DraftSection) else "faq_controls"
        template = isinstance(row, DraftSection) and row.is_template_section
        # A template section has no Move buttons: where it stands makes no difference.
        kind = (
            partial,
            not template and item.first,
            not template and item.last,
            template,
            bool(label),
        )
        stamp = stamps.get(kind)
        if stamp is None:
            context = {"item": _stand_in(item), "csrf_token": csrf_token}
            stamp = stamps[kind] = render_to_string(f"{DRAFT}#{partial}", context)
        filled = stamp.replace(KEY_STAND_IN, row.key).replace(
            LABEL_STAND_IN, conditional_escape(label)
        )
        item.controls = mark_safe(filled)  # noqa: S308 - rendered HTML, the label escaped


def keep_page_shown(items: list[DraftItem]) -> None:
    """keep_shown for a whole page's rows under one key: one look-up, in this process
    if it has them (wbapp.cache.kept), instead of fetching 40 rows' HTML from Redis.

    The key names every row shown, in order, by its kind, primary key, ``version`` and
    ``updated_at`` (what each row's own key names); any save, move, addition or removal
    makes another key. A miss finds or renders the rows one by one (keep_shown).
    """
    if not items:
        return
    rows = ";".join(
        f"{type(item.row).__name__}.{item.row.pk}.{item.row.version}."
        f"{item.row.updated_at.timestamp()}"
        for item in items
    )
    digest = hashlib.blake2b(rows.encode(), digest_size=16).hexdigest()
    key = html_key([DRAFT], "shown-page", digest, code=[rendering, templates_data])

    def compute():
        keep_shown(items)
        return [item.shown for item in items]

    for item, shown in zip(items, cache.kept(key, compute, SHOWN_TTL_SECONDS), strict=True):
        item.shown = shown


def page_runs(items: list[DraftItem], editing: str) -> list[tuple[SafeString, DraftItem | None]]:
    """A part's rows as the page lays them out: the HTML of consecutive shown rows
    joined (``(html, None)``: no template node per row), and the row being edited on
    its own (``("", item)``), whose editor the template renders."""
    runs, shown = [], []
    for item in items:
        if item.row.key == editing:
            if shown:
                runs.append((mark_safe("\n".join(shown)), None))  # noqa: S308 - rendered rows
                shown = []
            runs.append((SafeString(), item))
        else:
            shown.append(item.with_controls)
    if shown:
        runs.append((mark_safe("\n".join(shown)), None))  # noqa: S308 - rendered rows
    return runs


def draft_items(rows, addresses: dict) -> list[DraftItem]:
    """The page's items of ``rows``, in order, with their shown HTML (keep_shown)."""
    items = [DraftItem(row=row, addresses=addresses) for row in rows]
    if items:
        items[0].first = True
        items[-1].last = True
    return items
