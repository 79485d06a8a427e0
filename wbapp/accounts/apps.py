from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wbapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        # Imported once the app registry is ready (it imports models): it connects
        # its signal receivers.
        from . import navigation, signin  # noqa: F401
