"""Factories for review sessions and comments, on top of the documents factories.

``RevisionFactory`` makes an iteration with known text (see SECTIONS and FAQ) so
that tests can anchor comments to real words. The ``*_session(cast, …)`` helpers
go through the services, so a session in the reading or discussion phase is
exactly what a user would have.
"""

from datetime import timedelta

import factory
from django.utils import timezone

from documents.models import Revision
from documents.rendering import render_markdown, word_count
from reviews.anchoring import anchor_targets, document_order_key
from reviews.models import (
    ActionItem,
    Comment,
    CommentKind,
    Participant,
    ParticipantRole,
    Reply,
    ReviewSession,
)
from reviews.services.action_items import action_item_create
from reviews.services.comments import comment_create
from reviews.services.phases import session_start_discussion, session_start_reading
from reviews.services.scheduling import session_schedule
from tests.documents.factories import DocumentFactory, InitiativeFactory
from tests.factories import MembershipFactory, UserFactory
from wbapp.accounts.models import Role

SECTIONS = [
    {
        "key": "headline",
        "heading": "Headline",
        "body": "Returns in **one tap** for every customer",
        "part": "press_release",
    },
    {
        "key": "summary",
        "heading": "Summary",
        "body": "Customers return items from home. Returns are free.\n\n"
        "A courier collects the parcel & returns are free of charge.",
        "part": "press_release",
    },
    {
        "key": "s-risks",
        "heading": "Risks",
        "body": "Fraud may rise. Costs may rise. 🚀 Launch anyway.",
        "part": "",
    },
]
FAQ = [
    {
        "key": "q-ext1",
        "audience": "external",
        "question": "How much does a return cost?",
        "answer": "Nothing; returns are *free*.",
    },
    {
        "key": "q-int1",
        "audience": "internal",
        "question": "What does a return cost us?",
        "answer": "About 3 € per return, see the model.",
    },
]


def content(sections=None, faq=None) -> dict:
    return {"sections": list(sections or SECTIONS), "faq": list(FAQ if faq is None else faq)}


def rendered(snapshot: dict) -> dict:
    html = {s["key"]: render_markdown(s["body"]) for s in snapshot["sections"]}
    html.update({e["key"]: render_markdown(e["answer"]) for e in snapshot["faq"]})
    return html


class RevisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Revision

    document = factory.SubFactory(DocumentFactory)
    number = factory.LazyAttribute(lambda o: o.document.revisions.count() + 1)
    author = factory.SelfAttribute("document.initiative.owner")
    content = factory.LazyFunction(content)
    rendered = factory.LazyAttribute(lambda o: rendered(o.content))
    word_count = factory.LazyAttribute(
        lambda o: (
            sum(word_count(s["body"]) for s in o.content["sections"])
            + sum(word_count(e["question"]) + word_count(e["answer"]) for e in o.content["faq"])
        )
    )


def revision_for(cast, **kwargs) -> Revision:
    """An iteration of a document in an initiative of the cast's team (owned by the editor)."""
    initiative = InitiativeFactory(team=cast.team, owner=cast.editor)
    document = DocumentFactory(initiative=initiative)
    return RevisionFactory(document=document, **kwargs)


class SessionFactory(factory.django.DjangoModelFactory):
    """A scheduled session row (no activity). Use the helpers below for real flows."""

    class Meta:
        model = ReviewSession

    revision = factory.SubFactory(RevisionFactory)
    document = factory.SelfAttribute("revision.document")
    initiative = factory.SelfAttribute("revision.document.initiative")
    title = factory.Sequence(lambda n: f"Review {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    reading_minutes = 20
    facilitator = factory.SelfAttribute("initiative.owner")
    created_by = factory.SelfAttribute("facilitator")


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Participant

    session = factory.SubFactory(SessionFactory)
    user = factory.SubFactory(UserFactory)
    role = ParticipantRole.REVIEWER


def _order(revision: Revision, section_key: str, start: int) -> int:
    index = next(t.index for t in anchor_targets(revision) if t.key == section_key)
    return document_order_key(index, start)


class CommentFactory(factory.django.DjangoModelFactory):
    """A comment row anchored to a whole section (set quote/start/end for a passage).

    Bypasses the services: nothing checks permissions or records activity.
    """

    class Meta:
        model = Comment

    revision = factory.SubFactory(RevisionFactory)
    initiative = factory.SelfAttribute("revision.document.initiative")
    author = factory.SubFactory(UserFactory)
    kind = CommentKind.QUESTION
    body = factory.Sequence(lambda n: f"Comment number {n}")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))
    section_key = "summary"
    start = 0
    end = 0
    document_order = factory.LazyAttribute(lambda o: _order(o.revision, o.section_key, o.start))


class ReplyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reply

    comment = factory.SubFactory(CommentFactory)
    author = factory.SubFactory(UserFactory)
    body = factory.Sequence(lambda n: f"Reply number {n}")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class ActionItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActionItem

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.SelfAttribute("initiative.owner")
    created_by = factory.SelfAttribute("owner")


# --- Real flows, through the services ------------------------------------------------------


def team_reviewer(cast, **kwargs):
    """Another reviewer in the cast's team."""
    return MembershipFactory(team=cast.team, role=Role.REVIEWER, **kwargs).user


def scheduled_session(cast, *, participants=None, revision=None, **kwargs) -> ReviewSession:
    """Scheduled by the editor, who facilitates; the cast's reviewer is invited by default."""
    if participants is None:
        participants = [(cast.reviewer, ParticipantRole.REVIEWER)]
    options = {
        "title": "Review of iteration 1",
        "starts_at": timezone.now() + timedelta(hours=1),
        "reading_minutes": 20,
        "facilitator": cast.editor,
        **kwargs,
    }
    return session_schedule(
        user=cast.editor,
        revision=revision or revision_for(cast),
        participants=participants,
        **options,
    )


def reading_session(cast, **kwargs) -> ReviewSession:
    session = scheduled_session(cast, **kwargs)
    return session_start_reading(user=session.facilitator, session=session)


def discussion_session(cast, **kwargs) -> ReviewSession:
    session = reading_session(cast, **kwargs)
    return session_start_discussion(user=session.facilitator, session=session)


def comment(user, session_or_revision, **kwargs) -> Comment:
    """A comment through comment_create, on a session's iteration or on a revision."""
    if isinstance(session_or_revision, ReviewSession):
        kwargs.setdefault("session", session_or_revision)
        revision = session_or_revision.revision
    else:
        revision = session_or_revision
    options = {"kind": CommentKind.QUESTION, "body": "Why?", "section_key": "summary"}
    return comment_create(user=user, revision=revision, **{**options, **kwargs})


def action_item(user, thread: Comment, **kwargs) -> ActionItem:
    """An action item on a thread through action_item_create; its author owns it unless given."""
    options = {"title": "Do it", "owner": thread.author}
    return action_item_create(
        user=user, initiative=thread.initiative, comment=thread, **{**options, **kwargs}
    )


def mention(user, name: str | None = None) -> str:
    """An @mention of ``user`` as a stored body holds it (a name chosen from the picker)."""
    return f"@[{name or user.name}](user:{user.pk})"
