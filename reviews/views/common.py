"""What the session and comment views share: templates, permissions, the memo with its margin."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from documents.models import FaqAudience, Revision
from wbapp.accounts.models import User

from ..anchoring import section_plain_text, utf16_length
from ..forms import CommentForm
from ..models import ActionItem, Comment

SESSION = "reviews/session.html"
MEMO = "reviews/includes/memo.html"
CARD = "reviews/includes/comment_card.html"
BOX = "reviews/includes/comment_box.html"
ACTION_FORM = "reviews/includes/action_item_form.html"

# Above this many comments in a discussion, the margins load as they come near the screen.
LAZY_MARGINS_ABOVE = 60

FACILITATE = "reviews.facilitate_session"
MANAGE = "reviews.manage_session"
COMMENT_IN_SESSION = "reviews.comment_in_session"
COMMENT_ON_INITIATIVE = "reviews.comment_on_initiative"
SCHEDULE = "reviews.schedule_session"


def refuse(request: HttpRequest, exc: ValidationError, url: str) -> HttpResponse:
    """A move the session's phase no longer allows: say why, show the page as it is now."""
    message = " ".join(exc.messages)
    if request.htmx:
        response = HttpResponse(message, status=409, content_type="text/plain")
        response["HX-Refresh"] = "true"
        messages.error(request, message)
        return response
    messages.error(request, message)
    return redirect(url)


def session_url(session) -> str:
    return reverse("session_detail", args=[session.pk])


def members_of(team):
    return User.objects.filter(memberships__team=team).order_by("display_name", "email", "pk")


def team_members(team) -> list[User]:
    return list(members_of(team))


# --- The memo with comments in its margin ----------------------------------------------


@dataclass
class MemoRow:
    """A section or FAQ entry of the iteration and the comments anchored to it."""

    revision: Revision
    key: str
    heading: str
    is_faq: bool
    comments: list = field(default_factory=list)
    # The margin's HTML, with a slot for the CSRF token (reviews/rendered.py, fill_margins).
    margin_html: str | None = None

    @property
    def html(self) -> str:
        # Read only where the memo is rendered (once per iteration, see reviews/rendered.py).
        return self.revision.html_of(self.key)


@dataclass
class MemoPart:
    slug: str
    title: str
    rows: list[MemoRow]
    title_hidden: bool = False


def memo_parts(revision: Revision, comments=()) -> list[MemoPart]:
    """The iteration as it reads: press release, sections, external FAQ, internal FAQ.

    ``comments`` (already visible to the viewer, in document order) go to the
    row of their section; none is dropped or counted here.
    """
    by_key = defaultdict(list)
    for comment in comments:
        by_key[comment.section_key].append(comment)

    def row(entry):
        heading = entry.heading or ("Untitled question" if entry.is_faq else "")
        return MemoRow(revision, entry.key, heading, entry.is_faq, comments=by_key[entry.key])

    outline = revision.outline()
    sections = [entry for entry in outline if not entry.is_faq]
    press = [row(entry) for entry in sections if entry.is_press_release]
    other = [row(entry) for entry in sections if not entry.is_press_release]
    parts = []
    if press:
        parts.append(MemoPart("press-release", "Press release", press))
    if other:
        parts.append(MemoPart("sections", "Sections", other, title_hidden=not press))
    for audience, label in FaqAudience.choices:
        entries = [row(entry) for entry in outline if entry.is_faq and entry.audience == audience]
        if entries:
            parts.append(MemoPart(f"faq-{audience}", label, entries))
    return parts


def _section_choices(parts: list[MemoPart]) -> list[tuple[str, str]]:
    return [(row.key, row.heading) for part in parts for row in part.rows]


@dataclass
class Viewer:
    """What the signed-in user may do with the comments on the page (computed once)."""

    user: User
    mode: str  # "reading", "discussion", "record" or "async"
    is_editor: bool = False
    is_facilitator: bool = False
    may_discuss: bool = False
    # Where static/js/mentions.js asks for @mention suggestions (the initiative's members).
    mentions_url: str = ""


def decorate(comments: list[Comment], viewer: Viewer, items: list[ActionItem]) -> list[Comment]:
    """Per-card rights and action items, without a query per comment."""
    by_comment = defaultdict(list)
    for item in items:
        by_comment[item.comment_id].append(item)
    for comment in comments:
        comment.is_mine = comment.author_id == viewer.user.pk
        comment.can_moderate = comment.is_mine or viewer.is_editor or viewer.is_facilitator
        comment.items = by_comment[comment.pk]
    return comments


def mentions_url(initiative_id: int) -> str:
    return reverse("mention_suggest", args=[initiative_id])


def comment_form(parts, data=None, *, initiative_id: int) -> CommentForm:
    form = CommentForm(data, sections=_section_choices(parts))
    form.fields["body"].widget.attrs["data-mentions-url"] = mentions_url(initiative_id)
    return form


# --- Pictures ------------------------------------------------------------------------------------


def comment_map(parts: list[MemoPart]) -> list[dict]:
    """Where the comments fell: per section, a tick at each comment's place in its text.

    Geometry for an SVG (x in percent of the section's text); no style attributes.
    """
    rows = []
    for part in parts:
        for row in part.rows:
            length = max(utf16_length(section_plain_text(row.html)), 1)
            counts = defaultdict(int)
            for comment in row.comments:
                counts[comment.get_kind_display().lower()] += 1
            rows.append(
                {
                    "row": row,
                    "ticks": [
                        {"x": round(min(c.start / length, 0.99) * 100, 1), "kind": c.kind}
                        for c in row.comments
                    ],
                    "counts": ", ".join(f"{n} {kind}" for kind, n in counts.items()),
                }
            )
    return rows
