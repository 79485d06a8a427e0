"""@mentions in comments and replies: the syntax, finding the members, rendering.

Two ways to name someone:

- ``@[Maya Lee](user:42)`` — what the picker (static/js/mentions.js) inserts when a
  suggestion is chosen. Unambiguous: the id decides, the name is only what readers see.
- ``@maya@example.com`` or ``@maya`` — typed by hand: a member's full e-mail address,
  or the part of it before the "@" when exactly one member's address starts with it.

Only members of the initiative's team can be mentioned. Anyone else is reported back
to the writer ("X is not in this team; nobody was notified") and nothing is recorded.
Mentioning oneself does nothing. Recording the Mention rows and the "mentioned"
activity is the services' job (``reviews.services``); this module only reads.
"""

import re
from dataclasses import dataclass, field

from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.html import escape

from documents.rendering import render_markdown
from wbapp.accounts.models import Membership, User

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


def render_body(body: str, result: MentionResult | None = None) -> str:
    """The comment's sanitized HTML, with picker tokens of members shown as mentions.

    Tokens naming someone outside the team read as plain "@Name" text.
    """
    known = result.token_names if result is not None else {}
    text = (body or "").replace(_OPEN, "").replace(_CLOSE, "")

    def token(match: re.Match) -> str:
        user_id = int(match["id"])
        if user_id in known:
            return f"{_OPEN}{user_id}{_CLOSE}"
        return f"@{match['name']}"

    html = render_markdown(TOKEN.sub(token, text))
    return _PLACEHOLDER.sub(
        lambda m: f'<span class="mention">@{escape(known[int(m[1])])}</span>', html
    )


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
