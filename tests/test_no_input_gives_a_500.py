"""No input gives a 500: every URL pattern, every role, plain and htmx, hostile values.

The sweep walks the URL resolver (so a new route is swept without being listed
here), fills each route's arguments with the ids of a small world (a team with
the cast, documents, iterations, a session in each phase, threads, an action
item, notifications, an invitation…) and with hostile ids, and sends GET and
POST as each role (the cast, and no one signed in), plain and with htmx. Every
query parameter and form field any view or form reads gets a hostile value:
a NUL, 10,000 characters, invalid UTF-8, a negative or huge integer, a bare
word (as ``next`` too); htmx requests carry malformed ``HX-*`` headers, and the
anonymous visitor forged cookies.

Nothing may answer 5xx, show a traceback, or log an error. Requests are sampled
(each pattern gets every kind of hostile value and every role, not the whole
cross product) to keep the sweep under a minute.
"""

import inspect
import logging
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, unquote

import pytest
from django import forms as django_forms
from django.conf import settings
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from documents import forms as documents_forms
from documents.models import DocumentKind
from documents.services.drafting import faq_entry_add, section_add
from documents.services.images import image_upload
from documents.services.initiatives import document_create
from reviews import forms as reviews_forms
from reviews.models import ParticipantRole
from reviews.services.comments import reply_create
from reviews.services.decisions import session_close
from tests.documents.factories import InitiativeFactory, iteration_save_changed, prfaq_for
from tests.documents.test_services_images import image_file
from tests.notifications.inbox_factories import notification_for
from tests.reviews.factories import (
    action_item,
    comment,
    discussion_session,
    reading_session,
    scheduled_session,
)
from wbapp.accounts import forms as accounts_forms
from wbapp.accounts.models import Membership, Role
from wbapp.accounts.services import invitation_create, invitation_token
from wbapp.notifications import forms as notifications_forms
from wbapp.notifications.unsubscribe import unsubscribe_token

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "outsider", "viewer", "reviewer", "editor", "owner")

# --- Hostile values ---------------------------------------------------------------------

LONG = "x" * 10_000
# Each kind is (query/form value, raw bytes for a urlencoded body or None to encode it).
HOSTILE = {
    "nul": ("a\x00b", None),
    "long": (LONG, None),
    "not utf-8": (None, b"%FF%FE%C3%28"),
    "negative": ("-1", None),
    "huge": ("99999999999999999999999999", None),
    "bigint + 1": ("9223372036854775808", None),
    "bare word": ("nosuchview", None),
}
KINDS = list(HOSTILE)

MALFORMED_HTMX = {
    "HTTP_HX_REQUEST": "true",
    "HTTP_HX_CURRENT_URL": "http://[::1/" + LONG[:100],
    "HTTP_HX_CURRENT_URL_URI_AUTOENCODED": "true",
    "HTTP_HX_TARGET": "#" + LONG,
    "HTTP_HX_TRIGGER": "\x00",
    "HTTP_HX_TRIGGER_NAME": "%FF",
    "HTTP_HX_PROMPT": LONG,
    "HTTP_HX_BOOSTED": "maybe",
    "HTTP_HX_HISTORY_RESTORE_REQUEST": "yes please",
}

# Hostile path arguments per converter; the resolver refuses some (404), the rest reach views.
HOSTILE_IDS = {
    "int": ["0", "99999999999999999999", "9223372036854775808"],
    "slug": ["x" * 300, "nosuch"],
    "str": [LONG, "%00", "%FF%FE"],
    "path": ["0", "%00", LONG],
}


# What the views read from the query string, with a value that steers them somewhere real:
# a hostile value next to valid ones reaches further than a request that is hostile all over.
STEERING = {
    "fragment": "margins",
    "rows": "summary",
    "q": "a",
    "before": "1",
    "action": "follow",
    "direction": "up",
    "done": "1",
    "phase": "reading",
    "mode": "inline",
    "swap": "inner",
    "edit": "1",
    "page": "2",
    "margins": "all",
    "iteration": "1",
    "up_to": "1",
    "follow": "1",
    "next": "/notifications/",
}
# Which of them choose a branch rather than carry data, kept valid when the data is hostile.
BRANCHES = {"fragment", "action", "direction", "done", "phase", "mode", "swap", "edit", "margins"}


