"""A review session as an iCalendar file (RFC 5545), written by hand.

The file is a plain calendar object, not an iTIP message: there is no METHOD,
ORGANIZER or ATTENDEE, so every calendar imports it as an event of the user's
own instead of a meeting request it would try to answer. The facilitator and
the invitees are listed in the description.

RFC 5545 details that matter here: lines end with CRLF; lines longer than 75
octets are folded (CRLF and one space), never inside a UTF-8 character; TEXT
values escape backslash, semicolon, comma and newlines; times are UTC
("…Z"); UID is stable for the session and SEQUENCE grows when it is
rescheduled, so a re-downloaded file updates the event instead of adding one.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from .models import SessionPhase

PRODID = "-//Workback//Review sessions//EN"
MAX_LINE_OCTETS = 75


def escape_text(value: str) -> str:
    """A TEXT property value (RFC 5545 §3.3.11)."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """Fold a content line to at most 75 octets per physical line (§3.1)."""
    if len(line.encode()) <= MAX_LINE_OCTETS:
        return line
    parts, current, limit = [], b"", MAX_LINE_OCTETS
    for char in line:
        encoded = char.encode()
        if len(current) + len(encoded) > limit:
            parts.append(current.decode())
            # A continuation line starts with the space that folding adds.
            current, limit = b"", MAX_LINE_OCTETS - 1
        current += encoded
    parts.append(current.decode())
    return "\r\n ".join(parts)


def format_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def uid_host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "workback.invalid"


def ics_filename(session) -> str:
    return f"workback-session-{session.pk}.ics"


def _description(session, participants, url: str) -> str:
    revision = session.revision
    lines = [
        f"Review of iteration {revision.number} of {session.document.display_title} "
        f"({session.initiative.title}).",
        f"Silent reading: {session.reading_minutes} minutes, then the discussion.",
        f"Facilitator: {session.facilitator.name}",
    ]
    if participants:
        invitees = ", ".join(
            f"{p.user.name} ({p.get_role_display().lower()})" for p in participants
        )
        lines.append(f"Invited: {invitees}")
    if url:
        lines += ["", url]
    return "\n".join(lines)


def session_ics(session, *, url: str = "", now: datetime | None = None) -> str:
    """The session as an iCalendar document (a str with CRLF line endings).

    ``url``: the absolute address of the session page, added as URL and to the
    description.
    """
    participants = list(session.participants.select_related("user").order_by("pk"))
    # A URI value is not escaped; it must simply not break the line.
    url = "".join(char for char in url if char.isprintable())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "BEGIN:VEVENT",
        f"UID:session-{session.pk}@{uid_host()}",
        f"DTSTAMP:{format_utc(now or timezone.now())}",
        f"DTSTART:{format_utc(session.starts_at)}",
        f"DTEND:{format_utc(session.planned_ends_at)}",
        f"SEQUENCE:{max(session.state_version - 1, 0)}",
        f"SUMMARY:{escape_text(session.title)}",
        f"DESCRIPTION:{escape_text(_description(session, participants, url))}",
        "STATUS:CANCELLED" if session.phase == SessionPhase.CANCELLED else "STATUS:CONFIRMED",
    ]
    if url:
        lines.append(f"URL:{url}")
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(fold(line) + "\r\n" for line in lines)
