from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review sessions"

    def ready(self):
        # Imported once the app registry is ready (receivers import models): it
        # connects the signal receivers.
        from . import receivers  # noqa: F401
