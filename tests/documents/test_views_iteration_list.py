"""The iterations of a document: GET /i/<i>/d/<d>/iterations/."""

import pytest
from django.urls import reverse

from documents.services.drafting import section_save
from documents.views.iterations import scale_top
from tests.documents.access import READERS, WRITERS, request_as
from tests.documents.factories import iteration_save_changed, prfaq_for
from tests.documents.hostile_inputs import HOSTILE_INPUTS, page_problems

pytestmark = pytest.mark.django_db


def url(document):
    return reverse("iteration_list", args=[document.initiative_id, document.pk])


def test_outsider_gets_404(cast):
    document = prfaq_for(cast)
    assert request_as(cast, "outsider", "get", url(document)).status_code == 404


@pytest.mark.parametrize("role", READERS + WRITERS)
def test_members_see_number_author_note_words_and_change_size(cast, role):
    document = prfaq_for(cast)
    summary = document.sections.get(key="summary")
    summary = section_save(user=cast.editor, section=summary, body="one two three", base_version=1)
    iteration_save_changed(user=cast.editor, document=document, note="First <b>draft</b>")
    section_save(user=cast.editor, section=summary, body="one two four five", base_version=2)
    iteration_save_changed(user=cast.owner, document=document, note="Second")
    html = request_as(cast, role, "get", url(document)).content.decode()
    assert "First &lt;b&gt;draft&lt;/b&gt;" in html
    assert "Second" in html and "Editor" in html and "Owner" in html
    assert ">3</td>" in html and ">4</td>" in html  # word counts
    assert "±3" in html  # three -> four five: one deleted, two inserted
    assert reverse("compare", args=[document.initiative_id, document.pk, 1, 2]) in html
    assert 'class="timeline"' in html


def test_no_iterations_yet_says_so(cast):
    document = prfaq_for(cast)
    html = request_as(cast, "viewer", "get", url(document)).content.decode()
    assert "No iterations yet." in html


def test_hostile_notes_are_escaped(cast):
    document = prfaq_for(cast)
    for _, text in HOSTILE_INPUTS:
        iteration_save_changed(user=cast.editor, document=document, note=text[:500])
    html = request_as(cast, "viewer", "get", url(document)).content.decode()
    assert page_problems(html) == []


def test_the_length_chart_has_a_scale_of_words(cast):
    document = prfaq_for(cast)
    summary = document.sections.get(key="summary")
    section_save(user=cast.editor, section=summary, body=" ".join(["word"] * 1234), base_version=1)
    iteration_save_changed(user=cast.editor, document=document, note="Long")
    words = document.revisions.get().word_count
    html = request_as(cast, "viewer", "get", url(document)).content.decode()
    chart = html.split('<svg class="timeline"', 1)[1].split("</svg>", 1)[0]
    top = scale_top(words)
    assert top in (1500, 2000)
    # Its lines at 0, half way and the top, each labelled with its count of words...
    assert chart.count('class="timeline-grid"') == 3
    for label in ("0", f"{top // 2:,}", f"{top:,}"):
        assert f'dy="4">{label}</text>' in chart
    # ...what each axis counts, and the scale said to a screen reader.
    assert ">Words</text>" in chart and ">Iteration</text>" in chart
    assert f"on a scale from 0 to {top:,} words" in chart


@pytest.mark.parametrize(
    ("peak", "top"),
    [(1, 10), (10, 10), (11, 12), (270, 300), (1234, 1500), (5001, 6000), (81_000, 100_000)],
)
def test_the_scale_tops_out_at_a_round_number_at_or_above_the_longest(peak, top):
    assert scale_top(peak) == top