def plausible_fields() -> tuple[dict[str, str], set[str]]:
    """Every query parameter a view reads and every field a form has, with a valid value;
    and the names that choose a branch (choices, check boxes) rather than carry text."""
    fields, branches = dict(STEERING), set(BRANCHES)
    read = re.compile(r"""(?:GET|POST)(?:\.get\(|\.getlist\(|\[)\s*["'](\w+)["']""")
    for app in ("documents", "reviews", "wbapp"):
        for source in Path(settings.BASE_DIR, app).rglob("*.py"):
            for name in read.findall(source.read_text()):
                fields.setdefault(name, "1")
    for module in (documents_forms, reviews_forms, accounts_forms, notifications_forms):
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, django_forms.BaseForm) and hasattr(form, "base_fields"):
                for name, field in form.base_fields.items():
                    fields.setdefault(name, _valid(field))
                    if isinstance(field, (django_forms.ChoiceField, django_forms.BooleanField)):
                        branches.add(name)
    return fields, branches


def _valid(field) -> str:
    if isinstance(field, django_forms.BooleanField):
        return "on"
    if isinstance(field, django_forms.ChoiceField) and not isinstance(
        field, django_forms.ModelChoiceField
    ):
        values = [str(value) for value, _ in field.choices if value not in ("", None)]
        return values[0] if values else "1"
    if isinstance(field, django_forms.IntegerField):
        return str(max(field.min_value or 1, 1))
    if isinstance(field, (django_forms.DateTimeField, django_forms.DateField)):
        return (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    if isinstance(field, django_forms.EmailField):
        return "someone@example.com"
    return "ok"


# --- The world --------------------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, list[str]]
    clients: dict[str, Client]
    cast: object


@pytest.fixture
def world(cast, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = tmp_path
    prfaq = prfaq_for(cast)
    initiative = prfaq.initiative
    iteration_save_changed(user=cast.editor, document=prfaq)
    faq = faq_entry_add(user=cast.editor, document=prfaq, audience="external", question="Q?")
    narrative = document_create(
        user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE
    )
    section = section_add(user=cast.editor, document=narrative, heading="Risks")
    iteration_save_changed(user=cast.editor, document=narrative)
    iteration_save_changed(user=cast.editor, document=narrative)

    invited = [(cast.reviewer, ParticipantRole.REVIEWER), (cast.viewer, ParticipantRole.OBSERVER)]
    scheduled = scheduled_session(cast, participants=invited)
    reading = reading_session(cast, participants=invited)
    discussion = discussion_session(cast, participants=invited)
    closed = discussion_session(cast, participants=invited)
    thread = comment(cast.reviewer, discussion)
    reply_create(user=cast.editor, comment=thread, body="Because.")
    private = comment(cast.reviewer, reading)
    item = action_item(cast.editor, thread, owner=cast.reviewer)
    session_close(user=cast.editor, session=closed, outcome="iterate")
    image = image_upload(user=cast.editor, initiative=initiative, file=image_file())

    invitation = invitation_create(
        team=cast.team, by=cast.owner, email="invitee@example.com", role=Role.REVIEWER
    )
    notifications = [
        str(notification_for(cast.member(role), initiative=initiative).pk)
        for role in ("owner", "editor", "reviewer", "viewer")
    ]
    # The outsider's own team has an initiative too: their ids are real, just not here.
    elsewhere = InitiativeFactory(team=cast.outsider.memberships.get().team)

    ids = {
        "slug": [cast.team.slug],
        "status": ["drafting", "in_review", "approved", "shelved"],
        "initiative_id": [str(initiative.pk), str(discussion.initiative_id), str(elsewhere.pk)],
        "document_id": [str(prfaq.pk), str(narrative.pk)],
        "number": ["1", "2"],
        "a": ["1"],
        "b": ["2"],
        "session_id": [str(s.pk) for s in (scheduled, reading, discussion, closed)],
        "comment_id": [str(thread.pk), str(private.pk)],
        "item_id": [str(item.pk)],
        "notification_id": notifications,
        "user_id": [str(cast.reviewer.pk), str(cast.outsider.pk)],
        "image_id": [str(image.pk)],
        "token": [invitation_token(invitation), unsubscribe_token(cast.viewer)],
        "key": [section.key, faq.key, "headline"],
        "pk": [
            str(Membership.objects.get(team=cast.team, user=cast.viewer).pk),
            str(invitation.pk),
        ],
        "app_label": ["documents"],
        "object_id": [str(initiative.pk)],
        "content_type_id": ["1"],
    }
    clients = {"anonymous": Client(raise_request_exception=False)}
    # No one signed in, with forged cookies: they must count for nothing.
    clients["anonymous"].cookies["sessionid"] = "forged\x00session\x00key"
    clients["anonymous"].cookies["csrftoken"] = "\x00" + LONG[:100]
    for role in ROLES[1:]:
        clients[role] = Client(raise_request_exception=False)
        clients[role].force_login(cast.member(role))
    return World(ids=ids, clients=clients, cast=cast)


# --- The routes -------------------------------------------------------------------------

ROUTE_ARG = re.compile(r"<(?:(\w+):)?(\w+)>")
REGEX_ARG = re.compile(r"\(\?P<(\w+)>([^()]*)\)")


@dataclass
class Route:
    pattern: str
    name: str | None
    args: list[tuple[str, str]]  # (converter, name)

    def path(self, values: dict[str, str]) -> str:
        if "(?P<" in self.pattern or "^" in self.pattern:
            path = REGEX_ARG.sub(lambda m: values[m.group(1)], self.pattern)
            path = path.replace("^", "").replace("$", "").replace("\\", "")
        else:
            path = ROUTE_ARG.sub(lambda m: values[m.group(2)], self.pattern)
        return "/" + path


def routes() -> list[Route]:
    found = []

    def walk(patterns, prefix, namespace):
        for entry in patterns:
            text = str(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, prefix + text, inner)
            elif isinstance(entry, URLPattern):
                pattern = prefix + text
                args = [(conv or "str", name) for conv, name in ROUTE_ARG.findall(text)]
                args += [("regex:" + regex, name) for name, regex in REGEX_ARG.findall(text)]
                name = f"{namespace}{entry.name}" if entry.name else None
                found.append(Route(pattern=pattern, name=name, args=args))

    walk(get_resolver().url_patterns, "", "")
    return found


def real_values(route: Route, world: World, turn: int) -> dict[str, str]:
    values = {}
    for converter, name in route.args:
        if converter.startswith("regex:"):
            regex = converter[len("regex:") :]
            choices = world.ids.get(name) or [regex.split("|")[0] if "|" in regex else "x1"]
            if "|" in regex and not re.fullmatch(regex, choices[0]):
                choices = [regex.split("|")[0]]
        else:
            choices = world.ids.get(name) or ["1"]
        if name == "key":
            choices = choices[1:2] if "/faq/" in route.pattern else choices[::2]
        values[name] = choices[turn % len(choices)]
    return values


def hostile_values(route: Route, world: World, turn: int) -> dict[str, str]:
    values = real_values(route, world, turn)
    for converter, name in route.args:
        choices = HOSTILE_IDS.get(converter, HOSTILE_IDS["str"])
        values[name] = choices[turn % len(choices)]
    return values


# --- Sending ----------------------------------------------------------------------------


def hostile_fields(fields: dict[str, str], kind: str, hostile) -> dict[str, str]:
    """The hostile value in ``next`` and each field ``hostile(index, name)`` picks; the
    others keep their valid one. Values are quoted for a query string."""
    value, raw = HOSTILE[kind]
    text = raw.decode() if raw is not None else quote(value, safe="")
    return {
        name: text if name == "next" or hostile(index, name) else quote(valid, safe="")
        for index, (name, valid) in enumerate(sorted(fields.items()))
    }


def send(client: Client, method: str, path: str, fields: dict[str, str], kind: str, htmx: bool):
    extra = dict(MALFORMED_HTMX) if htmx else {}
    if kind == "bare word":
        extra["HTTP_HX_CURRENT_URL"] = "nosuchview"
    query = "&".join(f"{name}={value}" for name, value in fields.items())
    if method == "get":
        return client.get(f"{path}?{query}", **extra)
    if kind in ("nul", "long", "bare word"):
        # The browser's other encoding: a multipart form.
        data = {name: unquote(value) for name, value in fields.items()}
        return client.post(f"{path}?next=nosuchview", data, **extra)
    return client.post(
        path, query.encode(), content_type="application/x-www-form-urlencoded", **extra
    )


# Writes that end something are swept last, so the world stays whole for the others.
ENDINGS = re.compile(r"(remove|leave|delete|cancel|close|revoke|decline|logout|reset)")


def test_no_input_anywhere_gives_a_500(world, caplog):
    fields, branches = plausible_fields()
    found = routes()
    assert len(found) > 100, "the sweep should see every route"
    problems = []
    caplog.set_level(logging.WARNING)
    sent = 0

    def third(turn):
        return lambda index, name: index % 3 == turn % 3

    def data_only(index, name):
        return name not in branches

    # (method, route, role, path values, kind of hostile value, htmx, which fields get it)
    plans = []
    ordered = sorted(found, key=lambda r: bool(ENDINGS.search(r.pattern)))
    for method in ("get", "post"):
        for index, route in enumerate(ordered):
            admin = route.pattern.startswith("admin/")
            for turn, role in enumerate(ROLES):
                if admin and (index + turn) % 2 != (method == "post"):
                    # No one here is staff: each admin route sends everyone to its sign-in,
                    # so one method per role covers it.
                    continue
                kind = KINDS[(index + turn) % len(KINDS)]
                htmx = (index + turn) % 2 == 1
                values = real_values(route, world, turn)
                plans.append((method, route, role, values, kind, htmx, third(index + turn)))
            if admin:
                continue
            # Every kind of hostile data, with valid choices, as a member who may write.
            for turn, kind in enumerate(KINDS):
                role = "editor" if turn % 2 else "owner"
                values = real_values(route, world, index + turn)
                plans.append((method, route, role, values, kind, turn % 2 == 0, data_only))
            if route.args:
                for turn, role in enumerate(("owner", "outsider")):
                    kind = KINDS[(index + turn + 3) % len(KINDS)]
                    values = hostile_values(route, world, index + turn)
                    plans.append((method, route, role, values, kind, turn == 1, third(turn)))

    seen_routes = set()
    for method, route, role, values, kind, htmx, hostile in plans:
        path = route.path(values)
        if route.args and values == real_values(route, world, 0):
            _check_resolves(route, path)
        data = hostile_fields(fields, kind, hostile)
        response = send(world.clients[role], method, path, data, kind, htmx)
        sent += 1
        seen_routes.add(route.pattern)
        if route.name == "account_logout" and role != "anonymous":
            # Signed out by the sweep itself: the role's later requests stay the role's.
            world.clients[role].force_login(world.cast.member(role))
        body = b"" if response.streaming else response.content
        if response.status_code >= 500 or b"Traceback" in body:
            problems.append(
                f"{method.upper()} {path[:120]} as {role}, {kind}, htmx={htmx}: "
                f"{response.status_code}"
            )

    logged = [
        f"{record.name}: {record.getMessage()[:200]} ({_logged_path(record)})"
        for record in caplog.records
        # A 403 or 404 is logged with its exception (a warning); an error or a 5xx is not fine.
        if record.levelno >= logging.ERROR or getattr(record, "status_code", 0) >= 500
    ]
    assert seen_routes == {route.pattern for route in found}
    assert not problems, f"{len(problems)} of {sent} requests failed:\n" + "\n".join(problems)
    assert not logged, "\n".join(logged)


def _logged_path(record) -> str:
    request = getattr(record, "request", None)
    return f"{request.method} {request.path[:120]}" if request is not None else "no request"


def _check_resolves(route: Route, path: str) -> None:
    # The world's ids fill the route the way the app would: it resolves to itself.
    if route.name:
        match = resolve(path)
        assert match.view_name == route.name, (path, match.view_name, route.name)
