"""What the session and comment views share: templates, permissions, the memo with its margin."""

from collections import defaultdict
from dataclasses import dataclass, field, replace

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from documents.models import FaqAudience, Revision
from wbapp.accounts.models import User
from wbapp.accounts.rules import is_editor, is_reviewer
from wbapp.http import url_for_id

from ..anchoring import section_plain_text, utf16_length
from ..forms import CommentForm
from ..models import ActionItem, Comment, SessionPhase
from ..rendered import MEMO

SESSION = "reviews/session.html"
ACTION_FORM = "reviews/includes/action_item_form.html"

# Above this many comments on a page, the margins load as they come near the screen.
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
    return url_for_id("session_detail", session.pk)


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


def memo_parts(revision: Revision, comments=(), *, rows: list[str] | None = None) -> list[MemoPart]:
    """The iteration as it reads: press release, sections, external FAQ, internal FAQ.

    ``comments`` (already visible to the viewer, in document order) go to the
    row of their section; none is dropped or counted here. ``rows``: only these
    sections (a fragment of some margins).
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
    if rows is not None:
        parts = [
            replace(part, rows=[row for row in part.rows if row.key in rows]) for part in parts
        ]
    return parts


def rows_filter(rows: list[str] | None) -> Q:
    """Comments of these sections only (all when ``rows`` is None)."""
    return Q() if rows is None else Q(section_key__in=rows)


def too_many_for_the_page(counts: dict[str, int]) -> bool:
    """Past LAZY_MARGINS_ABOVE comments, margins load as they come near the screen."""
    return sum(counts.values()) > LAZY_MARGINS_ABOVE


def section_counts(visible) -> dict[str, int]:
    """How many of these comments each section has (one query)."""
    return dict(visible.order_by().values_list("section_key").annotate(Count("pk")))


def margin_comments(
    visible, user, *, rows=None, lazy=False, counts: dict | None = None
) -> tuple[list[Comment], dict]:
    """The comments a page's margins show, with their replies and +1s (``for_display``).

    ``rows``: those sections' only (a fragment of margins). ``lazy``: past
    LAZY_MARGINS_ABOVE comments, none, and instead the count per section
    (``counts``, or one query): each margin then shows its count and loads its
    threads when it comes near the screen, so a page of 500 threads costs what a
    page of 50 does.
    """
    if rows is None and lazy:
        counts = section_counts(visible) if counts is None else counts
        if too_many_for_the_page(counts):
            return [], counts
    return list(visible.filter(rows_filter(rows)).for_display(user)), {}


def render_margins(request: HttpRequest, context: dict) -> HttpResponse:
    """The margins a fragment asked for, of ``context["parts"]``.

    One margin's threads go into the margin that asked as it came near the screen
    (``swap=inner``); several come out of band, fetched again after others replied
    or resolved.
    """
    rows_shown = [row for part in context["parts"] for row in part.rows]
    if request.GET.get("swap") == "inner" and len(rows_shown) == 1:
        return render(request, f"{MEMO}#margin_inner", context | {"row": rows_shown[0]})
    return render(request, f"{MEMO}#margins_oob", context)


def _section_choices(parts: list[MemoPart]) -> list[tuple[str, str]]:
    return [(row.key, row.heading) for part in parts for row in part.rows]


@dataclass
class Viewer:
    """What the signed-in user may do with the comments on the page (see ``viewer_for``)."""

    user: User
    mode: str  # "reading", "discussion", "record" or "async"
    is_editor: bool = False
    is_facilitator: bool = False
    may_discuss: bool = False
    # Where static/js/mentions.js asks for @mention suggestions (the initiative's members).
    mentions_url: str = ""


# How a session's comments are shown in each phase; outside sessions they are "async".
_MODES = {
    SessionPhase.SCHEDULED: "reading",
    SessionPhase.READING: "reading",
    SessionPhase.DISCUSSION: "discussion",
}


def viewer_for(user, *, initiative, session=None) -> Viewer:
    """What ``user`` may do with the comments of ``initiative`` (in ``session``, if given).

    The one place that decides it, for every page and fragment that shows comment
    cards: during the reading each reader has their own comments; in the discussion
    and outside sessions, team reviewers and up (and the session's commenters)
    discuss; a closed session is a read-only record.
    """
    team = initiative.team
    mode = "async" if session is None else _MODES.get(session.phase, "record")
    in_session = session is not None and user.has_perm(COMMENT_IN_SESSION, session)
    return Viewer(
        user=user,
        mode=mode,
        is_editor=is_editor(user, team),
        is_facilitator=session is not None and session.facilitator_id == user.pk,
        may_discuss=mode in ("async", "discussion") and (is_reviewer(user, team) or in_session),
        mentions_url=mentions_url(initiative.pk),
    )


def decorate(comments: list[Comment], viewer: Viewer, items: list[ActionItem]) -> list[Comment]:
    """Per-card rights and action items, without a query per comment."""
    by_comment = defaultdict(list)
    for item in items:
        by_comment[item.comment_id].append(item)
    me = viewer.user.pk  # once: request.user is a lazy proxy, each attribute a detour
    for comment in comments:
        comment.is_mine = comment.author_id == me
        comment.can_moderate = comment.is_mine or viewer.is_editor or viewer.is_facilitator
        comment.items = by_comment[comment.pk]
    return comments


def mentions_url(initiative_id: int) -> str:
    return url_for_id("mention_suggest", initiative_id)


def comment_form(parts, data=None, *, initiative_id: int) -> CommentForm:
    form = CommentForm(data, sections=_section_choices(parts))
    # Where static/js/mentions.js asks for @mention suggestions (comment_box.html).
    form.mentions_url = mentions_url(initiative_id)
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
