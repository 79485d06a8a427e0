"""What other apps' pages show of notifications, composed in their templates.

documents sits below this app and never imports it: the initiative page loads
this library and places ``{% follow_panel initiative %}`` where its header's
Follow button goes. The HTML e-mails load it for ``excerpt_html``.
"""

from django import template
from django.utils.safestring import SafeString

from reviews.mentions import linked_text

from ..follows import follow_button
from ..lines import ActivityLine

register = template.Library()


@register.inclusion_tag("notifications/includes/follow_panel.html", takes_context=True)
def follow_panel(context, initiative):
    """The Follow button (one query) and the "Notification settings" control it loads."""
    return follow_button(user=context["request"].user, initiative=initiative)


@register.filter
def excerpt_html(line: ActivityLine, site_url: str = "") -> SafeString:
    """A line's excerpt as HTML: each "@Name" it quotes links to the member (on ``site_url``)."""
    return linked_text(
        line.excerpt, tuple((name, site_url + path) for name, path in line.mentioned)
    )
