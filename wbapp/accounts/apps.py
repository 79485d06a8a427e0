from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wbapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        from . import navigation  # noqa: F401 - connects its receivers
