"""The Andon banner on every initiative page, and the initiative page's review panels.

``{% page_andon_pull as pull %}`` (used by reviews/includes/andon_banner.html, which
base.html includes in its banner block) finds the page's initiative in the template
context — ``initiative``, or the ``session``, ``comment``, ``document`` or
``revision`` the view looked up — and returns its active pull, or None. Never from
the URL: only an object the view fetched with the user's rights names an
initiative, so an error page or an outsider sees no banner. One query per request
and initiative (remembered on the request); none when the view already put
``andon_pull`` in the context, nor when the page's lookup found the cord in
(``initiative.andon_pulled`` False: the session lookup, and the iteration lookup
through the flag reviews/lookups.py adds to it).
"""

from dataclasses import dataclass, field

from django import template

from documents.models import Document, Initiative, InitiativeStatus, Revision
from wbapp.accounts.rules import is_editor
from wbapp.http import urls_for_id

from ..initiative_query import ITEMS_ON_PAGE, panels
from ..models import ActionItem, AndonPull, Comment, ReviewSession

register = template.Library()

VIEW = "documents.view_initiative"
PANEL_ROUTES = {
    "andon": "andon_detail",
    "pull": "andon_pull",
    "status": "initiative_status",
    "action_items": "initiative_action_items",
}
RESET = "reviews.reset_andon"


def _page_initiative(context) -> Initiative | None:
    """The first of these the page has, in this order (each already fetched by the view)."""
    initiative = context.get("initiative")
    if isinstance(initiative, Initiative) and initiative.pk:
        return initiative
    for name in ("session", "comment"):
        obj = context.get(name)
        if isinstance(obj, ReviewSession | Comment):
            return obj.initiative
    document = context.get("document")
    if isinstance(document, Document):
        return document.initiative
    revision = context.get("revision")
    if isinstance(revision, Revision):
        return revision.document.initiative
    return None


def active_pull(request, initiative) -> AndonPull | None:
    """The initiative's active pull (with its author), looked up once per request.

    None without a query where the view's lookup already found the cord in
    (``initiative.andon_pulled`` False, see reviews/lookups.py and documents/lookups.py).
    """
    if getattr(initiative, "andon_pulled", None) is False:
        return None
    cache = request.__dict__.setdefault("_andon_pulls", {}) if request is not None else {}
    if initiative.pk not in cache:
        cache[initiative.pk] = (
            AndonPull.objects.active()
            .filter(initiative_id=initiative.pk)
            .select_related("pulled_by")
            .first()
        )
    return cache[initiative.pk]


@register.simple_tag(takes_context=True)
def page_andon_pull(context):
    """The page's initiative's active pull, with ``can_reset`` and ``show_reset_form`` set."""
    request = context.get("request")
    user = getattr(request, "user", None)
    initiative = _page_initiative(context)
    if initiative is None or user is None or not user.has_perm(VIEW, initiative):
        return None
    from_view = "andon_pull" in context
    pull = context["andon_pull"] if from_view else active_pull(request, initiative)
    if pull is None:
        return None
    pull.initiative = initiative
    pull.can_reset = user.has_perm(RESET, initiative)
    # The Andon page has its own reset form; the banner's would repeat it.
    pull.show_reset_form = pull.can_reset and not from_view
    return pull


@dataclass
class InitiativeReviews:
    """What the initiative page shows from reviews: the cord, its history, action items."""

    pulls: list[AndonPull]
    active: AndonPull | None
    action_items: list[ActionItem]
    more_action_items: bool
    can_pull: bool
    can_reset: bool
    can_change_status: bool
    can_add_action_item: bool
    # Editors and owners tick anyone's items (reviews/includes/action_item.html reads it).
    is_editor: bool
    statuses: list = field(default_factory=lambda: InitiativeStatus.choices)
    # The panels' addresses, each written once (reviews/includes/initiative_reviews.html).
    urls: dict = field(default_factory=dict)


@register.simple_tag(takes_context=True)
def initiative_reviews(context, initiative) -> InitiativeReviews:
    """Two queries: the cord's history (newest first) and the open action items."""
    user = context["request"].user
    pulls, items = panels(initiative.pk)
    active = pulls[0] if pulls and pulls[0].is_active else None
    return InitiativeReviews(
        pulls=pulls,
        active=active,
        action_items=items[:ITEMS_ON_PAGE],
        more_action_items=len(items) > ITEMS_ON_PAGE,
        can_pull=active is None and user.has_perm("reviews.pull_andon", initiative),
        can_reset=active is not None and user.has_perm("reviews.reset_andon", initiative),
        can_change_status=user.has_perm("reviews.change_initiative_status", initiative),
        can_add_action_item=user.has_perm("reviews.comment_on_initiative", initiative),
        is_editor=is_editor(user, initiative.team),
        urls=urls_for_id(PANEL_ROUTES, initiative.pk),
    )
