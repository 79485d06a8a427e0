"""The comment box's section picker: every section, the current one selected, escaped."""

from django.forms import Select

from reviews.forms import CommentForm

SECTIONS = [("summary", "Summary"), ("risks", 'Risks & "unknowns" <maybe>')]


def _as_django_renders_them(form) -> list[str]:
    # What Django's own Select would write for the same choices and value.
    html = Select(choices=SECTIONS).render("section_key", form["section_key"].value())
    return [line.strip() for line in html.splitlines() if line.strip().startswith("<option")]


def test_the_options_are_every_section_in_order_none_selected_when_unbound():
    form = CommentForm(sections=SECTIONS)
    options = str(form.section_options()).split("\n")
    assert options == [
        '<option value="summary">Summary</option>',
        '<option value="risks">Risks &amp; &quot;unknowns&quot; &lt;maybe&gt;</option>',
    ]
    assert options == _as_django_renders_them(form)


def test_the_section_sent_back_is_selected_again():
    form = CommentForm({"section_key": "risks", "kind": "question"}, sections=SECTIONS)
    options = str(form.section_options()).split("\n")
    assert options[1].startswith('<option value="risks" selected>')
    assert options == [
        option.replace(' selected=""', " selected") for option in _as_django_renders_them(form)
    ]
