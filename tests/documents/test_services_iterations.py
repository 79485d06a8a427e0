import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from documents import signals
from documents.models import (
    Document,
    DocumentKind,
    DraftSection,
    Revision,
    RevisionIsImmutable,
    allow_revision_purge,
)
from documents.rendering import length_report
from documents.services.drafting import (
    DraftConflict,
    faq_entry_add,
    faq_entry_move,
    faq_entry_save,
    section_add,
    section_remove,
    section_save,
)
from documents.services.initiatives import document_create
from documents.services.iterations import iteration_restore, iteration_save
from tests.documents.factories import prfaq_for
from wbapp.activity.models import Activity, Verb


def write(user, document, key, body):
    section = document.sections.get(key=key)
    return section_save(user=user, section=section, body=body, base_version=section.version)


def add_faq(user, document, question, answer, audience="external"):
    entry = faq_entry_add(user=user, document=document, audience=audience)
    return faq_entry_save(user=user, entry=entry, question=question, answer=answer, base_version=1)


@pytest.fixture
def document(cast):
    return prfaq_for(cast)


def test_iterations_are_numbered_one_two_three(cast, document):
    numbers = []
    for n in range(3):
        write(cast.editor, document, "headline", f"Take {n}")
        numbers.append(iteration_save(user=cast.editor, document=document).number)

    assert numbers == [1, 2, 3]


def test_an_iteration_identical_to_the_previous_one_is_refused(cast, document):
    write(cast.editor, document, "headline", "Returns, solved")
    iteration_save(user=cast.editor, document=document, note="First")
    carried = []
    signals.iteration_saved.connect(lambda **kw: carried.append(kw), weak=False, dispatch_uid="t")
    try:
        with pytest.raises(ValidationError) as refused:
            iteration_save(user=cast.editor, document=document, note="Only the note differs")
    finally:
        signals.iteration_saved.disconnect(dispatch_uid="t")

    assert refused.value.code == "unchanged"
    assert refused.value.messages == [
        "Nothing has changed since iteration 1: edit the draft, then save an iteration."
    ]
    assert list(document.revisions.values_list("number", flat=True)) == [1]
    assert carried == []  # no carry-forward, so no "comments carried" either
    assert Activity.objects.filter(verb=Verb.ITERATION_SAVED).count() == 1


def test_two_saves_in_a_row_make_one_iteration_and_the_second_is_refused(cast, document):
    write(cast.editor, document, "headline", "Returns, solved")
    first = iteration_save(user=cast.editor, document=document)

    with pytest.raises(ValidationError):
        iteration_save(user=cast.owner, document=document)

    assert Revision.objects.filter(document=document).get() == first
    write(cast.editor, document, "headline", "Returns, solved for good")
    assert iteration_save(user=cast.owner, document=document).number == 2


def test_the_first_iteration_of_an_untouched_draft_is_saved(cast, document):
    assert iteration_save(user=cast.editor, document=document).number == 1


def test_numbers_count_per_document(cast, document):
    other = document_create(
        user=cast.editor, initiative=document.initiative, kind=DocumentKind.ONEPAGER
    )
    iteration_save(user=cast.editor, document=document)

    assert iteration_save(user=cast.editor, document=other).number == 1


def test_a_rolled_back_iteration_leaves_no_gap(cast, document):
    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        iteration_save(user=cast.editor, document=document)
        raise Abort

    assert iteration_save(user=cast.editor, document=document).number == 1


def test_iteration_snapshots_the_draft_in_document_order(cast, document):
    write(cast.editor, document, "headline", "Returns in *one* click")
    add_faq(cast.editor, document, "Internal risk?", "Fraud", audience="internal")
    add_faq(cast.editor, document, "Is it free?", "Yes")

    revision = iteration_save(user=cast.editor, document=document, note="  First full draft ")

    assert revision.note == "First full draft"
    assert revision.author == cast.editor
    assert [s["key"] for s in revision.content["sections"]][:2] == ["headline", "subheading"]
    assert revision.content["sections"][0] == {
        "key": "headline",
        "heading": "Headline",
        "body": "Returns in *one* click",
        "part": "press_release",
    }
    assert [(e["audience"], e["question"]) for e in revision.content["faq"]] == [
        ("external", "Is it free?"),
        ("internal", "Internal risk?"),
    ]


