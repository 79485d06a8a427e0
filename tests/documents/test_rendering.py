import pytest

from documents.rendering import (
    EXTERNAL_LINK_REL,
    FAQ_WORD_LIMIT,
    NARRATIVE_WORD_LIMIT,
    PRESS_RELEASE_WORD_LIMIT,
    length_report,
    reading_minutes,
    render_markdown,
    snapshot_markdown,
    word_count,
)
from tests.documents.hostile_inputs import HOSTILE_INPUTS, fragment_problems, page_problems


def words(n: int) -> str:
    return " ".join(["word"] * n)


@pytest.mark.parametrize(("name", "text"), HOSTILE_INPUTS, ids=[n for n, _ in HOSTILE_INPUTS])
def test_hostile_input_renders_to_harmless_html(name, text):
    html = render_markdown(text)

    assert fragment_problems(html) == []
    lowered = html.lower()
    for marker in ("<script", "<iframe", "<svg", "<style", "<object", "<embed", "<math", "<form"):
        assert marker not in lowered


def test_hostile_corpus_is_varied_enough_to_mean_something():
    assert len(HOSTILE_INPUTS) >= 50
    assert len({text for _, text in HOSTILE_INPUTS}) == len(HOSTILE_INPUTS)


def test_the_fragment_checker_catches_what_it_looks_for():
    # The checker is what every hostile-input test relies on; prove it can fail.
    assert fragment_problems('<a href="javascript:alert(1)">x</a>')
    assert fragment_problems('<a href=" JaVa&#x09;Script:alert(1)">x</a>')
    assert fragment_problems('<img src="/x" onerror="alert(1)">')
    assert fragment_problems('<p style="color:red">x</p>')
    assert fragment_problems("<iframe></iframe>")
    assert fragment_problems('<img src="https://evil.example/p.png">')
    assert fragment_problems('<a href="https://example.com">x</a>')
    assert fragment_problems("<!-- x -->")
    assert page_problems("<script>alert(1)</script>")
    assert page_problems('<a href="data:text/html,x">x</a>')
    assert not page_problems('<script src="/static/js/app.js"></script>')


def test_raw_html_is_shown_as_text_not_markup():
    html = render_markdown("Hello <b>bold</b> <script>alert(1)</script>")

    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    assert "&lt;script&gt;" in html


def test_commonmark_basics_render():
    html = render_markdown("# Title\n\n*em* **strong** `code`\n\n- one\n- two\n\n> quote")

    assert "<h1>Title</h1>" in html
    assert "<em>em</em>" in html
    assert "<strong>strong</strong>" in html
    assert "<code>code</code>" in html
    assert "<li>one</li>" in html
    assert "<blockquote>" in html


def test_tables_render_with_alignment_classes_instead_of_styles():
    html = render_markdown("| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |")

    assert "<table>" in html
    assert '<th class="align-left">a</th>' in html
    assert '<td class="align-center">2</td>' in html
    assert '<td class="align-right">3</td>' in html
    assert "style" not in html


def test_external_links_get_noopener_noreferrer_nofollow():
    html = render_markdown("[site](https://example.com/page) and <http://example.org>")

    assert html.count(f'rel="{EXTERNAL_LINK_REL}"') == 2


def test_internal_links_stay_plain():
    html = render_markdown("[iteration](/i/1/d/2/iterations/3/)")

    assert html == '<p><a href="/i/1/d/2/iterations/3/">iteration</a></p>'


def test_mailto_links_are_kept():
    assert 'href="mailto:maya@example.com"' in render_markdown("<maya@example.com>")


def test_images_load_only_from_workback_itself():
    local = render_markdown("![chart](/i/1/images/2)")
    remote = render_markdown("![chart](https://evil.example/pixel.png)")

    assert '<img src="/i/1/images/2" alt="chart">' in local
    assert "src" not in remote
    assert 'alt="chart"' in remote


def test_empty_text_renders_to_nothing():
    assert render_markdown("") == ""
    assert render_markdown("   \n ") == ""


def test_word_count_counts_words_not_markdown_punctuation():
    assert word_count("") == 0
    assert word_count("## The *quick* brown fox\n\n- jumps — over") == 6
    assert word_count("Don't e-mail 3.5 people") == 4


def test_reading_minutes_rounds_up_and_is_zero_for_nothing():
    assert reading_minutes(0) == 0
    assert reading_minutes(1) == 1
    assert reading_minutes(230) == 1
    assert reading_minutes(231) == 2
    assert reading_minutes(600, wpm=200) == 3


def test_press_release_past_one_page_warns():
    sections = [
        {"key": "summary", "body": words(PRESS_RELEASE_WORD_LIMIT), "part": "press_release"},
        {"key": "headline", "body": "One more", "part": "press_release"},
    ]

    report = length_report("prfaq", sections, [])

    assert report.press_release_words == PRESS_RELEASE_WORD_LIMIT + 2
    assert [w.limit for w in report.warnings] == [PRESS_RELEASE_WORD_LIMIT]


def test_press_release_at_the_limit_does_not_warn():
    sections = [{"key": "summary", "body": words(550), "part": "press_release"}]

    assert length_report("prfaq", sections, []).warnings == ()


def test_faq_past_five_pages_warns_and_counts_questions_and_answers():
    faq = [{"key": "q-1", "question": "Why now?", "answer": words(FAQ_WORD_LIMIT)}]

    report = length_report("prfaq", [], faq)

    assert report.faq_words == FAQ_WORD_LIMIT + 2
    assert [w.limit for w in report.warnings] == [FAQ_WORD_LIMIT]


def test_narrative_past_six_pages_warns():
    sections = [{"key": "s-1", "body": words(NARRATIVE_WORD_LIMIT + 1), "part": ""}]

    report = length_report("narrative", sections)

    assert report.total_words == NARRATIVE_WORD_LIMIT + 1
    assert report.reading_minutes == 15
    assert "six pages" in report.warnings[0].message


def test_length_report_accepts_model_rows_and_generators():
    class Row:
        key, body, part = "s-1", "three little words", ""

    report = length_report("onepager", (row for row in [Row()]))

    assert report.total_words == 3
    assert report.section_words == {"s-1": 3}


def test_snapshot_exports_as_markdown_with_both_faqs():
    content = {
        "sections": [{"key": "headline", "heading": "Headline", "body": "Returns, solved"}],
        "faq": [
            {"key": "q-1", "audience": "external", "question": "Cost?", "answer": "Free."},
            {"key": "q-2", "audience": "internal", "question": "Risk?", "answer": "Fraud."},
        ],
    }

    text = snapshot_markdown(title="Self-serve returns", content=content, subtitle="Iteration 2")

    assert text == (
        "# Self-serve returns\n\n_Iteration 2_\n\n## Headline\n\nReturns, solved\n\n"
        "## External FAQ\n\n### Cost?\n\nFree.\n\n## Internal FAQ\n\n### Risk?\n\nFraud.\n"
    )
