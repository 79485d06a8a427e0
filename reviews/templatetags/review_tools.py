"""``{% iteration_comments revision %}``: the review tools of an iteration page.

The documents app shows iterations and must not import reviews; its template loads
this tag instead: the memo with the comments the user may see in its margin, the
comment box, the iteration's sessions and "Schedule a review". The page loads
css/reviews.css, js/reading.js and js/mentions.js.
"""

from django import template
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from .. import mentions, rendered
from ..rendered_items import action_item_html, csrf_input
from ..views.comments import iteration_comment_context

register = template.Library()


@register.filter
def readable(body: str) -> str:
    """A comment's or reply's text as people read it: "@Maya Lee", never its token."""
    return mentions.plain_text(body)


@register.simple_tag(takes_context=True)
def iteration_comments(context, revision):
    request = context["request"]
    # Without JavaScript, ?margins=all shows every margin filled in.
    lazy = request.GET.get("margins") != "all"
    tools = iteration_comment_context(request.user, revision, lazy=lazy)
    return render_to_string(
        "reviews/includes/iteration_comments.html",
        tools | {"document": revision.document, "revision": revision},
        request=request,
    )


@register.simple_tag(takes_context=True)
def memo_article(context):
    """The iteration's memo with the comments in its margins (reviews/rendered.py)."""
    return rendered.memo_article(context)


@register.simple_tag(takes_context=True)
def margin(context, row):
    """A row's margin, its comment cards under a heading (reviews/rendered.py)."""
    return rendered.margin(context, row)


@register.simple_tag(takes_context=True)
def may_tick(context, item) -> bool:
    """Whether the signed-in user may tick ``item`` off (ActionItem.may_be_ticked_by).

    Whether they edit the item's team comes from the page's ``viewer``; pages of the
    user's own items have none and need none (their items are theirs to tick).
    """
    viewer = context.get("viewer")
    return item.may_be_ticked_by(context["user"], team_editor=bool(viewer and viewer.is_editor))


@register.simple_tag(takes_context=True)
def action_item(context, item) -> SafeString:
    """One action item (reviews/rendered_items.py) with its tick if the user may tick it.

    Reads, as the include did: ``viewer`` (see ``may_tick``), ``next`` (the page the
    tick returns to) and ``show_initiative``.
    """
    return action_item_html(
        item,
        tickable=may_tick(context, item),
        csrf=csrf_input(context.get("csrf_token")),
        next_url=context.get("next") or "",
        show_initiative=bool(context.get("show_initiative")),
    )


@register.simple_tag(takes_context=True)
def action_item_list(context, items) -> SafeString:
    """``action_item`` for each of ``items``: the CSRF input and the day written once."""
    viewer = context.get("viewer")
    user, team_editor = context["user"], bool(viewer and viewer.is_editor)
    csrf = csrf_input(context.get("csrf_token"))
    today = timezone.localdate()
    return mark_safe(  # noqa: S308 - each item rendered escaped
        "".join(
            action_item_html(
                item,
                tickable=item.may_be_ticked_by(user, team_editor=team_editor),
                csrf=csrf,
                today=today,
            )
            for item in items
        )
    )


@register.simple_tag(takes_context=True)
def comment_card(context, comment):
    """A comment card: kept per the comment's version, this viewer's controls in its slot."""
    return rendered.comment_card(context, comment)
