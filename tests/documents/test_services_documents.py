import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from documents.models import Document, DocumentKind, DraftSection, FaqEntry, Initiative
from documents.services.drafting import (
    faq_entry_add,
    faq_entry_move,
    faq_entry_remove,
    faq_entry_save,
    section_add,
    section_move,
    section_remove,
    section_save,
)
from documents.services.initiatives import document_create
from documents.templates_data import PRFAQ_SECTIONS
from tests.documents.factories import InitiativeFactory, prfaq_for
from wbapp.activity.models import Activity, Verb


@pytest.fixture
def initiative(cast):
    return InitiativeFactory(team=cast.team, owner=cast.owner)


@pytest.fixture
def narrative(cast, initiative):
    return document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE)


def keys(document):
    return list(document.sections.values_list("key", flat=True))


def faq_keys(document, audience="external"):
    return list(document.faq_entries.filter(audience=audience).values_list("key", flat=True))


def test_prfaq_starts_with_the_nine_template_sections_in_order(cast, initiative):
    document = document_create(user=cast.owner, initiative=initiative, kind=DocumentKind.PRFAQ)

    sections = list(document.sections.all())
    assert [s.key for s in sections] == [
        "headline",
        "subheading",
        "summary",
        "problem",
        "solution",
        "leader_quote",
        "getting_started",
        "customer_quote",
        "call_to_action",
    ]
    assert [s.heading for s in sections] == [t.heading for t in PRFAQ_SECTIONS]
    assert {s.part for s in sections} == {"press_release"}
    assert {s.version for s in sections} == {1}
    assert all(s.is_template_section and s.guidance for s in sections)
    assert not document.faq_entries.exists()
    assert document.display_title == "PR/FAQ"


def test_document_sections_are_created_in_one_query(cast, initiative, django_assert_num_queries):
    cast.editor.has_perm("documents.edit_initiative", initiative)  # warm the role cache

    # savepoint, insert document, one bulk insert of all nine sections, bump the
    # initiative's last activity, insert activity, release savepoint
    with django_assert_num_queries(6):
        document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.PRFAQ)


def test_narrative_starts_with_free_sections_with_random_keys(narrative):
    sections = list(narrative.sections.all())

    assert [s.heading for s in sections][:2] == ["Introduction", "Goals"]
    assert len(sections) == 6
    assert all(s.key.startswith("s-") and len(s.key) == 10 for s in sections)
    assert len({s.key for s in sections}) == 6
    assert not any(s.is_template_section for s in sections)


def test_onepager_starts_with_one_section(cast, initiative):
    document = document_create(
        user=cast.editor, initiative=initiative, kind=DocumentKind.ONEPAGER, title=" Pitch "
    )

    assert document.sections.count() == 1
    assert document.title == "Pitch"


def test_creating_a_document_is_recorded(cast, initiative):
    document = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.PRFAQ)

    activity = Activity.objects.get(verb=Verb.DOCUMENT_CREATED)
    assert activity.initiative == initiative
    assert activity.payload["document_id"] == document.pk


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_create_documents(cast, initiative, role):
    with pytest.raises(PermissionDenied):
        document_create(user=cast.member(role), initiative=initiative, kind=DocumentKind.PRFAQ)

    assert not Document.objects.exists()


def test_unknown_kind_is_refused(cast, initiative):
    with pytest.raises(ValidationError):
        document_create(user=cast.editor, initiative=initiative, kind="novel")


