"""HTML rendered once and reused: an iteration's memo, comment cards, the blank comment box.

An iteration never changes (documents.models.Revision), so its memo (sections, FAQ
entries, an empty margin beside each) is rendered once and kept, in Redis and in
each process (wbapp.cache.kept); each page only fills the margins in. A comment
card is kept per thread version (Comment.version, raised by every service that
changes the thread) and per what is the viewer's own (see _card_key): a
discussion's margins, fetched again by every participant after each reply, mostly
come from the cache. The blank comment box of an iteration is kept like the memo.
Kept HTML has a slot where each page puts its own CSRF token, and every key carries
a digest of the templates' source, so a deployment with a changed template never
serves the old HTML.

With many comments (a discussion of hundreds of threads) the margins are not
rendered with the page at all: each shows its count and loads its threads, as the
``margins_oob`` fragment, when it comes near the screen.
"""

import functools
import hashlib
import re

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wbapp.cache import kept

from .views.common import BOX, CARD, MEMO, SESSION

# A week: iterations never change; the cache may drop the entry any time.
TTL_SECONDS = 7 * 24 * 60 * 60

_SLOT_OPEN = mark_safe("<!--margin:")  # noqa: S308 - a fixed comment marker, no input
_SLOT_CLOSE = mark_safe("-->")  # noqa: S308
_SLOT = re.compile(r"<!--margin:([\w-]+)-->")
# Stands for the CSRF token in kept HTML; never a real token (those are 64 letters
# and digits).
_CSRF_SLOT = "csrf-slot-in-kept-html"


_ITEM = "reviews/includes/action_item.html"
# The card and the templates it includes.
_CARD_TEMPLATES = (
    CARD,
    "reviews/carry/thread_links.html",
    "reviews/includes/kind_icon.html",
    _ITEM,
)


def _fingerprint(value) -> str:
    """A short hash of what a kept piece shows, for its cache key."""
    return hashlib.blake2b(repr(value).encode(), digest_size=8).hexdigest()


@functools.cache
def _digest(*names: str) -> str:
    """The first characters of a hash of templates' source (once per process)."""
    source = "".join(get_template(name).template.source for name in names)
    return hashlib.blake2b(source.encode(), digest_size=6).hexdigest()


def memo_article(context: Context) -> SafeString:
    """The memo of ``context["revision"]`` with every row's margin filled in.

    A row's margin holds its comment cards (rendered now, for this viewer), or, where
    ``context["lazy_margins"]`` gives it a count, a link that loads them.
    """
    revision = context["revision"]
    parts = context["parts"]
    key = f"reviews:memo:{revision.pk}:{_digest(MEMO)}"
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
    fill_margins(context, [row for row in rows if row.key not in lazy])
    token = _csrf_token(context)
    margins = {}
    for row in rows:
        if row.key in lazy:
            margins[row.key] = _loader(context["margins_url"], row, lazy[row.key])
        elif row.margin_html:
            margins[row.key] = row.margin_html.replace(_CSRF_SLOT, token)
    return mark_safe(_SLOT.sub(lambda m: margins.get(m.group(1), ""), article))  # noqa: S308


def margin(context: Context, row) -> SafeString:
    """One row's margin: its comment cards under a heading (``MEMO#margin_cards``).

    The first margin a page asks for fills every row of ``context["parts"]`` at
    once, so a fragment of many margins costs one round trip to the cache.
    """
    if row.margin_html is None:
        rows = [other for part in context.get("parts") or () for other in part.rows]
        fill_margins(context, rows if any(other is row for other in rows) else [row])
    return mark_safe(row.margin_html.replace(_CSRF_SLOT, _csrf_token(context)))  # noqa: S308


def fill_margins(context: Context, rows) -> None:
    """Set each row's ``margin_html``, kept per the cards it shows (see _card_key).

    A margin is its heading, its count and its cards, so the cards' keys cover it.
    The kept HTML has the CSRF slot where each page puts its token. Rows whose
    margins are not kept have their cards looked up at once, then are rendered;
    what was rendered is kept in one round trip.
    """
    viewer = context["viewer"]
    rows = [row for row in rows if row.margin_html is None]
    for row in rows:
        if not row.comments:
            row.margin_html = ""
    rows = [row for row in rows if row.comments]
    keys = {}
    for row in rows:
        card_keys = [_card_key(comment, viewer) for comment in row.comments]
        keys[row.key] = _margin_key(row, card_keys) if all(card_keys) else None
    wanted = [key for key in keys.values() if key]
    found = cache.get_many(wanted) if wanted else {}
    missing = [row for row in rows if keys[row.key] not in found]
    fetch_cards([comment for row in missing for comment in row.comments], viewer)
    template = get_template(f"{MEMO}#margin_cards").template
    new = {}  # comment_card adds the cards it renders
    with context.push(csrf_token=_CSRF_SLOT, new_cards=new):
        for row in rows:
            row.margin_html = found.get(keys[row.key])
            if row.margin_html is None:
                with context.push(row=row):
                    row.margin_html = template.render(context)
                if keys[row.key]:
                    new[keys[row.key]] = row.margin_html
    if new:
        cache.set_many(new, TTL_SECONDS)


