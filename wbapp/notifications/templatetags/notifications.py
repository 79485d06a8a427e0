"""What other apps' pages show of notifications, composed in their templates.

documents sits below this app and never imports it: the initiative page loads
this library and places ``{% follow_panel initiative %}`` where its header's
Follow button goes.
"""

from django import template

from ..follows import follow_button

register = template.Library()


@register.inclusion_tag("notifications/includes/follow_panel.html", takes_context=True)
def follow_panel(context, initiative):
    """The Follow button (one query) and the "Notification settings" control it loads."""
    return follow_button(user=context["request"].user, initiative=initiative)