def test_section_save_stores_the_text_and_bumps_the_version(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")

    saved = section_save(
        user=cast.owner, section=section, body="Returns in one click", base_version=1
    )

    assert saved.version == 2
    section.refresh_from_db()
    assert (section.body, section.version, section.updated_by) == (
        "Returns in one click",
        2,
        cast.owner,
    )


def test_section_save_bumps_the_initiatives_last_activity(cast):
    document = prfaq_for(cast)
    before = document.initiative.updated_at

    section_save(user=cast.editor, section=document.sections.first(), body="x", base_version=1)

    document.initiative.refresh_from_db()
    assert document.initiative.updated_at > before


def test_template_section_headings_do_not_change(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")

    section_save(user=cast.editor, section=section, body="x", base_version=1, heading="Title")

    section.refresh_from_db()
    assert section.heading == "Headline"


def test_free_section_heading_changes_but_its_key_stays(cast, narrative):
    section = narrative.sections.first()
    key = section.key

    section_save(user=cast.editor, section=section, body="x", base_version=1, heading="Purpose")

    section.refresh_from_db()
    assert (section.key, section.heading) == (key, "Purpose")


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_save_sections(cast, role):
    document = prfaq_for(cast)
    section = document.sections.first()

    with pytest.raises(PermissionDenied):
        section_save(user=cast.member(role), section=section, body="x", base_version=1)

    section.refresh_from_db()
    assert (section.body, section.version) == ("", 1)


def test_section_add_inserts_at_a_position_with_a_new_key(cast, narrative):
    before = keys(narrative)

    section = section_add(user=cast.editor, document=narrative, heading="Risks", position=1)

    after = keys(narrative)
    assert after == [before[0], section.key, *before[1:]]
    assert list(narrative.sections.values_list("position", flat=True)) == list(range(7))
    assert section.key not in before


def test_section_add_appends_by_default(cast, narrative):
    section = section_add(user=cast.editor, document=narrative, heading="Appendix", body="More")

    assert keys(narrative)[-1] == section.key
    assert section.body == "More"


def test_prfaq_sections_cannot_be_added_moved_or_removed(cast):
    document = prfaq_for(cast)
    headline = document.sections.get(key="headline")

    with pytest.raises(ValidationError):
        section_add(user=cast.editor, document=document, heading="Extra")
    with pytest.raises(ValidationError):
        section_move(user=cast.editor, section=headline, position=3)
    with pytest.raises(ValidationError):
        section_remove(user=cast.editor, section=headline)
    assert document.sections.count() == 9


def test_moving_a_section_keeps_every_key_and_text(cast, narrative):
    first = narrative.sections.first()
    section_save(user=cast.editor, section=first, body="Opening words", base_version=1)
    before = keys(narrative)

    section_move(user=cast.editor, section=first, position=3)

    assert keys(narrative) == [before[1], before[2], before[3], before[0], *before[4:]]
    moved = DraftSection.objects.get(pk=first.pk)
    assert (moved.key, moved.body, moved.position) == (before[0], "Opening words", 3)


def test_removing_a_section_closes_the_gap(cast, narrative):
    before = keys(narrative)

    section_remove(user=cast.editor, section=narrative.sections.get(key=before[2]))

    assert keys(narrative) == before[:2] + before[3:]
    assert list(narrative.sections.values_list("position", flat=True)) == list(range(5))


def test_the_last_section_cannot_be_removed(cast, initiative):
    document = document_create(user=cast.editor, initiative=initiative, kind=DocumentKind.ONEPAGER)

    with pytest.raises(ValidationError):
        section_remove(user=cast.editor, section=document.sections.get())


def test_faq_entries_get_stable_keys_and_positions_per_audience(cast):
    document = prfaq_for(cast)

    first = faq_entry_add(user=cast.editor, document=document, audience="external", question="A?")
    second = faq_entry_add(user=cast.editor, document=document, audience="external")
    internal = faq_entry_add(user=cast.editor, document=document, audience="internal")

    assert first.key.startswith("q-") and len(first.key) == 10
    assert len({first.key, second.key, internal.key}) == 3
    assert (first.position, second.position, internal.position) == (0, 1, 0)
    assert first.version == 1


def test_faq_entry_save_updates_question_and_answer(cast):
    document = prfaq_for(cast)
    entry = faq_entry_add(user=cast.editor, document=document, audience="external")

    faq_entry_save(
        user=cast.owner, entry=entry, question=" Is it free? ", answer="Yes.", base_version=1
    )

    entry.refresh_from_db()
    assert (entry.question, entry.answer, entry.version) == ("Is it free?", "Yes.", 2)


def test_moving_faq_entries_keeps_keys(cast):
    document = prfaq_for(cast)
    a, b, c = (
        faq_entry_add(user=cast.editor, document=document, audience="external", question=q)
        for q in ("A?", "B?", "C?")
    )

    faq_entry_move(user=cast.editor, entry=c, position=0)

    assert faq_keys(document) == [c.key, a.key, b.key]
    assert list(document.faq_entries.order_by("position").values_list("position", flat=True)) == [
        0,
        1,
        2,
    ]


def test_moving_an_faq_entry_to_the_internal_faq(cast):
    document = prfaq_for(cast)
    a, b = (
        faq_entry_add(user=cast.editor, document=document, audience="external", question=q)
        for q in ("A?", "B?")
    )
    internal = faq_entry_add(user=cast.editor, document=document, audience="internal")

    faq_entry_move(user=cast.editor, entry=a, position=5, audience="internal")

    assert faq_keys(document, "external") == [b.key]
    assert faq_keys(document, "internal") == [internal.key, a.key]
    assert FaqEntry.objects.get(pk=b.pk).position == 0
    assert FaqEntry.objects.get(pk=a.pk).position == 1


def test_removing_an_faq_entry_closes_the_gap(cast):
    document = prfaq_for(cast)
    a, b, c = (
        faq_entry_add(user=cast.editor, document=document, audience="external", question=q)
        for q in ("A?", "B?", "C?")
    )

    faq_entry_remove(user=cast.editor, entry=b)

    assert faq_keys(document) == [a.key, c.key]
    assert FaqEntry.objects.get(pk=c.pk).position == 1


@pytest.mark.parametrize("audience", [None, "internal"])
def test_moving_an_entry_removed_meanwhile_says_so_and_writes_nothing(cast, audience):
    document = prfaq_for(cast)
    a, b, c = (
        faq_entry_add(user=cast.editor, document=document, audience="external", question=q)
        for q in ("A?", "B?", "C?")
    )
    faq_entry_remove(user=cast.owner, entry=FaqEntry.objects.get(pk=b.pk))
    rows_before = list(document.faq_entries.values_list("pk", "audience", "position"))
    touched = Initiative.objects.get(pk=document.initiative_id).updated_at

    with pytest.raises(FaqEntry.DoesNotExist, match="removed meanwhile"):
        faq_entry_move(user=cast.editor, entry=b, position=0, audience=audience)

    assert list(document.faq_entries.values_list("pk", "audience", "position")) == rows_before
    assert faq_keys(document) == [a.key, c.key]
    initiative = Initiative.objects.get(pk=document.initiative_id)
    assert initiative.updated_at == touched


@pytest.mark.parametrize("role", ["reviewer", "viewer", "outsider"])
def test_readers_cannot_touch_the_faq(cast, role):
    document = prfaq_for(cast)
    entry = faq_entry_add(user=cast.editor, document=document, audience="external")
    user = cast.member(role)

    with pytest.raises(PermissionDenied):
        faq_entry_add(user=user, document=document, audience="external")
    with pytest.raises(PermissionDenied):
        faq_entry_save(user=user, entry=entry, question="q", answer="a", base_version=1)
    with pytest.raises(PermissionDenied):
        faq_entry_move(user=user, entry=entry, position=0)
    with pytest.raises(PermissionDenied):
        faq_entry_remove(user=user, entry=entry)
    assert document.faq_entries.count() == 1


def test_unknown_faq_audience_is_refused(cast):
    document = prfaq_for(cast)

    with pytest.raises(ValidationError):
        faq_entry_add(user=cast.editor, document=document, audience="everyone")


def test_draft_length_report_uses_rows_already_fetched(cast, django_assert_num_queries):
    document = prfaq_for(cast)
    section = document.sections.get(key="summary")
    section_save(user=cast.editor, section=section, body="word " * 600, base_version=1)
    sections = list(document.sections.all())
    entries = list(document.faq_entries.all())

    with django_assert_num_queries(0):
        report = document.length_report(sections, entries)

    assert report.press_release_words == 600
    assert report.section_words["summary"] == 600
    assert len(report.warnings) == 1


def test_nul_characters_are_dropped_because_postgresql_cannot_store_them(cast, narrative):
    section = narrative.sections.first()

    section_save(
        user=cast.editor, section=section, body="java\x00script", base_version=1, heading="A\x00B"
    )
    entry = faq_entry_add(
        user=cast.editor, document=narrative, audience="external", question="Q\x00?", answer="\x00"
    )

    section.refresh_from_db()
    assert (section.body, section.heading) == ("javascript", "AB")
    assert (entry.question, entry.answer) == ("Q?", "")
