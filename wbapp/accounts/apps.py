from django.apps import AppConfig
from django.db import transaction
from django.db.models.signals import post_save


def _forget_time_zone(sender, instance, **kwargs):
    from .middleware import forget_time_zone

    # Now, and again after the commit: a request in between would cache the old zone.
    forget_time_zone(instance.pk)
    transaction.on_commit(lambda: forget_time_zone(instance.pk))


class AccountsConfig(AppConfig):
    name = "wbapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        post_save.connect(
            _forget_time_zone, sender=self.get_model("User"), dispatch_uid="accounts-forget-tz"
        )
