"""What every app's views share: the request as htmx sees it, service errors on forms, and
the address of a row's page without a reverse() each."""

import functools

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest
from django.urls import get_script_prefix, reverse
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request that went through django-htmx's middleware (``request.htmx``)."""

    htmx: HtmxDetails


def add_service_errors(form: Form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: by field where the form has it."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# An id no route's fixed text contains: where reverse() puts it, a row's id goes.
_ID = 918273645546372819


@functools.cache
def _around_id(name: str, script_prefix: str) -> tuple[str, str]:
    # ``script_prefix`` is the one reverse() uses now: a key, so that a change of it
    # (another mount point) is a new entry rather than a stale address.
    head, tail = reverse(name, args=[_ID]).split(str(_ID))
    return head, tail


def url_for_id(name: str, pk: int) -> str:
    """``reverse(name, args=[pk])`` for a route whose one argument is an integer id.

    The text around the id is found once per route (and mount point): a page of
    many cards or action items writes their addresses without a reverse() each
    (35 µs apiece here). tests/test_url_for_id.py pins it to reverse().
    """
    head, tail = _around_id(name, get_script_prefix())
    return f"{head}{int(pk)}{tail}"


def urls_for_id(routes: dict[str, str], pk: int) -> dict[str, str]:
    """``url_for_id`` for several routes of one row: {key: its address} per key: route."""
    prefix = get_script_prefix()
    urls = {}
    for key, name in routes.items():
        head, tail = _around_id(name, prefix)
        urls[key] = f"{head}{int(pk)}{tail}"
    return urls
