"""``{% iteration_comments revision %}``: the review tools of an iteration page.

The documents app shows iterations and must not import reviews; its template loads
this tag instead: the memo with the comments the user may see in its margin, the
comment box, the iteration's sessions and "Schedule a review". The page loads
css/reviews.css, js/reading.js and js/mentions.js.
"""

from django import template
from django.template.loader import render_to_string

from .. import rendered
from ..views import iteration_comment_context

register = template.Library()


@register.simple_tag(takes_context=True)
def iteration_comments(context, revision):
    request = context["request"]
    tools = iteration_comment_context(request.user, revision)
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
def comment_box(context):
    """The comment box for ``comment_form`` (reviews/rendered.py)."""
    return rendered.comment_box(context)


@register.simple_tag(takes_context=True)
def comment_card(context, comment):
    """One comment card, kept per thread version and viewer (reviews/rendered.py)."""
    return rendered.comment_card(context, comment)


@register.simple_tag(takes_context=True)
def action_items_panel(context):
    """A session's action items, kept per what they show (reviews/rendered.py)."""
    return rendered.action_items_panel(context)
