from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "wbapp.activity"
    label = "activity"
    verbose_name = "Activity and notifications"

    def ready(self):
        from . import services  # noqa: F401 - connects its receivers
