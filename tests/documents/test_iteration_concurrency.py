"""Iteration numbers stay 1..k, gap-free and unique, when people save at the same instant.

Each thread has its own PostgreSQL connection (transactional_db), and a barrier
releases them together, as simultaneous requests to several web processes.
"""

import threading

import pytest
from django.db import connections

from documents.models import Document, Revision
from documents.services.iterations import iteration_save
from tests.documents.factories import prfaq_for
from wbapp.accounts.models import User

SAVERS = 8


def _save_iteration(user_id: int, document_id: int, barrier: threading.Barrier, results, index):
    try:
        user = User.objects.get(pk=user_id)
        document = Document.objects.select_related("initiative__team").get(pk=document_id)
        barrier.wait(timeout=10)
        results[index] = iteration_save(user=user, document=document, note=f"by {index}").number
    except Exception as exc:  # noqa: BLE001 - handed back to the test
        results[index] = exc
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_get_numbers_one_to_k_without_gaps(cast):
    document = prfaq_for(cast)
    users = [cast.owner, cast.editor] * (SAVERS // 2)
    barrier = threading.Barrier(SAVERS)
    results: list = [None] * SAVERS

    threads = [
        threading.Thread(
            target=_save_iteration, args=(user.pk, document.pk, barrier, results, index)
        )
        for index, user in enumerate(users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == list(range(1, SAVERS + 1))
    stored = list(Revision.objects.filter(document=document).values_list("number", flat=True))
    assert sorted(stored) == list(range(1, SAVERS + 1))
    notes = set(Revision.objects.filter(document=document).values_list("note", flat=True))
    assert notes == {f"by {i}" for i in range(SAVERS)}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_saves_on_two_documents_number_each_document_separately(cast):
    first = prfaq_for(cast)
    second = prfaq_for(cast)
    barrier = threading.Barrier(SAVERS)
    results: list = [None] * SAVERS
    targets = [first, second] * (SAVERS // 2)

    threads = [
        threading.Thread(
            target=_save_iteration, args=(cast.editor.pk, doc.pk, barrier, results, index)
        )
        for index, doc in enumerate(targets)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert not [r for r in results if isinstance(r, Exception)], results
    for document in (first, second):
        numbers = document.revisions.values_list("number", flat=True)
        assert sorted(numbers) == list(range(1, SAVERS // 2 + 1))
