"""Iterations saved at the same instant: numbers 1..k, gap-free and unique, and a draft
saved twice at once (a double click, two tabs) makes one iteration and refuses the other.

Each thread has its own PostgreSQL connection (transactional_db), and a barrier
releases them together, as simultaneous requests to several web processes.
"""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from documents.models import Document, Revision
from documents.services.drafting import faq_entry_add, faq_entry_save
from documents.services.iterations import iteration_save
from tests.documents.factories import prfaq_for
from wbapp.accounts.models import User

SAVERS = 8


def _save_iteration(
    user_id: int, document_id: int, barrier: threading.Barrier, results, index, *, ask=False
):
    try:
        user = User.objects.get(pk=user_id)
        document = Document.objects.select_related("initiative__team").get(pk=document_id)
        if ask:
            # A change of this saver's own, committed before the save.
            entry = faq_entry_add(user=user, document=document, audience="external")
            faq_entry_save(
                user=user, entry=entry, question=f"Question {index}?", answer="", base_version=1
            )
        barrier.wait(timeout=10)
        results[index] = iteration_save(user=user, document=document, note=f"by {index}").number
    except Exception as exc:  # noqa: BLE001 - handed back to the test
        results[index] = exc
    finally:
        connections.close_all()


def _run(targets, barrier, results, *, ask=False):
    threads = [
        threading.Thread(
            target=_save_iteration,
            args=(user.pk, document.pk, barrier, results, index),
            kwargs={"ask": ask},
        )
        for index, (user, document) in enumerate(targets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_one_draft_make_one_iteration_and_refuse_the_rest(cast):
    document = prfaq_for(cast)
    users = [cast.owner, cast.editor] * (SAVERS // 2)
    barrier = threading.Barrier(SAVERS)
    results: list = [None] * SAVERS

    _run([(user, document) for user in users], barrier, results)

    saved = [r for r in results if isinstance(r, int)]
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert saved == [1], results
    assert len(refused) == SAVERS - 1, results
    assert {r.code for r in refused} == {"unchanged"}
    assert Revision.objects.filter(document=document).count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_of_changes_get_numbers_one_to_k_without_gaps(cast):
    document = prfaq_for(cast)
    users = [cast.owner, cast.editor] * (SAVERS // 2)
    barrier = threading.Barrier(SAVERS)
    results: list = [None] * SAVERS

    _run([(user, document) for user in users], barrier, results, ask=True)

    assert all(isinstance(r, int | ValidationError) for r in results), results
    saved = sorted(r for r in results if isinstance(r, int))
    # A saver whose question an earlier iteration already holds is refused as unchanged.
    assert saved == list(range(1, len(saved) + 1))
    assert {r.code for r in results if isinstance(r, ValidationError)} <= {"unchanged"}
    stored = list(Revision.objects.filter(document=document).values_list("number", flat=True))
    assert sorted(stored) == saved
    latest = Revision.objects.filter(document=document).order_by("-number").first()
    assert {e["question"] for e in latest.content["faq"]} == {
        f"Question {i}?" for i in range(SAVERS)
    }


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_two_documents_number_each_document_separately(cast):
    first = prfaq_for(cast)
    second = prfaq_for(cast)
    barrier = threading.Barrier(SAVERS)
    results: list = [None] * SAVERS

    _run([(cast.editor, doc) for doc in [first, second] * (SAVERS // 2)], barrier, results)

    assert sorted(r for r in results if isinstance(r, int)) == [1, 1], results
    for document in (first, second):
        assert list(document.revisions.values_list("number", flat=True)) == [1]
