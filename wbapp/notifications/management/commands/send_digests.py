"""Send the notification e-mails that are due, in this process (no worker needed).

What `make run` users run instead of Celery beat; safe to run any number of
times, also next to a running beat: every e-mail is claimed once.
"""

from django.core.management.base import BaseCommand

from wbapp.notifications import delivery, digests, fanout, immediate


class Command(BaseCommand):
    help = "Send the daily and weekly digests that are due now, and any e-mail left pending."

    def handle(self, *args, **options):
        fanned_out = fanout.fan_out_pending()
        batches = immediate.send_overdue_immediate()
        sent = digests.send_due_digests() + delivery.send_stale()
        self.stdout.write(
            f"Sent {sent} digest{'s' if sent != 1 else ''} and {batches} immediate"
            f" e-mail{'s' if batches != 1 else ''}; {fanned_out} new events fanned out."
        )
