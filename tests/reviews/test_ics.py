from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reviews.ics import escape_text, fold, ics_filename, session_ics
from reviews.services.scheduling import session_cancel, session_reschedule
from tests.reviews.factories import scheduled_session, team_reviewer

pytestmark = pytest.mark.django_db

NOW = datetime(2030, 3, 1, 8, 0, tzinfo=UTC)


def unfold(text: str) -> list[str]:
    """The logical content lines (RFC 5545 §3.1)."""
    assert text.endswith("\r\n")
    return text[:-2].replace("\r\n ", "").split("\r\n")


def properties(text: str) -> dict[str, str]:
    result = {}
    for line in unfold(text):
        name, _, value = line.partition(":")
        result.setdefault(name, value)
    return result


def unescape(value: str) -> str:
    out, chars = [], iter(value)
    for char in chars:
        if char == "\\":
            nxt = next(chars)
            out.append("\n" if nxt in "nN" else nxt)
        else:
            out.append(char)
    return "".join(out)


def test_the_calendar_file_is_a_crlf_vevent_with_utc_times(cast):
    starts_at = datetime(2030, 3, 2, 15, 30, tzinfo=ZoneInfo("Europe/Berlin"))
    session = scheduled_session(cast, starts_at=starts_at, reading_minutes=25)

    text = session_ics(session, url="https://workback.example/s/1/", now=NOW)

    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[:4] == [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Workback//Review sessions//EN",
        "CALSCALE:GREGORIAN",
    ]
    assert lines[-2:] == ["END:VEVENT", "END:VCALENDAR"]
    props = properties(text)
    assert props["DTSTAMP"] == "20300301T080000Z"
    assert props["DTSTART"] == "20300302T143000Z"
    # The reading, then half an hour of discussion.
    assert props["DTEND"] == "20300302T152500Z"
    assert props["UID"] == f"session-{session.pk}@127.0.0.1"
    assert props["STATUS"] == "CONFIRMED"
    assert props["URL"] == "https://workback.example/s/1/"


def test_text_values_are_escaped(cast):
    session = scheduled_session(cast, title="Review; returns, v2 \\ final\nreally")

    summary = properties(session_ics(session, now=NOW))["SUMMARY"]

    assert summary == "Review\\; returns\\, v2 \\\\ final\\nreally"
    assert unescape(summary) == "Review; returns, v2 \\ final\nreally"


def test_long_lines_are_folded_at_75_octets_without_splitting_characters(cast):
    session = scheduled_session(cast, title="Überprüfung 🚀 " * 12)

    text = session_ics(session, now=NOW)

    for physical in text.split("\r\n"):
        assert len(physical.encode()) <= 75
        physical.encode().decode()  # every physical line is valid UTF-8 on its own
    assert unescape(properties(text)["SUMMARY"]) == session.title


def test_fold_leaves_short_lines_alone_and_continues_with_a_space():
    assert fold("SUMMARY:short") == "SUMMARY:short"
    folded = fold("X:" + "a" * 200)
    parts = folded.split("\r\n")
    assert [len(p) for p in parts] == [75, 75, 54]  # 202 = 75 + 74 + 53, plus the spaces
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == "X:" + "a" * 200


def test_escape_text_handles_every_special_character():
    assert escape_text("a\\b;c,d\r\ne\rf\ng") == "a\\\\b\\;c\\,d\\ne\\nf\\ng"


def test_the_description_names_the_iteration_the_facilitator_and_the_invitees(cast):
    bar_raiser = team_reviewer(cast, user__display_name="Bea")
    session = scheduled_session(
        cast, participants=[(cast.reviewer, "reviewer"), (bar_raiser, "bar_raiser")]
    )

    description = unescape(
        properties(session_ics(session, url="https://x.example/s/9/", now=NOW))["DESCRIPTION"]
    )

    assert f"iteration {session.revision.number} of" in description
    assert "Silent reading: 20 minutes" in description
    assert "Facilitator: Editor" in description
    assert "Invited: Reviewer (reviewer), Bea (bar raiser)" in description
    assert description.endswith("https://x.example/s/9/")


def test_the_uid_stays_and_the_sequence_grows_when_rescheduled(cast):
    session = scheduled_session(cast)
    before = properties(session_ics(session, now=NOW))

    session_reschedule(
        user=cast.editor, session=session, starts_at=session.starts_at + timedelta(days=1)
    )
    after = properties(session_ics(session, now=NOW))

    assert after["UID"] == before["UID"]
    assert int(after["SEQUENCE"]) > int(before["SEQUENCE"])
    assert after["DTSTART"] != before["DTSTART"]


def test_a_cancelled_session_says_so(cast):
    session = scheduled_session(cast)
    session_cancel(user=cast.editor, session=session)

    assert properties(session_ics(session, now=NOW))["STATUS"] == "CANCELLED"


def test_a_url_cannot_inject_lines(cast):
    session = scheduled_session(cast)

    text = session_ics(session, url="https://x.example/\r\nATTENDEE:evil", now=NOW)

    assert not any(line.startswith("ATTENDEE") for line in unfold(text))


def test_the_file_name(cast):
    session = scheduled_session(cast)

    assert ics_filename(session) == f"workback-session-{session.pk}.ics"
