"""Per-user lookups: the only way views fetch initiatives and their parts from a URL.

Outsiders get 404 (never a 403 that would confirm the object exists); members
without the permission get 403. Each lookup is one query: the user's role in the
team comes back with the row and primes the role cache that the permission
predicates read (``wbapp.accounts.rules.team_role``).
"""

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404

from wbapp.accounts.models import Membership
from wbapp.accounts.rules import remember_team_role

from .models import AppendixImage, Document, DraftSection, FaqEntry, Initiative, Revision

VIEW = "documents.view_initiative"
EDIT = "documents.edit_initiative"


def _role_of(user, team_path: str):
    return Subquery(
        Membership.objects.filter(team=OuterRef(team_path), user=user).values("role")[:1]
    )


def _check(user, initiative: Initiative, role: str | None, *, write: bool) -> None:
    if role is None:
        raise Http404("No such initiative.")
    remember_team_role(user, initiative.team_id, role)
    if not user.has_perm(EDIT if write else VIEW, initiative):
        raise PermissionDenied


def get_initiative_for_user(user, initiative_id: int, *, write: bool = False) -> Initiative:
    if not user.is_authenticated:
        raise Http404("No such initiative.")
    initiative = (
        Initiative.objects.select_related("team", "owner")
        .annotate(_viewer_role=_role_of(user, "team"))
        .filter(pk=initiative_id)
        .first()
    )
    _check(user, initiative, getattr(initiative, "_viewer_role", None), write=write)
    return initiative


def get_document_for_user(
    user, initiative_id: int, document_id: int, *, write: bool = False
) -> Document:
    if not user.is_authenticated:
        raise Http404("No such document.")
    document = (
        Document.objects.select_related("initiative__team", "initiative__owner")
        .annotate(_viewer_role=_role_of(user, "initiative__team"))
        .filter(pk=document_id, initiative_id=initiative_id)
        .first()
    )
    if document is None:
        raise Http404("No such document.")
    _check(user, document.initiative, document._viewer_role, write=write)
    return document


def get_revision_for_user(
    user, initiative_id: int, document_id: int, number: int, *, write: bool = False
) -> Revision:
    """An iteration by its number. ``write`` asks for the right to restore it."""
    if not user.is_authenticated:
        raise Http404("No such iteration.")
    revision = (
        Revision.objects.select_related("document__initiative__team", "author")
        .annotate(_viewer_role=_role_of(user, "document__initiative__team"))
        .filter(document_id=document_id, document__initiative_id=initiative_id, number=number)
        .first()
    )
    if revision is None:
        raise Http404("No such iteration.")
    _check(user, revision.document.initiative, revision._viewer_role, write=write)
    return revision


def get_image_for_user(user, initiative_id: int, image_id: int) -> AppendixImage:
    if not user.is_authenticated:
        raise Http404("No such image.")
    image = (
        AppendixImage.objects.select_related("initiative__team")
        .annotate(_viewer_role=_role_of(user, "initiative__team"))
        .filter(pk=image_id, initiative_id=initiative_id)
        .first()
    )
    if image is None:
        raise Http404("No such image.")
    _check(user, image.initiative, image._viewer_role, write=False)
    return image


def get_section(document: Document, key: str) -> DraftSection:
    """A section of a document the caller already looked up with the user's rights."""
    section = document.sections.filter(key=key).first()
    if section is None:
        raise Http404("No such section.")
    return section


def get_faq_entry(document: Document, key: str) -> FaqEntry:
    entry = document.faq_entries.filter(key=key).first()
    if entry is None:
        raise Http404("No such FAQ entry.")
    return entry
