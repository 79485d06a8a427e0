"""The memo with its margins, and what of it is kept between requests.

Only what every viewer sees alike is kept, under the one rule of wbapp.cache
(``html_key``): a key made of what it shows and the templates' digest.

- An iteration's memo (its sections and FAQ entries, with an empty slot where each
  margin goes): keyed by the iteration's id and creation time. An iteration never
  changes, and a database restored under a cache that outlived it cannot show
  another iteration that took the same id.
- A comment card (kind, author, time, status, passage, text, where the thread
  continues, replies), with a slot for what is the viewer's: keyed by the comment's
  id, creation time and version (raised by ``reviews.live.changed`` for every write
  that changes what it shows) and the time zone its times are written in.

Everything else is rendered for each request: the margins around the kept cards,
into each card's slot its action items and controls (who may resolve, tick,
reply), the comment box and its CSRF token.

With many comments (a discussion or an iteration of hundreds of threads) the
margins are not rendered with the page at all: each shows its count and loads its
threads, as the ``margin_inner`` fragment, when it comes near the screen.
"""

import re

from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from wbapp.cache import html_key, kept, kept_many

from .rendered_items import csrf_input

MEMO = "reviews/includes/memo.html"
CARD = "reviews/includes/comment_card.html"
BOX = "reviews/includes/comment_box.html"
# The card and the templates it includes: what its kept HTML is made of.
CARD_TEMPLATES = (CARD, "reviews/carry/thread_links.html", "reviews/includes/kind_icon.html")

# A week: what is kept never changes for its key; the cache may drop it any time.
TTL_SECONDS = 7 * 24 * 60 * 60

_SLOT_OPEN = mark_safe("<!--margin:")  # noqa: S308 - a fixed comment marker, no input
_SLOT_CLOSE = mark_safe("-->")  # noqa: S308
_SLOT = re.compile(r"<!--margin:([\w-]+)-->")
# Where a kept card takes the viewer's controls: a fixed marker, never in a comment's
# text (its HTML is escaped or sanitised: no raw comment marker survives).
_CONTROLS_SLOT = mark_safe("<!--controls-->")  # noqa: S308


def memo_article(context: Context) -> SafeString:
    """The memo of ``context["revision"]`` with every row's margin filled in.

    A row's margin holds its comment cards, or, where ``context["lazy_margins"]``
    gives it a count, a link that loads them.
    """
    revision = context["revision"]
    parts = context["parts"]
    key = html_key([MEMO], "memo", revision.pk, revision.created_at.timestamp())
    article = kept(
        key,
        lambda: render_to_string(
            f"{MEMO}#article",
            {
                "parts": parts,
                "document": context["document"],
                "revision": revision,
                "slot_open": _SLOT_OPEN,
                "slot_close": _SLOT_CLOSE,
            },
        ),
        TTL_SECONDS,
    )
    lazy = context.get("lazy_margins") or {}
    rows = [row for part in parts for row in part.rows]
    prepare_cards([comment for row in rows if row.key not in lazy for comment in row.comments])
    margins = {}
    for row in rows:
        if row.key in lazy:
            margins[row.key] = _loader(context["margins_url"], row, lazy[row.key])
        elif row.comments:
            margins[row.key] = margin(context, row)
    return mark_safe(_SLOT.sub(lambda m: margins.get(m.group(1), ""), article))  # noqa: S308


def margin(context: Context, row) -> SafeString:
    """One row's margin, rendered for this request: its comment cards under a heading.

    Built here rather than by a template, as ``_loader``: a page has a margin per
    section, and the template's nodes cost more than the kept cards they hold.
    The heading is escaped (a long one cut, as ``truncatechars:40`` does).
    """
    comments = row.comments
    if not comments:
        return mark_safe("")  # noqa: S308 - empty
    count = len(comments)
    heading = escape(Truncator(row.heading).chars(40))
    cards = "".join(f"<li>{comment_card(context, comment)}</li>" for comment in comments)
    return mark_safe(  # noqa: S308 - the heading escaped, the cards rendered escaped
        f'<h4 class="margin-title">{count} comment{"" if count == 1 else "s"} on “{heading}”</h4>'
        f'<ol class="margin-list">{cards}</ol>'
    )


