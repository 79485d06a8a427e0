"""An action item as lists show it: what, who, when, and a tick for those who may tick it.

Written here rather than by a template (reviews/includes/action_item.html calls it):
a discussion lists every item of its session, and a template's nodes cost about
0.1 ms an item, most of it the tick's form. Nothing of it is kept: the tick and its
CSRF token are the viewer's, rendered for each request. Every value shown is escaped.
"""

from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from wbapp.http import url_for_id


def csrf_input(token) -> str:
    """What ``{% csrf_token %}`` writes for the page's token (nothing without one)."""
    if not token or token == "NOTPROVIDED":  # noqa: S105 - the placeholder CsrfTokenNode skips
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(token)}">'


def action_item_html(
    item,
    *,
    tickable: bool,
    csrf: str = "",
    next_url: str = "",
    show_initiative: bool = False,
    today=None,
) -> SafeString:
    """One ``<li>`` of an action item list.

    ``csrf``: ``csrf_input()`` of the page's token, written once for all its items.
    ``today``: the user's day (``timezone.localdate()``), for a list to ask it once.
    """
    pk = int(item.pk)
    title = escape(item.title)
    done = item.done_at is not None
    if today is None:
        today = timezone.localdate()
    due = f", due {item.due_label}" if item.due_on else ""
    parts = [
        f'<li class="action-item{" is-done" if done else ""}" id="action-item-{pk}">'
        f'<span class="action-title">{title}</span> '
        f'<span class="muted">— {escape(item.owner.name)}{due}</span>'
    ]
    if done:
        parts.append(' <span class="comment-status">Done</span>')
    elif item.due_on is not None and item.due_on < today:
        parts.append(' <span class="badge badge--danger">Overdue</span>')
    if show_initiative:
        parts.append(
            f' <a class="small" href="{url_for_id("initiative_detail", item.initiative_id)}">'
            f"{escape(item.initiative.title)}</a>"
        )
    if tickable:
        url = item.done_url
        nxt = f'<input type="hidden" name="next" value="{escape(next_url)}">' if next_url else ""
        label = "Reopen" if done else "Mark done"
        parts.append(
            f' <form method="post" action="{url}" hx-post="{url}" hx-target="#action-item-{pk}"'
            f' hx-swap="outerHTML" class="inline-form">{csrf}'
            f'<input type="hidden" name="done" value="{0 if done else 1}">{nxt}'
            f'<button type="submit" class="button button--link">{label}'
            f'<span class="visually-hidden"> “{title}”</span></button></form>'
        )
    parts.append("</li>")
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or our own
