"""@mentions in comments and replies: the syntax, finding the members, rendering.

Two ways to name someone:

- ``@[Maya Lee](user:42)`` — the stored token of a name chosen from the picker's
  suggestions. Unambiguous: the id decides, the name is only what readers see. The
  writer never sees it: the picker (static/js/mentions.js) writes "@Maya Lee" in the
  box and keeps the chosen (name, id) pairs in the form's hidden ``mentions`` field;
  ``with_tokens`` turns each chosen "@Maya Lee" back into its token before the text is
  stored.
- ``@maya@example.com`` or ``@maya`` — typed by hand: a member's full e-mail address,
  or the part of it before the "@" when exactly one member's address starts with it.

Readers never see a token either: plain text (the inbox, e-mails, exports) says
"@Maya Lee" (``plain_text``); HTML links it to the member (``person_path``, which
leads to their row on the team's page): the comment itself (``render_body``) and
the excerpts the inbox and the e-mails quote (``linked_text``).

Only members of the initiative's team can be mentioned. Anyone else is reported back
to the writer ("X is not in this team; nobody was notified") and nothing is recorded.
Mentioning oneself does nothing. Recording the Mention rows and the "mentioned"
activity is the services' job (``reviews.services``); this module only reads.
"""

import json
import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from documents.rendering import render_markdown
from wbapp.accounts.models import Membership, User
from wbapp.http import url_for_ids

TOKEN = re.compile(r"@\[(?P<name>[^\[\]\n]{1,100})\]\(user:(?P<id>\d{1,12})\)")
# An @ that does not follow a word character (so "maya@example.com" inside a sentence
# is an address, not a mention), then an e-mail address or its local part.
PLAIN = re.compile(
    r"(?<![\w@.+-])@(?P<handle>[A-Za-z0-9._%+-]+(?:@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})?)"
)
# Private-use characters stand in for picker tokens while the Markdown renders, then
# become the mention markup; any the writer typed are dropped first.
_OPEN, _CLOSE = "\ue000", "\ue001"
_PLACEHOLDER = re.compile(f"{_OPEN}(\\d+){_CLOSE}")
MAX_SUGGESTIONS = 8
# Names the picker may hand over with one text (the hidden ``mentions`` field).
MAX_CHOSEN = 100


@dataclass
class MentionResult:
    """What a text's @mentions came to: who will be told, and what could not be."""

    members: list[User] = field(default_factory=list)
    not_in_team: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    # Picker tokens whose id is a member: these render as mentions.
    token_names: dict[int, str] = field(default_factory=dict)

    @property
    def member_ids(self) -> list[int]:
        return [member.pk for member in self.members]

    def problems(self) -> list[str]:
        """Sentences for the writer about the mentions that notified nobody."""
        sentences = [
            f"{name} is not in this team; nobody was notified." for name in self.not_in_team
        ]
        sentences += [
            f"{handle} matches more than one member; nobody was notified. "
            "Pick the person from the suggestions instead."
            for handle in self.ambiguous
        ]
        return sentences


def _handles(text: str) -> tuple[list[tuple[int, str]], list[str]]:
    """Picker tokens as (id, name) and hand-typed handles, each once, in order."""
    tokens, seen = [], set()
    for match in TOKEN.finditer(text):
        user_id = int(match["id"])
        if user_id not in seen:
            seen.add(user_id)
            tokens.append((user_id, match["name"].strip()))
    rest = TOKEN.sub(" ", text)
    handles = []
    for match in PLAIN.finditer(rest):
        handle = match["handle"].rstrip(".-_%+").lower()
        if handle and handle not in handles:
            handles.append(handle)
    return tokens, handles


def find_mentions(text: str, *, team, author) -> MentionResult:
    """Resolve the @mentions in ``text`` against ``team``'s members (one query at most)."""
    tokens, handles = _handles(text or "")
    result = MentionResult()
    if not tokens and not handles:
        return result
    condition = Q(user_id__in=[user_id for user_id, _ in tokens])
    for handle in handles:
        if "@" in handle:
            condition |= Q(user__email__iexact=handle)
        else:
            condition |= Q(user__email__istartswith=f"{handle}@")
    members = [
        m.user
        for m in Membership.objects.filter(team=team).filter(condition).select_related("user")
    ]
    by_id = {member.pk: member for member in members}
    found: dict[int, User] = {}
    for user_id, name in tokens:
        if user_id in by_id:
            found.setdefault(user_id, by_id[user_id])
            result.token_names[user_id] = name
        else:
            result.not_in_team.append(f"@{name}")
    for handle in handles:
        if "@" in handle:
            matches = [m for m in members if m.email.lower() == handle]
        else:
            matches = [m for m in members if m.email.lower().startswith(f"{handle}@")]
        if len(matches) == 1:
            found.setdefault(matches[0].pk, matches[0])
        elif matches:
            result.ambiguous.append(f"@{handle}")
        else:
            result.not_in_team.append(f"@{handle}")
    result.members = [member for pk, member in found.items() if pk != author.pk]
    return result


def person_path(initiative_id: int, user_id: int) -> str:
    """Where a mention's link leads: the member's row on the initiative team's page."""
    return url_for_ids("mention_person", initiative_id, user_id)


