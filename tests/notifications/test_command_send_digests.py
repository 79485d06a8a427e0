"""`manage.py send_digests`: the due digests, in-process, without Redis or a worker."""

from io import StringIO

from django.core import mail
from django.core.management import call_command

from tests.notifications.notify_helpers import async_comment, iteration
from wbapp.activity.models import Activity, Frequency, NotificationPreference


def test_the_command_fans_out_and_sends_what_is_due(cast):
    revision = iteration(cast)
    # Due at any hour: the daily digest at 00:00 local time.
    NotificationPreference.objects.create(user=cast.editor, frequency=Frequency.DAILY, hour=0)
    async_comment(cast.reviewer, revision, body="Sent by the command")
    assert Activity.objects.filter(fanned_out=False).exists()

    out = StringIO()
    call_command("send_digests", stdout=out)

    [message] = mail.outbox
    assert message.to == [cast.editor.email]
    assert "Sent by the command" in message.body
    assert out.getvalue().startswith("Sent 1 digest and 0 immediate e-mails;")


def test_running_the_command_again_sends_nothing_more(cast):
    revision = iteration(cast)
    NotificationPreference.objects.create(user=cast.editor, frequency=Frequency.DAILY, hour=0)
    async_comment(cast.reviewer, revision)
    call_command("send_digests", stdout=StringIO())

    out = StringIO()
    call_command("send_digests", stdout=out)

    assert len(mail.outbox) == 1
    assert out.getvalue().startswith("Sent 0 digests")
