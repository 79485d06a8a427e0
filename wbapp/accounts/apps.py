from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "wbapp.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"
