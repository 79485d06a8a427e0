"""What the bench requests: the showcase's and the twin's ids and addresses, and their clocks."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from documents.models import DocumentKind, Initiative, Revision
from reviews.models import Comment, Reply, ReviewSession, SessionPhase
from wbapp.accounts.models import Team, User
from wbapp.activity.models import Activity, Notification

from .plans import (
    BENCH_PASSWORD,
    FACILITATOR_EMAIL,
    LIVE_READING_STARTED,
    NARRATIVE_TITLE,
    READER_EMAIL,
    SCALES,
    SCRATCH_TITLE,
    SHOWCASE_TEAM,
    SHOWCASE_TITLE,
    TWIN_TEAM,
    TWIN_TITLE,
)


class SeedError(Exception):
    """The database is not one the seeder may write, or not in the state it needs."""


def _showcase_manifest(team_slug: str, title: str) -> dict:
    initiative = Initiative.objects.get(team__slug=team_slug, title=title)
    documents = {d.display_title: d for d in initiative.documents.all()}
    prfaq = next(d for d in documents.values() if d.kind == DocumentKind.PRFAQ)
    narrative, scratch = documents[NARRATIVE_TITLE], documents[SCRATCH_TITLE]
    latest = prfaq.revisions.order_by("-number").values_list("number", flat=True).first()
    newest = narrative.revisions.order_by("-number").values_list("number", flat=True).first()
    sessions = {s.phase: s for s in initiative.sessions.order_by("-starts_at")}
    discussion = sessions[SessionPhase.DISCUSSION]
    reading = sessions[SessionPhase.READING]
    scratch_sections = list(scratch.sections.order_by("position").values_list("key", "body"))
    participants = list(reading.participants.order_by("pk").values_list("user_id", flat=True))
    doc = [initiative.pk]
    return {
        "team": team_slug,
        "initiative": initiative.pk,
        "prfaq": prfaq.pk,
        "narrative": narrative.pk,
        "scratch": scratch.pk,
        "prfaq_iterations": latest,
        "narrative_iterations": newest,
        "discussion_session": discussion.pk,
        "reading_session": reading.pk,
        "discussion_comments": discussion.comments.count(),
        "reading_comments": reading.comments.count(),
        "participants": participants,
        "scratch_sections": [{"key": k, "body": b} for k, b in scratch_sections],
        "urls": {
            # The reader's own pages: the same for the showcase and its twin.
            "home": reverse("home"),
            "notifications": reverse("notifications"),
            "board": reverse("team_board", args=[team_slug]),
            "initiative": reverse("initiative_detail", args=doc),
            "draft": reverse("draft", args=[*doc, prfaq.pk]),
            "iteration": reverse("iteration_detail", args=[*doc, prfaq.pk, latest]),
            "compare": reverse("compare", args=[*doc, narrative.pk, max(newest - 1, 1), newest]),
            "reading": reverse("session_detail", args=[reading.pk]),
            "discussion": reverse("session_detail", args=[discussion.pk]),
            "live": reverse("session_live", args=[reading.pk]) + "?phase=reading",
            "save": [
                reverse("section_save", args=[*doc, scratch.pk, key]) for key, _ in scratch_sections
            ],
        },
    }


def build_manifest(scale: str) -> dict:
    reader = User.objects.get(email=READER_EMAIL)
    facilitator = User.objects.get(email=FACILITATOR_EMAIL)
    return {
        "scale": scale,
        "password": BENCH_PASSWORD,
        "reader": {"id": reader.pk, "email": reader.email},
        "facilitator": {"id": facilitator.pk, "email": facilitator.email},
        "counts": {
            "users": User.objects.count(),
            "teams": Team.objects.count(),
            "initiatives": Initiative.objects.count(),
            "iterations": Revision.objects.count(),
            "sessions": ReviewSession.objects.count(),
            "comments": Comment.objects.count(),
            "replies": Reply.objects.count(),
            "activities": Activity.objects.count(),
            "reader_notifications": Notification.objects.filter(user=reader).count(),
        },
        "showcase": _showcase_manifest(SHOWCASE_TEAM, SHOWCASE_TITLE),
        "twin": _showcase_manifest(TWIN_TEAM, TWIN_TITLE),
    }


def seeded_scale() -> str | None:
    """The scale this database was seeded at, or None if the bench seeder never ran here."""
    team = Team.objects.filter(slug=SHOWCASE_TEAM).first()
    if team is None:
        return None
    light = Initiative.objects.count() - 2
    return next((name for name, s in SCALES.items() if s.initiatives == light), "unknown")


def seeded_before_inboxes() -> bool:
    """Seeded by an older seeder, which gave the reader no notifications: seed it again."""
    return not Notification.objects.filter(user__email=READER_EMAIL).exists()


def restart_readings(now=None) -> list[int]:
    """Put the two running readings' clocks at "started five minutes ago".

    The bench polls and reads them; a reading the bench (or a sweep) already
    ended cannot be restarted and needs --reset.
    """
    now = now or timezone.now()
    sessions = list(
        ReviewSession.objects.filter(
            initiative__team__slug__in=[SHOWCASE_TEAM, TWIN_TEAM],
            initiative__title__in=[SHOWCASE_TITLE, TWIN_TITLE],
            document__title=NARRATIVE_TITLE,
        ).exclude(phase=SessionPhase.SCHEDULED)
    )
    if len(sessions) != 2 or any(s.phase != SessionPhase.READING for s in sessions):
        raise SeedError("The bench's readings have ended; seed again with --reset.")
    started = now - LIVE_READING_STARTED
    for session in sessions:
        ReviewSession.objects.filter(pk=session.pk).update(
            reading_started_at=started,
            reading_ends_at=started + timedelta(minutes=session.reading_minutes),
            starts_at=started - timedelta(minutes=2),
        )
    return [s.pk for s in sessions]
