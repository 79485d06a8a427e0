"""What the documents views share: request typing, response negotiation, draft URLs."""

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.urls import reverse
from django_htmx.middleware import HtmxDetails

from ..lookups import EDIT
from ..models import Document


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


def wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def add_service_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


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