def test_iteration_caches_rendered_html_for_every_section_and_answer(cast, document):
    write(cast.editor, document, "summary", "Shoppers **love** it <script>x</script>")
    entry = add_faq(cast.editor, document, "Cost?", "[Pricing](https://example.com)")

    revision = iteration_save(user=cast.editor, document=document)

    assert set(revision.rendered) == {s.key for s in document.sections.all()} | {entry.key}
    assert "<strong>love</strong>" in revision.rendered["summary"]
    assert "<script" not in revision.rendered["summary"]
    assert 'rel="noopener noreferrer nofollow"' in revision.rendered[entry.key]


def test_viewing_an_iteration_never_renders_markdown(cast, document, monkeypatch):
    write(cast.editor, document, "summary", "Some *text*")
    add_faq(cast.editor, document, "Q?", "An _answer_")
    iteration_save(user=cast.editor, document=document)

    def refuse(text):
        raise AssertionError("rendered while viewing")

    monkeypatch.setattr("documents.rendering.render_markdown", refuse)
    monkeypatch.setattr("documents.models.initiatives.render_markdown", refuse)
    revision = Revision.objects.get(document=document)
    summary = next(s for s in revision.sections() if s.key == "summary")
    [answer] = revision.faq("external")

    assert summary.html == "<p>Some <em>text</em></p>"
    assert summary.is_press_release
    assert answer.html == "<p>An <em>answer</em></p>"
    assert revision.faq("internal") == []


def test_word_count_and_change_size(cast, document):
    write(cast.editor, document, "summary", "one two three four")
    add_faq(cast.editor, document, "Why now?", "Because")
    first = iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "summary", "one two five four six")
    second = iteration_save(user=cast.editor, document=document)

    assert first.word_count == 7
    assert first.change_size == 7  # everything is new in the first iteration
    assert second.word_count == 8
    assert second.change_size == 3  # -three +five +six
    assert second.length_report().total_words == 8


def test_saving_an_iteration_is_recorded_and_bumps_last_activity(cast, document):
    before = document.initiative.updated_at

    revision = iteration_save(user=cast.editor, document=document, note="Draft")

    activity = Activity.objects.get(verb=Verb.ITERATION_SAVED)
    assert activity.initiative == document.initiative
    assert activity.payload == {
        "document_id": document.pk,
        "document_title": "PR/FAQ",
        "number": 1,
        "note": "Draft",
        "carried": 0,
    }
    document.initiative.refresh_from_db()
    assert document.initiative.updated_at >= revision.created_at > before


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_save_iterations(cast, document, role):
    with pytest.raises(PermissionDenied):
        iteration_save(user=cast.member(role), document=document)

    assert not Revision.objects.exists()


def _queries_to_save_an_iteration(cast, document, django_assert_num_queries):
    cast.editor.has_perm("documents.edit_initiative", document.initiative)  # warm the role cache
    # savepoint; lock the document row; latest iteration; sections; FAQ entries;
    # insert iteration; bump initiative; the threads to carry forward (the
    # iteration_saved receiver in reviews; none here); insert activity; release savepoint
    with django_assert_num_queries(10):
        iteration_save(user=cast.editor, document=document)


def test_iteration_of_a_small_document_takes_ten_queries(cast, document, django_assert_num_queries):
    iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "headline", "Changed")
    _queries_to_save_an_iteration(cast, document, django_assert_num_queries)


def test_iteration_with_thirty_faq_entries_and_fifty_iterations_takes_the_same_queries(
    cast, document, django_assert_num_queries
):
    for n in range(30):
        add_faq(cast.editor, document, f"Question {n}?", f"Answer {n}")
    for n in range(50):
        write(cast.editor, document, "headline", f"Take {n}")
        iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "headline", "Changed")

    _queries_to_save_an_iteration(cast, document, django_assert_num_queries)


# --- Immutability ---------------------------------------------------------------------------


@pytest.fixture
def revision(cast, document):
    write(cast.editor, document, "headline", "Frozen words")
    return iteration_save(user=cast.editor, document=document, note="Frozen")


