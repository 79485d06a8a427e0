"""Forms parse what the browser sent into plain values; services decide what happens."""

from django import forms

from .models import CUSTOMER_QUESTIONS, DocumentKind, FaqAudience

ANSWER_HELP = {
    "customer": "Be specific: a person in a situation, not a market segment.",
    "problem": "In the customer's words, as it is before this product exists.",
    "benefit": "The one benefit that would make them switch.",
    "evidence": "Research, data, conversations — and what you do not know yet.",
    "experience": "Walk through it from the customer's side, step by step.",
}


class InitiativeForm(forms.Form):
    title = forms.CharField(
        max_length=200,
        help_text="A working name the team will recognise, e.g. “Self-serve returns”.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, question in CUSTOMER_QUESTIONS:
            self.fields[name] = forms.CharField(
                label=question,
                help_text=f"{ANSWER_HELP[name]} Markdown.",
                required=False,
                strip=False,
                widget=forms.Textarea(attrs={"rows": 4}),
            )

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data[name] for name, _ in CUSTOMER_QUESTIONS}


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of document",
        choices=DocumentKind.choices,
        initial=DocumentKind.PRFAQ,
        widget=forms.RadioSelect,
        help_text="A PR/FAQ starts from the press-release template; a narrative from the "
        "six-page memo outline; a one-pager from one blank section.",
    )
    title = forms.CharField(
        max_length=200, required=False, help_text="Optional; the kind names it otherwise."
    )


class SectionForm(forms.Form):
    """One save of a section; ``base_version`` is the version the author started from."""

    body = forms.CharField(required=False, strip=False)
    heading = forms.CharField(max_length=200, required=False)
    base_version = forms.IntegerField(min_value=1)


class FaqEntryForm(forms.Form):
    question = forms.CharField(required=False, max_length=1000)
    answer = forms.CharField(required=False, strip=False)
    # 0: the first save of a question added with "+ Add a question" (not stored yet).
    base_version = forms.IntegerField(min_value=0)


class FaqAddForm(forms.Form):
    audience = forms.ChoiceField(choices=FaqAudience.choices)


class SectionAddForm(forms.Form):
    heading = forms.CharField(max_length=200, required=False)


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[("up", "Up"), ("down", "Down")])


class PreviewForm(forms.Form):
    body = forms.CharField(required=False, strip=False)


class IterationForm(forms.Form):
    note = forms.CharField(
        label="What changed in this iteration?",
        max_length=500,
        required=False,
        help_text="One line for the iteration list, e.g. “First full draft”.",
    )


class RestoreForm(forms.Form):
    note = forms.CharField(max_length=500, required=False)


class CompareForm(forms.Form):
    a = forms.IntegerField(label="From iteration", min_value=1)
    b = forms.IntegerField(label="To iteration", min_value=1)


class ImageUploadForm(forms.Form):
    image = forms.FileField(
        label="Add an appendix image",
        help_text="PNG, JPEG, GIF or WebP, up to 5 MB.",
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
