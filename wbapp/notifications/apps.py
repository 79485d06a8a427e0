from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """The notification pipeline: no models of its own (they are ``wbapp.activity``'s)."""

    name = "wbapp.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        # Imported once the app registry is ready (it imports models): it connects
        # its signal receivers.
        from . import inbox  # noqa: F401
