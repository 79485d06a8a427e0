"""A write whose row was removed meanwhile answers 404 saying so, in one place.

A view looks its rows up with the user's rights, then calls a service; between
the two, someone else may remove a row (a member, a question, a section). The
service then meets ``DoesNotExist`` (a ``refresh_from_db``, a ``.get`` under a
lock) and there is nothing left to change: a 404 that says the row went away,
instead of a 500. Only for writes: a read that meets ``DoesNotExist`` is a bug
to see, and stays a 500.
"""

import logging

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.views.defaults import page_not_found

logger = logging.getLogger(__name__)

REMOVED = (
    "What you changed was removed meanwhile, by someone else or in another tab; reload the page."
)
WRITES = ("POST", "PUT", "PATCH", "DELETE")


class RemovedMeanwhileMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if request.method not in WRITES or not isinstance(exception, ObjectDoesNotExist):
            return None
        logger.warning(
            "A write met a removed row: %s %s: %r", request.method, request.path, exception
        )
        return page_not_found(request, Http404(REMOVED))
