"""Per-user lookups: the only way views fetch sessions, comments and action items from a URL.

Outsiders get 404 (never a 403 that would confirm the object exists); members
without the permission get 403. A comment the user may not see yet (another
reader's comment during the reading) is a 404 like anything else that does not
exist for them.

Each lookup is one query: the user's team role (and, for sessions, their own
participant row) comes back with the object and primes the caches the
permission predicates read. The session's is session_query.py.

documents' iteration lookup tells whether the initiative's Andon cord is pulled
from its own query, through the flag ``add_andon_flag`` gives it (reviews/apps.py):
the Andon banner then looks for the pull only when it is (templatetags/andon.py).
The team board's cards show a pulled cord, with who pulled it and why, from the
board's own query too (``add_andon_card``: documents' CARD_EXTRAS). The board is
a team page: only its members see it.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Subquery
from django.http import Http404

from documents.lookups import CARD_EXTRAS, INITIATIVE_FLAGS, CardExtra
from wbapp.accounts.models import Membership, User
from wbapp.accounts.rules import remember_team_role

from .models import ActionItem, AndonPull, AndonStop, Comment, Participant, ReviewSession
from .session_query import session_with_viewer

VIEW = "reviews.view_session"


def _role_of(user, team_path: str):
    return Subquery(
        Membership.objects.filter(team=OuterRef(team_path), user=user).values("role")[:1]
    )


def get_session_for_user(user, session_id: int, *, perm: str = VIEW) -> ReviewSession:
    """A session with its initiative, team, document, iteration and facilitator.

    ``perm``: reviews.view_session (default), reviews.facilitate_session,
    reviews.comment_in_session or reviews.manage_session.
    """
    if not user.is_authenticated:
        raise Http404("No such session.")
    session = session_with_viewer(user.pk, session_id)
    if session is None or session._viewer_role is None:
        raise Http404("No such session.")
    remember_team_role(user, session.initiative.team_id, session._viewer_role)
    session.initiative.andon_pulled = session._andon_pull_id is not None
    participant = None
    if session._my_participant_id is not None:
        participant = Participant(
            pk=session._my_participant_id,
            session=session,
            user=user,
            role=session._my_role,
            invited_at=session._my_invited_at,
            joined_at=session._my_joined_at,
            done_at=session._my_done_at,
        )
        participant._state.adding = False
    session.remember_participant(user, participant)
    if not user.has_perm(perm, session):
        raise PermissionDenied
    return session


def get_comment_for_user(user, comment_id: int, *, session_id: int | None = None) -> Comment:
    """A comment the user may see, with its initiative, team, author and session.

    ``session_id`` additionally requires the comment to belong to that session.
    """
    if not user.is_authenticated:
        raise Http404("No such comment.")
    comments = Comment.objects.visible_to(user).select_related(
        "initiative__team", "author", "session"
    )
    if session_id is not None:
        comments = comments.filter(session_id=session_id)
    comment = (
        comments.annotate(_viewer_role=_role_of(user, "initiative__team"))
        .filter(pk=comment_id)
        .first()
    )
    if comment is None:
        raise Http404("No such comment.")
    remember_team_role(user, comment.initiative.team_id, comment._viewer_role)
    if comment.session is not None:
        # The session reached through a visible comment has the same team.
        comment.session.initiative = comment.initiative
    return comment


def get_action_item_for_user(user, item_id: int) -> ActionItem:
    if not user.is_authenticated:
        raise Http404("No such action item.")
    item = (
        ActionItem.objects.visible_to(user)
        .select_related("initiative__team", "owner", "session", "comment")
        .annotate(_viewer_role=_role_of(user, "initiative__team"))
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("No such action item.")
    remember_team_role(user, item.initiative.team_id, item._viewer_role)
    return item


def _pulled(path: str) -> Exists:
    """Whether the initiative at ``path`` has an active pull (the ORM's)."""
    return Exists(AndonPull.objects.filter(initiative=OuterRef(path), reset_at__isnull=True))


def add_andon_flag() -> None:
    """``initiative.andon_pulled`` from documents' iteration lookup (INITIATIVE_FLAGS)."""
    INITIATIVE_FLAGS["andon_pulled"] = (
        _pulled,
        # The table's name comes from the model; the query has no values of its own.
        f'SELECT EXISTS (SELECT 1 FROM "{AndonPull._meta.db_table}" p '  # noqa: S608
        'WHERE p."initiative_id" = i."id" AND p."reset_at" IS NULL)',
    )


# An initiative's active pull, as the card reads it (one at most: andon_one_active_pull).
ANDON_CARD_COLUMNS = ("reason", "pulled_at", "display_name", "email")


def _andon_card_orm() -> dict:
    active = AndonPull.objects.filter(initiative=OuterRef("pk"), reset_at__isnull=True)
    fields = {"display_name": "pulled_by__display_name", "email": "pulled_by__email"}
    return {
        column: Subquery(active.values(fields.get(column, column))[:1])
        for column in ANDON_CARD_COLUMNS
    }


def add_andon_card() -> None:
    """``card.extras["andon"]`` on the team board (documents' CARD_EXTRAS)."""
    CARD_EXTRAS["andon"] = CardExtra(
        columns=ANDON_CARD_COLUMNS,
        orm=_andon_card_orm,
        # Table names come from the models; the query has no values of its own.
        lateral=(
            'SELECT p."reason", p."pulled_at", u."display_name", u."email" '  # noqa: S608
            f'FROM "{AndonPull._meta.db_table}" p '
            f'JOIN "{User._meta.db_table}" u ON u."id" = p."pulled_by_id" '
            'WHERE p."initiative_id" = i."id" AND p."reset_at" IS NULL'
        ),
        make=AndonStop.of,
    )
