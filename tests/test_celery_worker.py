"""Background work: a real Celery worker on Redis runs the project's tasks."""

import email
import email.policy
import os
import subprocess
import sys
import time

from django.conf import settings

from tests.factories import InvitationFactory, MembershipFactory
from wbapp.accounts.models import Invitation
from wbapp.accounts.tasks import send_invitation

# The file-based mail backend ends every message with this line.
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


def test_worker_sends_the_invitation_and_stamps_it(celery_worker):
    owner = MembershipFactory(role="owner")
    invitation = InvitationFactory(team=owner.team, invited_by=owner.user)

    send_invitation.apply_async(args=[invitation.pk], queue=celery_worker.queue)

    sent = _wait_for(
        lambda: (
            Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
            and _mails(celery_worker.mail_dir)
        )
    )
    assert sent, f"The worker did not send the invitation:\n{celery_worker.output()}"
    [message] = _mails(celery_worker.mail_dir)
    assert message["To"] == invitation.email
    assert invitation.team.name in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    # Links are absolute, on SITE_URL: the worker has no request to take the host from.
    assert settings.SITE_URL in text
    assert settings.SITE_URL in html


def test_worker_does_not_send_an_invitation_twice(celery_worker):
    invitation = InvitationFactory()

    send_invitation.apply_async(args=[invitation.pk], queue=celery_worker.queue)
    assert _wait_for(
        lambda: Invitation.objects.filter(pk=invitation.pk, sent_at__isnull=False).exists()
    ), celery_worker.output()
    first_sent_at = Invitation.objects.get(pk=invitation.pk).sent_at
    send_invitation.apply_async(args=[invitation.pk], queue=celery_worker.queue)
    # Both runs are logged as finished once the second one is done.
    assert _wait_for(lambda: celery_worker.output().count("succeeded") == 2), celery_worker.output()

    assert len(_mails(celery_worker.mail_dir)) == 1
    assert Invitation.objects.get(pk=invitation.pk).sent_at == first_sent_at


def _celery_eagerness(**env) -> str:
    """What settings and the Celery app say about eager mode, in a fresh process."""
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from wbapp.celery import app\n"
        "print(settings.CELERY_TASK_ALWAYS_EAGER, app.conf.task_always_eager)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "wbapp.settings",
            "SECRET_KEY": "eagerness-check",
            "DATABASE_URL": "sqlite:///:memory:",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_redis_tasks_run_in_process():
    assert _celery_eagerness() == "True True"


def test_with_redis_tasks_go_to_the_broker():
    assert _celery_eagerness(REDIS_URL=settings.REDIS_URL) == "False False"
