from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review sessions"

    def ready(self):
        # Imported once the app registry is ready (receivers import models): it
        # connects the signal receivers.
        from . import receivers  # noqa: F401

        # The same (lookups imports models): documents' iteration lookup then tells
        # whether the Andon cord is pulled, from its own query (reviews/lookups.py).
        # The team board's cards show a pulled cord from the board's query.
        from .lookups import add_andon_card, add_andon_flag

        add_andon_flag()
        add_andon_card()
