"""Turn away text no page can mean: NUL bytes, invalid UTF-8 and over-long addresses,
before any view runs.

PostgreSQL refuses NUL in text (a DataError: a 500 wherever a view passes a query
parameter through), and Django quietly replaces invalid UTF-8 with U+FFFD, so a
view would act on text nobody sent. Checking once here, on the bytes as they
arrived, keeps every view and form free of it: the address, every query
parameter and every field of a urlencoded form (name and value). A multipart
form is parsed by Django first, which has already replaced invalid bytes; its
fields are checked for NUL and for that replacement character.

An address longer than MAX_ADDRESS is refused too: gunicorn refuses a request
line past 4094 bytes in production anyway, and a longer one cannot be carried
on, e.g. as the ``next`` of the sign-in redirect (Django refuses a Location
past 16,384 characters, and logs it as an attack).
"""

from urllib.parse import unquote_to_bytes

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html

NUL = "The request contains a NUL character, which no field accepts. Remove it and try again."
NOT_UTF8 = "The request contains text that is not valid UTF-8. Check what was typed or pasted."
MAX_ADDRESS = 4096
TOO_LONG = f"This address is too long (over {MAX_ADDRESS:,} characters). Shorten it and try again."


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if len(request.get_full_path()) > MAX_ADDRESS:
            return refuse(request, TOO_LONG, status=414)
        problem = input_problem(request)
        if problem:
            return refuse(request, problem)
        return self.get_response(request)


def input_problem(request: HttpRequest) -> str | None:
    """What is wrong with the request's text (NUL, NOT_UTF8), or None."""
    if "\x00" in request.path_info:
        return NUL
    problem = _urlencoded_problem(_wsgi_bytes(request.META.get("QUERY_STRING", "")))
    if problem or request.method in ("GET", "HEAD", "OPTIONS"):
        return problem
    if request.content_type == "application/x-www-form-urlencoded":
        return _urlencoded_problem(request.body)
    if request.content_type == "multipart/form-data":
        for name, values in request.POST.lists():
            for text in (name, *values):
                if "\x00" in text:
                    return NUL
                if "\ufffd" in text:
                    return NOT_UTF8
    return None


def _wsgi_bytes(text: str) -> bytes:
    # A WSGI server hands the query string over as bytes decoded as Latin-1 (PEP 3333).
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return text.encode("utf-8", errors="surrogateescape")


def _urlencoded_problem(raw: bytes) -> str | None:
    # Split as Django's QueryDict does (on "&", "+" for a space), but keep the bytes:
    # urllib's parse_qsl would already have replaced what is not UTF-8.
    for field in raw.split(b"&"):
        for part in field.replace(b"+", b" ").split(b"=", 1):
            text = unquote_to_bytes(part)
            if b"\x00" in text:
                return NUL
            try:
                text.decode("utf-8")
            except UnicodeDecodeError:
                return NOT_UTF8
    return None


def refuse(request: HttpRequest, message: str, *, status: int = 400) -> HttpResponse:
    """A refusal that says what is wrong: the site's page, or for htmx a line in its messages."""
    if request.headers.get("HX-Request") == "true":
        response = HttpResponse(
            format_html('<p class="message message--error" role="alert">{}</p>', message),
            status=status,
        )
        # Into the page's message region, whatever the request meant to swap.
        response["HX-Retarget"] = "#messages"
        response["HX-Reswap"] = "beforeend"
        return response
    return render(request, "400.html", {"message": message}, status=status)