def test_the_outline_is_read_from_the_snapshot_once(
    cast, document, revision, django_assert_num_queries
):
    add_faq(cast.editor, document, "", "Nobody asked yet.")
    later = iteration_save(user=cast.editor, document=document)
    deferred = Revision.objects.summaries().get(pk=later.pk)

    with django_assert_num_queries(1):  # the snapshot, deferred by the lookup
        outline = deferred.outline()
    another = Revision.objects.summaries().get(pk=later.pk)
    with django_assert_num_queries(0):
        assert another.outline() == outline
    deferred = Revision.objects.summaries().get(pk=later.pk)
    with django_assert_num_queries(1):  # the body, in one query
        assert deferred.html_of("headline") == "<p>Frozen words</p>"

    sections = [entry for entry in outline if not entry.is_faq]
    assert [entry.key for entry in sections] == [s.key for s in later.sections()]
    assert sections[0].is_press_release
    [faq] = [entry for entry in outline if entry.is_faq]
    assert (faq.heading, faq.audience) == ("", "external")


def test_an_iteration_cannot_be_saved_again(revision):
    revision.note = "Rewritten history"

    with pytest.raises(RevisionIsImmutable):
        revision.save()
    with pytest.raises(RevisionIsImmutable):
        revision.save(update_fields=["note"])

    assert Revision.objects.get(pk=revision.pk).note == "Frozen"


def test_an_iteration_cannot_be_deleted(revision):
    with pytest.raises(RevisionIsImmutable):
        revision.delete()

    assert Revision.objects.filter(pk=revision.pk).exists()


def test_bulk_updates_and_deletes_of_iterations_are_refused(revision):
    with pytest.raises(RevisionIsImmutable):
        Revision.objects.filter(pk=revision.pk).update(note="x")
    with pytest.raises(RevisionIsImmutable):
        Revision.objects.filter(pk=revision.pk).delete()
    with pytest.raises(RevisionIsImmutable):
        Revision.objects.bulk_update([revision], ["note"])

    assert Revision.objects.get(pk=revision.pk).note == "Frozen"


def test_database_refuses_a_raw_update_of_an_iteration(revision):
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE documents_revision SET note = 'hacked' WHERE id = %s", [revision.pk])

    assert Revision.objects.get(pk=revision.pk).note == "Frozen"


def test_database_refuses_a_raw_update_of_the_snapshot(revision):
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE documents_revision SET content = '{}'::jsonb, rendered = '{}'::jsonb"
        )

    assert Revision.objects.get(pk=revision.pk).content["sections"][0]["body"] == "Frozen words"


def test_database_refuses_a_raw_delete_of_an_iteration(revision):
    with (
        pytest.raises(IntegrityError, match="immutable"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM documents_revision WHERE id = %s", [revision.pk])

    assert Revision.objects.filter(pk=revision.pk).exists()


def test_deleting_a_document_with_iterations_is_refused(revision):
    with pytest.raises(IntegrityError), transaction.atomic():
        revision.document.delete()

    assert Document.objects.filter(pk=revision.document_id).exists()


def test_a_whole_document_can_be_purged_on_purpose(cast, revision):
    write(cast.editor, revision.document, "headline", "Words since")
    restored = iteration_restore(user=cast.editor, revision=revision)
    assert restored.restored_from == revision

    with transaction.atomic(), allow_revision_purge():
        revision.document.delete()

    assert not Revision.objects.exists()
    assert not DraftSection.objects.filter(document_id=revision.document_id).exists()


def test_the_purge_permission_ends_with_its_block(revision):
    with transaction.atomic():
        with allow_revision_purge():
            pass
        with pytest.raises(IntegrityError), transaction.atomic():
            revision.document.delete()


# --- Restore --------------------------------------------------------------------------------


def test_restore_copies_the_old_iteration_into_the_draft_as_a_new_iteration(cast, document):
    write(cast.editor, document, "headline", "Version one")
    entry = add_faq(cast.editor, document, "Cost?", "Free")
    first = iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "headline", "Version two")
    faq_entry_save(user=cast.editor, entry=entry, question="Price?", answer="$5", base_version=2)
    iteration_save(user=cast.editor, document=document)

    restored = iteration_restore(user=cast.owner, revision=first, note="Back to basics")

    assert restored.number == 3
    assert restored.note == "Restored iteration 1: Back to basics"
    assert restored.restored_from == first
    assert restored.author == cast.owner
    assert restored.content == first.content
    assert restored.change_size > 0
    headline = document.sections.get(key="headline")
    assert (headline.body, headline.version) == ("Version one", 4)
    entry.refresh_from_db()
    assert (entry.key, entry.question, entry.answer, entry.version) == (
        first.content["faq"][0]["key"],
        "Cost?",
        "Free",
        4,
    )
    activity = Activity.objects.get(verb=Verb.ITERATION_RESTORED)
    assert activity.payload["restored_number"] == 1
    assert activity.payload["number"] == 3


def test_restore_first_saves_draft_words_no_iteration_has(cast, document):
    write(cast.editor, document, "headline", "Saved")
    first = iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "headline", "Unsaved but precious")

    restored = iteration_restore(user=cast.editor, revision=first)

    safety = Revision.objects.get(document=document, number=2)
    assert safety.note == "Draft before restoring iteration 1"
    assert safety.content["sections"][0]["body"] == "Unsaved but precious"
    assert restored.number == 3
    assert restored.note == "Restored iteration 1"


