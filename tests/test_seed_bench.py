"""The bench seeder (bench/seed/) writes the rows the services would, as the bench expects.

The suite seeds the ``tiny`` scale (hidden ``--tiny`` on the command line): the
showcase's shape (every phase of session, carried-over FAQ growth, private
readings) with a handful of everything, so it runs in seconds on PostgreSQL."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from bench.seed.command import seed
from bench.seed.manifest import SeedError
from bench.seed.seeder import UNREAD_NOTIFICATIONS
from documents import comparing
from documents.models import Document, DocumentKind, Initiative, Revision
from documents.rendering import length_report, render_markdown
from documents.templates_data import PRFAQ_SECTIONS
from reviews import mentions
from reviews.anchoring import resolve_anchor
from reviews.dashboard import my_reviews
from reviews.models import Comment, ParticipantRole, ReviewSession, SessionPhase
from tests.factories import UserFactory
from wbapp.accounts.models import User
from wbapp.activity.models import Activity, Notification, Verb

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(tmp_path, capsys):
    path = tmp_path / "manifest.json"
    seed(scale="tiny", manifest=path)
    output = capsys.readouterr().out
    return json.loads(path.read_text()), output


def fingerprint() -> list:
    """What the bench reads, independent of ids and of the time of seeding."""
    return [
        list(Initiative.objects.order_by("pk").values_list("title", "status")),
        list(Revision.objects.order_by("pk").values_list("number", "content", "word_count")),
        list(Comment.objects.order_by("pk").values_list("kind", "body", "quote", "start")),
        list(User.objects.order_by("pk").values_list("email", "display_name")),
    ]


def test_the_showcase_prfaq_has_the_template_sections_and_a_growing_faq(seeded):
    manifest, _ = seeded
    prfaq = Document.objects.get(pk=manifest["showcase"]["prfaq"])
    revisions = list(prfaq.revisions.order_by("number"))

    assert prfaq.kind == DocumentKind.PRFAQ
    assert [r.number for r in revisions] == [1, 2, 3]
    latest = revisions[-1].content
    assert [s["key"] for s in latest["sections"]] == [s.key for s in PRFAQ_SECTIONS]
    assert [len(r.content["faq"]) for r in revisions] == [2, 3, 4]
    assert {e["audience"] for e in latest["faq"]} == {"external", "internal"}
    # The draft is the newest iteration's text.
    draft = {s.key: s.body for s in prfaq.sections.all()}
    assert draft == {s["key"]: s["body"] for s in latest["sections"]}
    assert prfaq.faq_entries.count() == 4


def test_iterations_are_rendered_counted_and_sized_as_the_service_does(seeded):
    manifest, _ = seeded
    for key in ("prfaq", "narrative"):
        previous = None
        for revision in Revision.objects.filter(document_id=manifest["showcase"][key]).order_by(
            "number"
        ):
            content = revision.content
            expected = {s["key"]: render_markdown(s["body"]) for s in content["sections"]}
            expected.update({e["key"]: render_markdown(e["answer"]) for e in content["faq"]})
            assert revision.rendered == expected
            report = length_report(revision.document.kind, content["sections"], content["faq"])
            assert revision.word_count == report.total_words
            assert revision.change_size == comparing.change_size(previous, content)
            previous = content


def test_the_narrative_reads_like_prose_with_markdown(seeded):
    manifest, _ = seeded
    narrative = Revision.objects.filter(document_id=manifest["showcase"]["narrative"]).latest(
        "number"
    )
    bodies = [s["body"] for s in narrative.content["sections"]]

    assert len(bodies) == 3
    assert narrative.word_count >= 250
    assert all(body.strip() for body in bodies)
    assert any("<p>" in html for html in narrative.rendered.values())


def test_sessions_cover_every_phase_with_the_reader_taking_part(seeded):
    manifest, _ = seeded
    reader = User.objects.get(pk=manifest["reader"]["id"])
    sessions = ReviewSession.objects.filter(initiative_id=manifest["showcase"]["initiative"])
    phases = sorted(sessions.values_list("phase", flat=True))

    assert phases == ["closed", "discussion", "reading", "scheduled"]
    for session in sessions:
        roles = dict(session.participants.values_list("user_id", "role"))
        assert len(roles) == 4
        assert roles[reader.pk] == ParticipantRole.REVIEWER
        assert session.facilitator_id == manifest["facilitator"]["id"]
        assert (
            session.transitions.count()
            == {
                "scheduled": 0,
                "reading": 1,
                "discussion": 2,
                "closed": 3,
            }[session.phase]
        )
    reading = sessions.get(phase=SessionPhase.READING)
    assert reading.reading_ends_at > timezone.now()


def test_comments_are_anchored_and_rendered_as_comment_create_stores_them(seeded):
    manifest, _ = seeded
    comments = Comment.objects.filter(initiative_id=manifest["showcase"]["initiative"])

    assert comments.filter(session_id=manifest["showcase"]["discussion_session"]).count() == 8
    for comment in comments.select_related("revision"):
        anchor = resolve_anchor(
            comment.revision,
            section_key=comment.section_key,
            quote=comment.quote,
            prefix=comment.prefix,
            suffix=comment.suffix,
            start=comment.start,
            end=comment.end,
        )
        assert (anchor.quote, anchor.start, anchor.end) == (
            comment.quote,
            comment.start,
            comment.end,
        )
        assert anchor.document_order == comment.document_order
        assert comment.body_html == mentions.render_body(comment.body)


def test_reading_comments_stay_private_and_leave_no_activity(seeded):
    manifest, _ = seeded
    reading = ReviewSession.objects.get(pk=manifest["showcase"]["reading_session"])
    private = Comment.objects.filter(session=reading)
    authors = set(private.values_list("author_id", flat=True))
    reader = User.objects.get(pk=manifest["reader"]["id"])

    # Each reader (not the observer) wrote two; each sees only their own.
    assert private.count() == 2 * len(authors)
    visible = Comment.objects.visible_in_session(reading, reader)
    assert set(visible.values_list("author_id", flat=True)) == {reader.pk}
    ids = set(private.values_list("pk", flat=True))
    recorded = Activity.objects.filter(verb=Verb.COMMENT_ADDED).values_list(
        "payload__comment_id", flat=True
    )
    assert not ids & set(recorded)


def test_revealed_comments_have_their_activity_and_replies(seeded):
    manifest, _ = seeded
    discussion = manifest["showcase"]["discussion_session"]
    ids = set(Comment.objects.filter(session_id=discussion).values_list("pk", flat=True))
    recorded = set(
        Activity.objects.filter(
            verb=Verb.COMMENT_ADDED, payload__session_id=discussion
        ).values_list("payload__comment_id", flat=True)
    )

    assert recorded == ids
    assert Activity.objects.filter(fanned_out=False).count() == 0


def test_every_page_the_bench_requests_answers_the_reader(seeded, client_for):
    manifest, _ = seeded
    client = client_for(User.objects.get(pk=manifest["reader"]["id"]))
    for part in ("showcase", "twin"):
        urls = manifest[part]["urls"]
        for name in (
            "home",
            "notifications",
            "board",
            "initiative",
            "draft",
            "iteration",
            "compare",
            "reading",
        ):
            assert client.get(urls[name]).status_code == 200, name
        assert client.get(urls["discussion"]).status_code == 200
        assert client.get(urls["live"], HTTP_HX_REQUEST="true").status_code == 200
        section = manifest[part]["scratch_sections"][0]
        version = Document.objects.get(pk=manifest[part]["scratch"]).sections.get(
            key=section["key"]
        )
        response = client.post(
            urls["save"][0],
            {"body": section["body"] + " Saved.", "base_version": version.version},
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 200


def test_the_twin_has_the_showcase_shape_with_fewer_comments(seeded):
    manifest, output = seeded
    showcase, twin = manifest["showcase"], manifest["twin"]

    assert twin["discussion_comments"] == 5
    assert showcase["discussion_comments"] == 8
    assert len(twin["participants"]) == 3
    assert set(twin["urls"]) == set(showcase["urls"])
    assert f"/s/{showcase['discussion_session']}/" in output


# --reset empties the database with TRUNCATE, which needs a transaction of its own.
@pytest.mark.django_db(transaction=True)
def test_seeding_is_reproducible(seeded, capsys):
    first = fingerprint()
    seed(scale="tiny", reset=True)

    assert fingerprint() == first


def test_seeding_again_only_restarts_the_readings(seeded):
    manifest, _ = seeded
    reading = manifest["showcase"]["reading_session"]
    ReviewSession.objects.filter(pk=reading).update(
        reading_ends_at=timezone.now() - timedelta(minutes=1)
    )
    rows = Comment.objects.count(), Revision.objects.count()

    seed(scale="tiny")

    assert ReviewSession.objects.get(pk=reading).reading_ends_at > timezone.now()
    assert (Comment.objects.count(), Revision.objects.count()) == rows


def test_seeding_another_scale_needs_reset(seeded):
    with pytest.raises(SeedError, match="--reset"):
        seed(scale="small")


def test_a_database_with_other_data_is_refused():
    UserFactory()

    with pytest.raises(SeedError, match="dedicated, empty"):
        seed(scale="tiny")
    assert Initiative.objects.count() == 0


def test_the_reader_has_an_inbox_and_threads_waiting_on_them(seeded):
    manifest, _ = seeded
    reader = User.objects.get(pk=manifest["reader"]["id"])
    notifications = Notification.objects.filter(user=reader)
    waiting = my_reviews(reader)

    assert (
        notifications.count() == manifest["counts"]["reader_notifications"] > UNREAD_NOTIFICATIONS
    )
    assert notifications.filter(read_at__isnull=True).count() == UNREAD_NOTIFICATIONS
    # Nobody is notified of their own doing, nor of an initiative they do not follow.
    assert not notifications.filter(activity__actor=reader).exists()
    followed = set(Initiative.objects.filter(followers=reader).values_list("pk", flat=True))
    notified = set(notifications.values_list("activity__initiative_id", flat=True))
    assert notified == followed
    assert {manifest["showcase"]["initiative"], manifest["twin"]["initiative"]} < followed
    assert waiting.sessions and waiting.waiting
