from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "reviews"
    verbose_name = "Review sessions"

    def ready(self):
        # Imported once the app registry is ready (receivers and the flag import models):
        # receivers connects the signal receivers. The iteration lookup
        # (documents/lookups.py) tells whether the cord is pulled, from its own query: the
        # Andon banner then looks for the pull only when it is (templatetags/andon.py).
        from django.db.models import Exists, OuterRef

        from documents.lookups import INITIATIVE_FLAGS

        from . import receivers  # noqa: F401
        from .models import AndonPull

        def pulled(path: str) -> Exists:
            active = AndonPull.objects.filter(initiative=OuterRef(path), reset_at__isnull=True)
            return Exists(active)

        INITIATIVE_FLAGS["andon_pulled"] = (
            pulled,
            # The table's name comes from the model; the query has no values of its own.
            f'SELECT EXISTS (SELECT 1 FROM "{AndonPull._meta.db_table}" p '  # noqa: S608
            'WHERE p."initiative_id" = i."id" AND p."reset_at" IS NULL)',
        )
