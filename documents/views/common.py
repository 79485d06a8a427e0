"""What the documents views share: response negotiation, draft URLs, the document context."""

from django.http import HttpRequest
from django.urls import reverse

from ..lookups import EDIT
from ..models import Document


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def draft_url(document: Document, *, edit: str = "", anchor: str = "") -> str:
    url = reverse("draft", args=[document.initiative_id, document.pk])
    if edit:
        url += f"?edit={edit}"
    return url + (f"#{anchor}" if anchor else "")


def document_context(request: HttpRequest, document: Document) -> dict:
    return {
        "document": document,
        "initiative": document.initiative,
        "team": document.initiative.team,
        "can_edit": request.user.has_perm(EDIT, document.initiative),
    }
