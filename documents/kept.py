"""Viewer-independent HTML of the working draft, kept in the cache under the one rule.

A draft row's Markdown, rendered, is kept under what it shows: the row's primary
key and ``version`` (every service that changes a body raises it, a restore too),
its ``updated_at`` (a database built again restarts the ids, never the clock), and a
digest of the renderer's source, so a deployment that renders differently never
serves the old HTML. Only the HTML of the text is kept: the controls around it
(edit, move, remove, and their CSRF tokens) are rendered for each request.
"""

import functools
import hashlib
import inspect

from django.core.cache import cache

from . import rendering
from .models import DraftSection, FaqEntry

# A body's HTML never changes for its key; the cache may drop it any time.
TTL_SECONDS = 7 * 24 * 60 * 60


@functools.cache
def _renderer_digest() -> str:
    """A short hash of the Markdown renderer's source (once per process)."""
    return hashlib.blake2b(inspect.getsource(rendering).encode(), digest_size=6).hexdigest()


def _key(row: DraftSection | FaqEntry) -> str:
    kind = "s" if isinstance(row, DraftSection) else "q"
    stamp = row.updated_at.timestamp()
    return f"documents:draft-html:{kind}:{row.pk}:{row.version}:{stamp}:{_renderer_digest()}"


def _text(row: DraftSection | FaqEntry) -> str:
    return row.body if isinstance(row, DraftSection) else row.answer


def draft_html(rows) -> dict[str, str]:
    """{cache key: HTML} for the draft ``rows``: one round trip to read, one to fill."""
    keys = {_key(row): row for row in rows}
    found = cache.get_many(list(keys))
    missing = {
        key: rendering.render_markdown(_text(row)) for key, row in keys.items() if key not in found
    }
    if missing:
        cache.set_many(missing, TTL_SECONDS)
    return found | missing


def row_html(row: DraftSection | FaqEntry) -> str:
    """The HTML of one draft row's text (a fragment of the drafting page)."""
    return draft_html([row])[_key(row)]


def html_of(rendered: dict[str, str], row: DraftSection | FaqEntry) -> str:
    return rendered[_key(row)]
