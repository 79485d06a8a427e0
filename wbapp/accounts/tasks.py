from celery import shared_task
from django.utils import timezone

from . import emails, services
from .models import Invitation


@shared_task(
    name="wbapp.accounts.tasks.send_invitation",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_invitation(invitation_id: int) -> bool:
    """Send an invitation's e-mail once; True if it was sent now."""
    invitation = (
        Invitation.objects.select_related("team", "invited_by").filter(pk=invitation_id).first()
    )
    if (
        invitation is None
        or invitation.sent_at is not None
        or not invitation.is_pending
        or services.invitation_is_expired(invitation)
    ):
        return False
    emails.send_invitation_email(invitation, token=services.invitation_token(invitation))
    # Stamped after sending: a crash in between sends the e-mail twice rather than never.
    invitation.sent_at = timezone.now()
    invitation.save(update_fields=["sent_at"])
    return True


@shared_task(name="wbapp.accounts.tasks.expire_invitations")
def expire_invitations() -> int:
    return services.invitations_expire()
