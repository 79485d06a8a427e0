"""Forms parse what the browser sent into plain values; services decide what happens."""

from html import escape

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from documents.models import InitiativeStatus
from wbapp.accounts.models import User
from wbapp.dates import BoundedDateField, LocalDateTimeField

from . import mentions
from .anchoring import CONTEXT_CHARS
from .models import CommentKind, ParticipantRole, SessionOutcome

EXTEND_CHOICES = [(2, "+2 min"), (5, "+5 min"), (10, "+10 min")]


class DateTimeLocalInput(forms.DateTimeInput):
    """The browser's date-and-time picker; the value is in the user's own time zone."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


def _member_label(user) -> str:
    return user.name


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _member_label(obj)


class SessionForm(forms.Form):
    """Schedule (or reschedule) a review of one iteration.

    One role field per team member (``role_<user id>``): "Not invited", reviewer,
    bar raiser or observer. The facilitator runs the session and need not read.
    """

    title = forms.CharField(max_length=200)
    starts_at = LocalDateTimeField(
        label="Starts at",
        widget=DateTimeLocalInput(),
        help_text="In your time zone; each invitee sees it in theirs.",
    )
    reading_minutes = forms.IntegerField(
        label="Reading time (minutes)",
        min_value=1,
        max_value=240,
        help_text="Suggested from the word count at a careful 150 words a minute.",
    )
    facilitator = MemberChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, members, with_participants=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        self.fields["facilitator"].queryset = self._member_queryset()
        self.with_participants = with_participants
        if with_participants:
            choices = [("", "Not invited"), *ParticipantRole.choices]
            for user in self.members:
                self.fields[f"role_{user.pk}"] = forms.ChoiceField(
                    label=_member_label(user), choices=choices, required=False
                )

    def _member_queryset(self):
        return User.objects.filter(pk__in=[user.pk for user in self.members]).order_by(
            "display_name", "email"
        )

    def participant_fields(self):
        """(user, bound field) pairs for the invitation table."""
        return [(user, self[f"role_{user.pk}"]) for user in self.members]

    def participants(self) -> list[tuple]:
        """The invitees as (user, role), in the members' order."""
        return [
            (user, self.cleaned_data[f"role_{user.pk}"])
            for user in self.members
            if self.cleaned_data.get(f"role_{user.pk}")
        ]

    def clean(self):
        cleaned = super().clean()
        if self.with_participants and not any(
            cleaned.get(f"role_{user.pk}") for user in self.members
        ):
            raise forms.ValidationError("Invite at least one participant.")
        return cleaned


class ExtendForm(forms.Form):
    minutes = forms.TypedChoiceField(choices=EXTEND_CHOICES, coerce=int)


class DoneForm(forms.Form):
    """``done=1``: I'm done reading; ``done=0``: I'm still reading (undo)."""

    done = forms.TypedChoiceField(
        choices=[("1", "Done"), ("0", "Reading")], coerce=lambda v: v == "1"
    )


# A comment kind's icon (aria-hidden: the label beside it says the kind).
KIND_ICON = "reviews/includes/kind_icon.html"


