"""What the documents services share: permission checks, clean text, the document lock."""

from django.core.exceptions import PermissionDenied

from ..models import Document, Initiative


def clean_text(value: str) -> str:
    """Text as stored: PostgreSQL cannot hold NUL characters, and prose never needs them."""
    return value.replace("\x00", "")


def require(user, perm: str, initiative: Initiative) -> None:
    if not user.has_perm(perm, initiative):
        raise PermissionDenied


def touch_initiative(initiative: Initiative, now) -> None:
    """Bump the initiative's last activity (one UPDATE, no read)."""
    Initiative.objects.filter(pk=initiative.pk).update(updated_at=now)
    initiative.updated_at = now


def lock_document(document: Document) -> None:
    """Serialise structural changes and iterations of one document.

    Text saves do not take this lock: they are guarded per row by version.
    """
    Document.objects.select_for_update().filter(pk=document.pk).values_list("pk").get()
