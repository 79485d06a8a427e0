from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review sessions"

    def ready(self):
        from . import receivers  # noqa: F401  (connects the signal receivers)
