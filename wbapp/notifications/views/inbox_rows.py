"""One row of the inbox as HTML: what ``notifications/inbox.html``'s ``item`` partial shows.

A page holds 50 rows. Rendered by the template engine a row cost about 0.2 ms
(some twenty variables, two dates, three reversed addresses, a CSRF field), so
the rows took more than the rest of the page together. Here a row is one
``str.format`` of the markup below: every value is escaped as the template
escapes it (``_escape``: Django's ``conditional_escape`` without its lazy-string
wrapper, which cost more than the escaping), the addresses are reversed once per
process (wbapp.http.url_for_id), and the times are the template's ``|date:"c"`` and
``|time:"H:i"`` in the user's time zone. The row is per viewer (its read state,
its form and CSRF field), so it is rendered for each request and never kept.
"""

import html

from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from reviews.mentions import linked_text
from wbapp.activity.models import Notification, Reason
from wbapp.http import url_for_id

from ..coalescing import summary
from ..inbox_query import InboxNotification

ROW = """<div class="inbox-item{unread}">
  <p class="inbox-state">{state}</p>
  <div class="inbox-body">
    <p class="inbox-line" id="notification-{pk}-line">{line}{initiative}</p>{summary}{excerpt}
    <p class="small muted inbox-meta">
      <time datetime="{time_iso}">{time}</time> · {reason}
    </p>
  </div>{form}
</div>"""

MARK_READ = """
  <form class="inbox-mark" method="post" action="{url}" hx-post="{url}" hx-target="closest li" \
hx-swap="innerHTML" data-inbox-mark-read>
    <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
    <input type="hidden" name="next" value="{next}">
    <button type="submit" class="button button--small" \
aria-describedby="notification-{pk}-line">Mark read</button>
  </form>"""

LI = '<li id="notification-{pk}" tabindex="-1">{row}</li>'
NEW = '<span class="badge badge--new">New</span>'
READ = '<span class="visually-hidden">Read</span>'

# get_reason_display() without its walk over the choices for every row, escaped once.
REASONS = {value: html.escape(str(label)) for value, label in Reason.choices}


class Rows:
    """Renders a page's rows for one request: its CSRF field, its ``next``, its addresses."""

    def __init__(self, request):
        self.csrf = _escape(get_token(request))
        self.next = _escape(request.get_full_path())
        # The user's time zone (timezone.localtime asks for it again for every value).
        self.tz = timezone.get_current_timezone()

    def _address(self, name: str, pk: int) -> str:
        return _escape(url_for_id(name, pk))

    def html(self, notification: InboxNotification | Notification) -> SafeString:
        """The row of a notification with its ``.line`` (inbox.inbox, views._with_line)."""
        line, pk, unread = notification.line, notification.pk, notification.read_at is None
        actor = f"<strong>{_escape(line.actor)}</strong> " if line.actor else ""
        said = f"{actor}{_escape(line.text)}"
        if line.path:
            said = f'<a href="{self._address("notification_open", pk)}">{said}</a>'
        initiative = excerpt = form = said_more = ""
        if line.initiative:
            initiative = f' <span class="muted">· {_escape(line.initiative)}</span>'
        more = summary(notification.topic, notification.count)
        if more:
            said_more = f'\n    <p class="inbox-count">{_escape(more)}</p>'
        if line.excerpt:
            # Escaped; with the members it names as links (reviews.mentions.linked_text).
            quoted = linked_text(line.excerpt, line.mentioned) if line.mentioned else line.excerpt
            excerpt = f'\n    <blockquote class="inbox-excerpt">{_escape(quoted)}</blockquote>'

        if unread:
            form = MARK_READ.format(
                url=self._address("notification_read", pk),
                csrf=self.csrf,
                next=self.next,
                pk=pk,
            )
        local = line.created_at.astimezone(self.tz)
        row = ROW.format(
            unread=" is-unread" if unread else "",
            state=NEW if unread else READ,
            pk=pk,
            line=said,
            initiative=initiative,
            excerpt=excerpt,
            summary=said_more,
            time_iso=local.isoformat(),
            time=f"{local.hour:02d}:{local.minute:02d}",
            reason=REASONS.get(notification.reason) or _escape(notification.reason),
            form=form,
        )
        return mark_safe(row)  # noqa: S308 (every value in it is escaped above)

    def li(self, notification: InboxNotification | Notification) -> SafeString:
        """The row in its list item, as the page's list shows it."""
        return mark_safe(LI.format(pk=notification.pk, row=self.html(notification)))  # noqa: S308


def _escape(value) -> str:
    """What ``{{ value }}`` writes: ``value`` escaped unless it is already safe HTML."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))
