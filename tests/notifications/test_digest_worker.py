"""Digests through a real Celery worker on the real Redis: one e-mail per user and period."""

import email
import email.policy
import time

import pytest
from django.conf import settings

from reviews.services.comments import comment_create
from tests.documents.factories import DocumentFactory, InitiativeFactory
from tests.factories import MembershipFactory
from tests.reviews.factories import RevisionFactory
from wbapp.activity.models import (
    DeliveryState,
    DigestDelivery,
    Frequency,
    NotificationPreference,
)
from wbapp.notifications.fanout import fan_out_pending
from wbapp.notifications.tasks import send_digest_chunk, send_due_digests

MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def _wait_for(predicate, *, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def _mails(directory) -> list[email.message.EmailMessage]:
    if not directory.exists():
        return []
    messages = []
    for path in sorted(directory.iterdir()):
        for raw in path.read_bytes().split(MAIL_SEPARATOR):
            if raw.strip():
                messages.append(email.message_from_bytes(raw, policy=email.policy.default))
    return messages


@pytest.fixture
def commented_initiative(transactional_db):
    """An owner with a daily digest due at any hour (00:00) and a reviewer's comment."""
    owner = MembershipFactory(role="editor")
    reviewer = MembershipFactory(team=owner.team, role="reviewer").user
    initiative = InitiativeFactory(team=owner.team, owner=owner.user)
    revision = RevisionFactory(document=DocumentFactory(initiative=initiative))
    comment_create(
        user=reviewer,
        revision=revision,
        kind="question",
        body="Who pays the courier?",
        section_key="summary",
    )
    fan_out_pending()
    NotificationPreference.objects.create(user=owner.user, frequency=Frequency.DAILY, hour=0)
    return owner.user


def test_the_worker_sends_a_due_digest_once_however_often_it_runs(
    celery_worker, commented_initiative
):
    owner = commented_initiative

    # The beat task twice, and the chunk itself once more, as a redelivered message would.
    send_due_digests.apply_async(queue=celery_worker.queue)
    send_due_digests.apply_async(queue=celery_worker.queue)
    assert _wait_for(
        lambda: DigestDelivery.objects.filter(user=owner, state=DeliveryState.SENT).exists()
    ), celery_worker.output()
    delivery = DigestDelivery.objects.get(user=owner)
    send_digest_chunk.apply_async(
        args=[[[owner.pk, delivery.period]], delivery.created_at.isoformat()],
        queue=celery_worker.queue,
    )
    # Two dispatches, two chunks from them, one replayed chunk: five tasks finished.
    assert _wait_for(lambda: celery_worker.output().count("succeeded") == 5), celery_worker.output()

    [message] = _mails(celery_worker.mail_dir)
    assert message["To"] == owner.email
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "Who pays the courier?" in text
    assert f"{settings.SITE_URL}/unsubscribe/" in html
    assert DigestDelivery.objects.get(user=owner).attempts == 1