def test_restore_of_a_clean_draft_makes_exactly_one_iteration(cast, document):
    first = iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "headline", "Second")
    iteration_save(user=cast.editor, document=document)

    restored = iteration_restore(user=cast.editor, revision=first)

    assert restored.number == 3
    assert Revision.objects.filter(document=document).count() == 3


def test_restore_brings_back_removed_sections_and_entries_with_their_keys(cast):
    initiative = prfaq_for(cast).initiative
    narrative = document_create(
        user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE
    )
    keys_before = list(narrative.sections.values_list("key", flat=True))
    entry = add_faq(cast.editor, narrative, "Kept?", "Yes")
    moved = add_faq(cast.editor, narrative, "Moved?", "Inside")
    first = iteration_save(user=cast.editor, document=narrative)
    section_remove(user=cast.editor, section=narrative.sections.get(key=keys_before[0]))
    added = section_add(user=cast.editor, document=narrative, heading="Later idea")
    faq_entry_move(user=cast.editor, entry=moved, position=0, audience="internal")
    iteration_save(user=cast.editor, document=narrative)

    iteration_restore(user=cast.editor, revision=first)

    assert list(narrative.sections.values_list("key", flat=True)) == keys_before
    assert list(narrative.sections.values_list("position", flat=True)) == list(range(6))
    assert not narrative.sections.filter(key=added.key).exists()
    assert list(narrative.faq_entries.values_list("key", "audience", "position")) == [
        (entry.key, "external", 0),
        (moved.key, "external", 1),
    ]


def test_an_author_typing_on_the_pre_restore_text_gets_a_conflict(cast, document):
    first = iteration_save(user=cast.editor, document=document)
    write(cast.editor, document, "headline", "Second words")
    iteration_save(user=cast.editor, document=document)
    section = document.sections.get(key="summary")
    stale_version = section.version

    iteration_restore(user=cast.owner, revision=first)

    with pytest.raises(DraftConflict):
        section_save(
            user=cast.editor, section=section, body="Late words", base_version=stale_version
        )


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_restore(cast, revision, role):
    with pytest.raises(PermissionDenied):
        iteration_restore(user=cast.member(role), revision=revision)

    assert Revision.objects.count() == 1


def test_the_length_report_is_counted_once_then_kept(cast, document, django_assert_num_queries):
    write(cast.editor, document, "summary", "one two three four")
    revision = iteration_save(user=cast.editor, document=document)
    counted = length_report(
        document.kind, revision.content["sections"], revision.content.get("faq", [])
    )
    assert revision.length_report() == counted

    # Another request's instance, without its body: the kept report, no query.
    again = Revision.objects.summaries().select_related("document").get(pk=revision.pk)
    with django_assert_num_queries(0):
        assert again.length_report() == counted


def test_restoring_the_text_the_latest_iteration_has_is_refused_and_writes_nothing(cast, revision):
    before = Activity.objects.count()

    with pytest.raises(ValidationError) as refused:
        iteration_restore(user=cast.editor, revision=revision)

    assert refused.value.code == "unchanged"
    assert revision.document.revisions.count() == 1
    assert Activity.objects.count() == before
