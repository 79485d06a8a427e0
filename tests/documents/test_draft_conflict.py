"""No lost updates: a save against a stale version is refused and nothing is overwritten.

The threaded tests use one PostgreSQL connection per thread (transactional_db),
as two browsers hitting two web processes would.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from documents.models import DraftSection, FaqEntry
from documents.services.drafting import (
    DraftConflict,
    faq_entry_add,
    faq_entry_remove,
    faq_entry_save,
    section_remove,
    section_save,
)
from tests.documents.factories import prfaq_for
from wbapp.accounts.models import User


def in_thread(target, *args):
    """Run ``target`` in a thread with its own database connection; return (thread, result)."""
    result = {}

    def run():
        try:
            result["value"] = target(*args)
        except Exception as exc:  # noqa: BLE001 - handed back to the test
            result["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


def test_second_client_with_the_old_version_gets_a_conflict_and_nothing_is_overwritten(cast):
    document = prfaq_for(cast)
    # Two people open the drafting page: both load version 1.
    maya_copy = document.sections.get(key="summary")
    raj_copy = document.sections.get(key="summary")

    section_save(user=cast.editor, section=maya_copy, body="Maya's summary", base_version=1)
    with pytest.raises(DraftConflict) as conflict:
        section_save(user=cast.owner, section=raj_copy, body="Raj's summary", base_version=1)

    assert conflict.value.mine == "Raj's summary"
    assert conflict.value.current.body == "Maya's summary"
    assert conflict.value.current_text == "Maya's summary"
    assert conflict.value.current_version == 2
    stored = DraftSection.objects.get(pk=maya_copy.pk)
    assert (stored.body, stored.version, stored.updated_by) == ("Maya's summary", 2, cast.editor)


def test_after_a_conflict_the_merged_text_saves_against_the_current_version(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="problem")
    section_save(user=cast.editor, section=section, body="Theirs", base_version=1)

    with pytest.raises(DraftConflict) as conflict:
        section_save(user=cast.owner, section=section, body="Mine", base_version=1)
    section_save(
        user=cast.owner,
        section=section,
        body="Theirs and mine",
        base_version=conflict.value.current_version,
    )

    section.refresh_from_db()
    assert (section.body, section.version) == ("Theirs and mine", 3)


def test_a_retried_save_of_the_same_text_is_not_a_conflict(cast):
    document = prfaq_for(cast)
    section = document.sections.get(key="headline")
    section_save(user=cast.editor, section=section, body="Same", base_version=1)

    current = section_save(user=cast.editor, section=section, body="Same", base_version=1)

    assert (current.body, current.version) == ("Same", 2)


def test_saving_a_section_someone_removed_is_a_conflict_that_keeps_my_text(cast):
    from documents.models import DocumentKind
    from documents.services.initiatives import document_create

    initiative = prfaq_for(cast).initiative
    narrative = document_create(
        user=cast.editor, initiative=initiative, kind=DocumentKind.NARRATIVE
    )
    section = narrative.sections.first()
    section_remove(user=cast.owner, section=section)

    with pytest.raises(DraftConflict) as conflict:
        section_save(user=cast.editor, section=section, body="My words", base_version=1)

    assert conflict.value.removed
    assert conflict.value.mine == "My words"
    assert conflict.value.current_text == ""


def test_faq_entry_conflict_carries_my_question_and_answer(cast):
    document = prfaq_for(cast)
    entry = faq_entry_add(user=cast.editor, document=document, audience="external")
    faq_entry_save(user=cast.editor, entry=entry, question="Cost?", answer="Free", base_version=1)

    with pytest.raises(DraftConflict) as conflict:
        faq_entry_save(
            user=cast.owner, entry=entry, question="Price?", answer="Nothing", base_version=1
        )

    assert (conflict.value.mine_title, conflict.value.mine) == ("Price?", "Nothing")
    assert conflict.value.current.answer == "Free"
    assert conflict.value.current_text == "Free"
    stored = FaqEntry.objects.get(pk=entry.pk)
    assert (stored.question, stored.answer) == ("Cost?", "Free")


def test_saving_a_removed_faq_entry_is_a_conflict(cast):
    document = prfaq_for(cast)
    entry = faq_entry_add(user=cast.editor, document=document, audience="internal")
    faq_entry_remove(user=cast.owner, entry=entry)

    with pytest.raises(DraftConflict) as conflict:
        faq_entry_save(user=cast.editor, entry=entry, question="Q", answer="A", base_version=1)

    assert conflict.value.removed


def _save_from_own_connection(user_id, section_id, body, barrier):
    user = User.objects.get(pk=user_id)
    section = DraftSection.objects.select_related("document__initiative__team").get(pk=section_id)
    barrier.wait(timeout=10)
    return section_save(user=user, section=section, body=body, base_version=section.version)


@pytest.mark.django_db(transaction=True)
def test_two_connections_saving_at_the_same_instant_one_wins_one_conflicts(cast):
    document = prfaq_for(cast)
    section_id = document.sections.get(key="solution").pk
    barrier = threading.Barrier(2)

    runs = [
        in_thread(_save_from_own_connection, user.pk, section_id, f"{user.name}'s text", barrier)
        for user in (cast.editor, cast.owner)
    ]
    for thread, _ in runs:
        thread.join(timeout=20)

    results = [result for _, result in runs]
    winners = [r["value"] for r in results if "value" in r]
    conflicts = [r["error"] for r in results if "error" in r]
    assert len(winners) == 1
    assert len(conflicts) == 1
    assert isinstance(conflicts[0], DraftConflict)
    stored = DraftSection.objects.get(pk=section_id)
    assert stored.version == 2
    assert stored.body == winners[0].body
    # The loser's words come back to them, and they are not what was stored.
    assert conflicts[0].mine != stored.body
    assert conflicts[0].current.body == stored.body


def _lock_waiters() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_save_waiting_on_an_uncommitted_save_is_refused_once_that_commits(cast):
    document = prfaq_for(cast)
    section_id = document.sections.get(key="leader_quote").pk
    first_saved = threading.Event()
    may_commit = threading.Event()

    def first_client():
        user = User.objects.get(pk=cast.editor.pk)
        section = DraftSection.objects.select_related("document__initiative__team").get(
            pk=section_id
        )
        with transaction.atomic():
            section_save(user=user, section=section, body="First", base_version=1)
            first_saved.set()
            may_commit.wait(timeout=10)

    def second_client():
        user = User.objects.get(pk=cast.owner.pk)
        section = DraftSection.objects.select_related("document__initiative__team").get(
            pk=section_id
        )
        first_saved.wait(timeout=10)
        return section_save(user=user, section=section, body="Second", base_version=1)

    first, _ = in_thread(first_client)
    second, outcome = in_thread(second_client)
    # Wait until the second client's UPDATE is blocked on the first one's row lock.
    deadline = time.monotonic() + 10
    while _lock_waiters() == 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    blocked = _lock_waiters() > 0
    may_commit.set()
    first.join(timeout=20)
    second.join(timeout=20)

    assert blocked
    assert isinstance(outcome.get("error"), DraftConflict)
    assert outcome["error"].mine == "Second"
    stored = DraftSection.objects.get(pk=section_id)
    assert (stored.body, stored.version) == ("First", 2)
