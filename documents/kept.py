"""Viewer-independent HTML of the working draft, kept in the cache under the one rule.

A draft row's Markdown, rendered, is kept under ``wbapp.cache.html_key``: what it
shows is the row's primary key and ``version`` (every service that changes a body
raises it, a restore too) and its ``updated_at`` (a database built again restarts
the ids, never the clock); the renderer's source is in the key too, so a deployment
that renders differently never serves the old HTML. Only the HTML of the text is
kept: the controls around it (edit, move, remove, and their CSRF tokens) are
rendered for each request.
"""

from wbapp.cache import html_key, kept_many

from . import rendering
from .models import DraftSection, FaqEntry

# A body's HTML never changes for its key; the cache may drop it any time.
TTL_SECONDS = 7 * 24 * 60 * 60


def _key(row: DraftSection | FaqEntry) -> str:
    kind = "section" if isinstance(row, DraftSection) else "faq"
    return html_key((), kind, row.pk, row.version, row.updated_at.timestamp(), code=[rendering])


def _text(row: DraftSection | FaqEntry) -> str:
    return row.body if isinstance(row, DraftSection) else row.answer


def draft_html(rows) -> dict[str, str]:
    """{cache key: HTML} for the draft ``rows``: one round trip to read, one to fill."""
    return kept_many(
        {_key(row): lambda row=row: rendering.render_markdown(_text(row)) for row in rows},
        TTL_SECONDS,
    )


def row_html(row: DraftSection | FaqEntry) -> str:
    """The HTML of one draft row's text (a fragment of the drafting page)."""
    return draft_html([row])[_key(row)]