def render_body(
    body: str, result: MentionResult | None = None, *, initiative_id: int | None = None
) -> str:
    """The comment's sanitized HTML, with picker tokens of members shown as mentions.

    With the comment's ``initiative_id`` each mention links to the member
    (``person_path``). Tokens naming someone outside the team read as plain "@Name".
    """
    known = result.token_names if result is not None else {}
    text = (body or "").replace(_OPEN, "").replace(_CLOSE, "")

    def token(match: re.Match) -> str:
        user_id = int(match["id"])
        if user_id in known:
            return f"{_OPEN}{user_id}{_CLOSE}"
        return f"@{match['name']}"

    html = render_markdown(TOKEN.sub(token, text))

    def mention(match: re.Match) -> str:
        user_id = int(match[1])
        name = escape(known[user_id])
        if initiative_id is not None:
            href = person_path(initiative_id, user_id)
            return f'<a class="mention" href="{href}">@{name}</a>'
        return f'<span class="mention">@{name}</span>'

    return _PLACEHOLDER.sub(mention, html)


def plain_text(body: str) -> str:
    """A comment's or reply's text as people read it: each token as "@Name".

    What every plain-text way out shows (inbox and e-mail excerpts, the Markdown
    export); the name is the one the writer chose, as the comment's HTML shows it.
    """
    return TOKEN.sub(lambda match: f"@{match['name'].strip()}", body or "")


def people(body: str) -> tuple[tuple[str, int], ...]:
    """The (name, user id) of each token in ``body``, each once, in order."""
    return tuple(dict.fromkeys((m["name"].strip(), int(m["id"])) for m in TOKEN.finditer(body)))


def _names_pattern(names) -> re.Pattern:
    """ "@Name" for any of ``names``, where a hand-typed handle could stand, as a whole word."""
    names = sorted(set(names), key=len, reverse=True)
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(rf"(?<![\w@.+-])@({alternatives})(?!\w)")


def linked_text(text: str, named: tuple[tuple[str, str], ...]) -> SafeString:
    """Plain ``text`` as HTML, each "@Name" of ``named`` (name, address) pairs a link.

    For excerpts already made plain (``plain_text``), which the inbox and the HTML
    e-mails quote: the names are found again in the text, everything else is escaped.
    """
    html = escape(text)
    if not named:
        return html
    address = {escape(name): escape(url) for name, url in named}

    def link(match: re.Match) -> str:
        return f'<a class="mention" href="{address[match[1]]}">@{match[1]}</a>'

    return mark_safe(_names_pattern(address).sub(link, html))  # noqa: S308 - all escaped


def parse_chosen(value: str) -> list[tuple[str, int]]:
    """The picker's hidden ``mentions`` field: ``[{"name": "Maya Lee", "id": 42}, …]``.

    Empty without the script. Raises ValidationError for anything else.
    """
    value = (value or "").strip()
    if not value:
        return []
    invalid = ValidationError(
        "The names chosen from the suggestions could not be read: choose them again.",
        code="mentions",
    )
    try:
        items = json.loads(value)
    except ValueError:
        raise invalid from None
    if not isinstance(items, list) or len(items) > MAX_CHOSEN:
        raise invalid
    chosen = []
    for item in items:
        if not isinstance(item, dict):
            raise invalid
        name, user_id = item.get("name"), item.get("id")
        if isinstance(user_id, str) and user_id.isdigit():
            user_id = int(user_id)
        if not isinstance(name, str) or type(user_id) is not int or not 0 < user_id < 10**12:
            raise invalid
        # What a token's name may hold (TOKEN): no brackets, no line breaks.
        name = re.sub(r"[\[\]\n\r]", "", name).strip()[:100]
        if name and (name, user_id) not in chosen:
            chosen.append((name, user_id))
    return chosen


def with_tokens(body: str, chosen: list[tuple[str, int]]) -> str:
    """``body`` with each "@Name" chosen from the picker turned back into its token.

    ``chosen``: (name, user id) pairs from ``parse_chosen``. "@Name" counts where a
    hand-typed handle would (not inside a word or an address) and not as the start of
    a longer word ("@Sam" in "@Samantha"). Two people chosen under the same name take
    its places in the order they were chosen; the last takes any more. Names the text
    no longer holds are ignored, and whatever else was typed stays as it is.
    """
    if not body or not chosen:
        return body
    ids_of: dict[str, list[int]] = {}
    for name, user_id in chosen:
        ids_of.setdefault(name, []).append(user_id)
    pattern = _names_pattern(ids_of)
    taken: dict[str, int] = {}

    def token(match: re.Match) -> str:
        name = match[1]
        ids = ids_of[name]
        index = min(taken.get(name, 0), len(ids) - 1)
        taken[name] = index + 1
        return f"@[{name}](user:{ids[index]})"

    return pattern.sub(token, body)


def suggest_members(team, query: str) -> list[User]:
    """Team members whose name or e-mail address starts a word with ``query`` (for the picker)."""
    query = (query or "").strip().lstrip("@")[:50]
    members = User.objects.filter(memberships__team=team)
    if query:
        members = members.filter(
            Q(display_name__istartswith=query)
            | Q(display_name__icontains=f" {query}")
            | Q(email__istartswith=query)
        )
    return list(members.order_by("display_name", "email", "pk")[:MAX_SUGGESTIONS])


def mention_feedback(
    request: HttpRequest, obj, response: HttpResponse | None = None
) -> HttpResponse | None:
    """Tell the writer about mentions that notified nobody.

    ``obj`` is a Comment or Reply returned by a service (``obj.mention_result``).
    Without ``response`` (the POST → redirect path) the sentences become warning
    messages for the next page; with an htmx ``response`` they are appended to it as
    an out-of-band swap into the page's #messages region.
    """
    result = getattr(obj, "mention_result", None)
    problems = result.problems() if result is not None else []
    if not problems:
        return response
    if response is None:
        for sentence in problems:
            messages.warning(request, sentence)
        return None
    html = render_to_string("reviews/includes/mention_feedback.html", {"problems": problems})
    response.content = response.content + html.encode()
    return response