class MentionsForm(forms.Form):
    """A text with @mentions chosen from the picker: ``body`` and the hidden ``mentions``.

    The box shows "@Maya Lee" where a name was chosen; ``mentions`` holds the chosen
    (name, id) pairs (static/js/mentions.js), and the cleaned ``body`` has each chosen
    name as its unambiguous token (reviews.mentions.with_tokens). Without the script
    the field is empty and hand-typed handles are resolved as ever.
    """

    mentions = forms.CharField(
        required=False, strip=False, max_length=20_000, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        try:
            chosen = mentions.parse_chosen(cleaned.get("mentions", ""))
        except forms.ValidationError as exc:
            # Said beside the text: the hidden field has no place of its own on the page.
            self.add_error("body", exc)
            return cleaned
        if "body" in cleaned:
            cleaned["body"] = mentions.with_tokens(cleaned["body"], chosen)
        return cleaned


class CommentForm(MentionsForm):
    """A comment anchored to a passage.

    The reading script fills section, quote, context and offsets from the
    selection. Without it the reader picks the section and types (or pastes) the
    passage; the view then finds it in the section.
    """

    kind = forms.ChoiceField(
        choices=CommentKind.choices, initial=CommentKind.QUESTION, widget=forms.RadioSelect
    )
    body = forms.CharField(
        label="Comment",
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Markdown.",
    )
    section_key = forms.ChoiceField(label="Section")
    quote = forms.CharField(
        label="Passage",
        required=False,
        strip=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The words you comment on, exactly as in the text. Leave empty to comment "
        "on the whole section.",
    )
    prefix = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    suffix = forms.CharField(required=False, strip=False, widget=forms.HiddenInput)
    start = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    end = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)

    def __init__(self, *args, sections, **kwargs):
        """``sections``: (key, label) pairs of the iteration, in document order."""
        super().__init__(*args, **kwargs)
        self.fields["section_key"].choices = list(sections)

    def section_options(self) -> str:
        """The section picker's options, the current one selected.

        Written here in one pass: a memo has dozens of sections, and a template loop
        over them was a third of the comment box's cost (0.26 of 0.74 ms, 39 sections),
        which every page that lets the viewer comment renders.
        """
        current = self["section_key"].value()
        options = (
            f'<option value="{escape(str(key))}"{" selected" if key == current else ""}>'
            f"{escape(str(heading))}</option>"
            for key, heading in self.fields["section_key"].choices
        )
        return mark_safe("\n".join(options))  # noqa: S308 - keys and headings escaped

    def kind_options(self) -> str:
        """The kind picker's radio buttons, each with its kind's icon, the current one checked.

        Written here in one pass, as ``section_options``: the template's loop (an include
        of the icon each) was half of the comment box's cost.
        """
        current = self["kind"].value()
        options = []
        for index, (value, label) in enumerate(self.fields["kind"].choices):
            kind = escape(str(value))
            icon = render_to_string(KIND_ICON, {"kind": value}).strip()
            options.append(
                f'<label for="id_kind_{index}" class="kind--{kind}">'
                f'<input type="radio" name="kind" value="{kind}" id="id_kind_{index}"'
                f" required{' checked' if value == current else ''}> "
                f'<span class="kind kind--{kind}">{icon} {escape(str(label))}</span></label>'
            )
        return mark_safe("\n".join(options))  # noqa: S308 - values, labels escaped; icons ours

    # Context is a hint for finding the passage again; only its nearest characters count.
    def clean_prefix(self) -> str:
        return self.cleaned_data["prefix"][-CONTEXT_CHARS:]

    def clean_suffix(self) -> str:
        return self.cleaned_data["suffix"][:CONTEXT_CHARS]

    def anchor(self) -> dict:
        data = self.cleaned_data
        return {
            "section_key": data["section_key"],
            "quote": data["quote"],
            "prefix": data["prefix"],
            "suffix": data["suffix"],
            "start": data["start"],
            "end": data["end"],
        }


class ReplyForm(MentionsForm):
    body = forms.CharField(
        label="Reply", max_length=10_000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ActionItemForm(forms.Form):
    title = forms.CharField(label="Action", max_length=200)
    owner = MemberChoiceField(queryset=None, empty_label=None)
    due_on = BoundedDateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, members, **kwargs):
        """``members``: a queryset of the team's members, the possible owners."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = members


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=SessionOutcome.choices, widget=forms.RadioSelect)
    decision_notes = forms.CharField(
        label="Decision notes",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was decided and why. Markdown.",
    )


class FocusForm(forms.Form):
    comment = forms.IntegerField(min_value=1)


# --- The Andon cord and the initiative's status (andon) ------------------------------------


class AndonPullForm(forms.Form):
    reason = forms.CharField(
        label="Why must the initiative stop?",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Everyone on the initiative sees this in a red banner until the cord is reset.",
    )


class AndonResetForm(forms.Form):
    resolution = forms.CharField(
        label="How was it resolved?",
        max_length=2_000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class InitiativeStatusForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=InitiativeStatus.choices)


class AddressedForm(forms.Form):
    """Mark a thread addressed, optionally saying how (posted to the thread as a reply)."""

    reply = forms.CharField(
        label="How was it addressed?",
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Posted to the thread as your reply.",
    )