def _margin_key(row, card_keys: list[str]) -> str:
    return f"reviews:margin:{_fingerprint((row.heading, card_keys))}:{_digest(MEMO)}"


def _csrf_token(context: Context) -> str:
    return str(context.get("csrf_token", ""))


def _card_key(comment, viewer) -> str | None:
    """The cache key of a comment card as ``viewer`` sees it; None: do not keep it.

    The thread's version covers what its services change (edits, replies,
    statuses, +1s, action items, newer copies); the rest is this viewer's (their
    rights, their own +1, their time zone) and the names shown, which change
    without the thread.
    """
    if getattr(comment, "is_new", False):
        return None
    names = [comment.author.name]
    shown = [
        viewer.mode,
        viewer.is_editor,
        viewer.is_facilitator,
        viewer.may_discuss,
        comment.is_mine,
        comment.can_moderate,
        getattr(comment, "was_number", None),
        timezone.get_current_timezone_name(),
    ]
    if hasattr(comment, "reply_count"):  # Comment.objects.for_display
        names += [reply.author.name for reply in comment.replies.all()]
        names += [item.owner.name if item.owner else "" for item in comment.items]
        shown += [comment.plussed_by_me, [item.pk for item in comment.items]]
        if comment.items:
            shown.append(timezone.localdate())  # an item turns overdue with the day
    fingerprint = _fingerprint((names, shown))
    return f"reviews:card:{comment.pk}:{comment.version}:{fingerprint}:{_digest(*_CARD_TEMPLATES)}"


def fetch_cards(comments, viewer) -> None:
    """Look every card up at once; ``comment_card`` then uses what was kept."""
    keys = {comment.pk: _card_key(comment, viewer) for comment in comments}
    wanted = [key for key in keys.values() if key]
    found = cache.get_many(wanted) if wanted else {}
    for comment in comments:
        comment.kept_card = found.get(keys[comment.pk])


def comment_card(context: Context, comment) -> SafeString:
    """One card of a margin being filled (fill_margins): kept, else rendered and kept."""
    html = getattr(comment, "kept_card", None)
    if html is None:
        card = get_template(CARD).template
        with context.push(comment=comment, csrf_token=_CSRF_SLOT):
            html = card.render(context)
        key = _card_key(comment, context["viewer"])
        if key:
            context["new_cards"][key] = html
    return mark_safe(html.replace(_CSRF_SLOT, _csrf_token(context)))  # noqa: S308


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


def comment_box(context: Context) -> SafeString:
    """The comment box; blank, it comes from the cache with this page's CSRF token."""
    form = context["comment_form"]
    box = {
        "form": form,
        "comment_url": context["comment_url"],
        "session": context.get("session"),
        "open": context.get("open"),
        "saved": context.get("saved"),
    }
    request = context["request"]
    if form.is_bound or box["open"] or box["saved"]:
        return mark_safe(render_to_string(BOX, box, request=request))  # noqa: S308
    session = box["session"]
    phase = session.phase if session else "async"
    key = f"reviews:box:{context['revision'].pk}:{phase}:{box['comment_url']}:{_digest(BOX)}"
    html = kept(key, lambda: render_to_string(BOX, box | {"csrf_token": _CSRF_SLOT}), TTL_SECONDS)
    return mark_safe(html.replace(_CSRF_SLOT, get_token(request)))  # noqa: S308


def action_items_panel(context: Context) -> SafeString:
    """A session's action items, kept per what they show and what the viewer may tick.

    Every participant of a discussion with the same rights shares one entry; a new,
    changed or ticked item (or a new day, which can make one overdue) is a new key.
    """
    items = context["action_items"]
    user = context["user"]
    is_editor = context["viewer"].is_editor
    shown = [
        (
            item.pk,
            item.title,
            item.owner.name if item.owner else "",
            item.due_on,
            item.is_done,
            item.is_overdue,
            # Who may tick it, as reviews/includes/action_item.html asks.
            item.owner_id == user.pk or item.created_by_id == user.pk or is_editor,
        )
        for item in items
    ]
    key = f"reviews:items:{context['session'].pk}:{_fingerprint(shown)}:{_digest(SESSION, _ITEM)}"
    panel = {
        "action_items": items,
        "user": user,
        "viewer": context["viewer"],
        "csrf_token": _CSRF_SLOT,
    }
    html = kept(key, lambda: render_to_string(f"{SESSION}#action_items", panel), TTL_SECONDS)
    return mark_safe(html.replace(_CSRF_SLOT, get_token(context["request"])))  # noqa: S308