def prepare_cards(comments) -> None:
    """Find every card at once (one round trip); render and keep the missing ones.

    ``comment_card`` then answers from what this left on each comment.
    """
    zone = timezone.get_current_timezone_name()
    wanted = {}
    for comment in comments:
        if getattr(comment, "kept_card", None) is None:
            wanted[_card_key(comment, zone)] = comment
    cards = kept_many(
        {key: (lambda comment=comment: _render_card(comment)) for key, comment in wanted.items()},
        TTL_SECONDS,
    )
    for key, comment in wanted.items():
        comment.kept_card = cards[key]


def comment_card(context: Context, comment) -> SafeString:
    """The card as every viewer sees it, kept, with this viewer's controls in its slot."""
    if getattr(comment, "kept_card", None) is None:
        prepare_cards([comment])
    viewer = context.get("viewer")
    if viewer is not None and viewer.mode == "reading":
        controls = _reading_controls(context, comment)
    else:
        with context.push(comment=comment):
            controls = get_template(f"{CARD}#controls").template.render(context)
    return mark_safe(comment.kept_card.replace(_CONTROLS_SLOT, controls, 1))  # noqa: S308


def _reading_controls(context: Context, comment) -> str:
    """``#controls`` during the reading, written here (a page holds the reader's cards).

    The reader may only delete their own comments; nothing else is theirs to do yet.
    tests/reviews/test_rendered_controls.py holds it to the template.
    """
    if not getattr(comment, "is_mine", False):
        return ""
    url = comment.action_urls["delete"]
    kind = escape(comment.get_kind_display().lower())
    return (
        '<div class="comment-actions">'
        '<span class="muted">Only you can see this until the discussion.</span> '
        f'<form method="post" action="{url}" hx-post="{url}" hx-target="closest li"'
        f' hx-swap="outerHTML">{csrf_input(context.get("csrf_token"))}'
        '<button type="submit" class="button button--link">'
        f'Delete<span class="visually-hidden"> this {kind}</span></button></form></div>'
    )


def _card_key(comment, zone: str) -> str:
    # ``was_number`` (where an outdated thread's words were) follows from its
    # iteration, which never changes; the key names it as the card shows it.
    return html_key(
        CARD_TEMPLATES,
        "card",
        comment.pk,
        comment.created_at.timestamp(),
        comment.version,
        zone,
        getattr(comment, "was_number", None) or "",
    )


def _render_card(comment) -> str:
    # The comment alone: nothing of the viewer or the request can reach kept HTML.
    return render_to_string(f"{CARD}#card", {"comment": comment, "controls_slot": _CONTROLS_SLOT})


def _loader(margins_url: str, row, count: int) -> str:
    """A margin that loads its threads once it comes near the screen.

    The margin is the target (its content is swapped), so htmx's events after the
    swap reach the page's scripts, which highlight the passages and mark the
    focused thread once the new cards have settled.

    Built here rather than by a template: a long discussion has one per section, and
    a template render each would cost more than the rest of the margins together.
    The key is a slug and the URL our own; only the heading needs escaping (a long
    one is cut by CSS). Without JavaScript the link shows every margin filled in.
    """
    comments = "comment" if count == 1 else "comments"
    return (
        f'<p class="margin-loading" hx-get="{margins_url}&amp;rows={row.key}&amp;swap=inner" '
        'hx-trigger="intersect once, load-margin once" hx-target="closest [data-margin]" '
        'hx-swap="innerHTML">'
        f'<a href="?margins=all#section-{row.key}">{count} {comments} on '
        f"“{escape(row.heading)}”</a></p>"
    )
