"""What every app's views share: the request as htmx sees it, service errors on forms, where
a form goes back to, and the address of a row's page without a reverse() each."""

import functools

from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.http import url_has_allowed_host_and_scheme
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


def same_site_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site ("/…"), else None.

    Only a path: not another host ("//evil.example", "/\\evil.example"), not a
    scheme, not a bare word, which ``redirect()`` would try as a view's name, and
    nothing a Location header cannot carry (control characters, spaces).
    """
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in target):
        return None
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return None
    return target


def next_path(request: HttpRequest, default: str) -> str:
    """Where a form goes back to: its ``next`` (the form's, else the query string's)
    when that is a path on this site, else ``default``.

    The one reading of ``next``: every redirect a request names goes through it.
    """
    target = request.POST.get("next") or request.GET.get("next")
    return same_site_path(target) or default


def post_only(back: str = "home"):
    """``require_POST`` with a page: any other method gets a 405 in the site's layout.

    A POST-only address opened in the browser (a bookmark, a pasted link, a reload
    of a refused form) then says what happened and leads back to ``back``, a route
    given the view's own arguments when it takes them (``session_detail`` for
    ``/s/<session_id>/close/``), instead of the browser's blank error.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method == "POST":
                return view(request, *args, **kwargs)
            try:
                url = reverse(back, kwargs=kwargs)
            except NoReverseMatch:
                url = reverse(back)
            response = render(request, "405.html", {"back_url": url}, status=405)
            response["Allow"] = "POST"
            return response

        return wrapped

    return decorator


# Ids no route's fixed text contains: where reverse() puts them, a row's ids go.
_STAND_INS = tuple(918273645546372810 + n for n in range(1, 5))


@functools.cache
def _pieces(name: str, count: int, script_prefix: str, urlconf) -> tuple[str, ...]:
    # The text around each id. ``script_prefix`` and ``urlconf`` are the ones
    # reverse() uses now: keys, so that another mount point or URL conf is a new
    # entry rather than a stale address.
    rest, pieces = reverse(name, args=_STAND_INS[:count], urlconf=urlconf), []
    for stand_in in _STAND_INS[:count]:
        head, rest = rest.split(str(stand_in), 1)
        pieces.append(head)
    return (*pieces, rest)


def url_for_ids(name: str, *ids: int) -> str:
    """``reverse(name, args=ids)`` for a route whose arguments are all integer ids.

    The text around the ids is found once per route (and mount point): a page of
    many rows writes their addresses without a reverse() each (35 µs apiece here).
    The one way the apps do this; tests/test_url_for_id.py pins it to reverse().
    """
    pieces = _pieces(name, len(ids), get_script_prefix(), get_urlconf())
    written = (f"{piece}{int(pk)}" for piece, pk in zip(pieces[:-1], ids, strict=True))
    return "".join(written) + pieces[-1]


def url_for_id(name: str, pk: int) -> str:
    """``url_for_ids`` for the common route of one id."""
    head, tail = _pieces(name, 1, get_script_prefix(), get_urlconf())
    return f"{head}{int(pk)}{tail}"


def urls_for_id(routes: dict[str, str], pk: int) -> dict[str, str]:
    """``url_for_id`` for several routes of one row: {key: its address} per key: route."""
    return {key: url_for_id(name, pk) for key, name in routes.items()}
