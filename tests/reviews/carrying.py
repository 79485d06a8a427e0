"""Helpers for carry-forward tests: real drafts, real iterations, comments on real words.

Everything goes through the services, so an iteration saved here carries its
threads exactly as it does for a user.
"""

from documents.models import Document, Revision
from documents.services.drafting import section_save
from reviews.anchoring import anchor_targets, section_plain_text
from reviews.models import Comment, CommentKind
from reviews.reanchoring import Text
from reviews.services.comments import comment_create
from tests.documents.factories import iteration_save_changed, prfaq_for


def prfaq_with(cast, **bodies: str) -> Document:
    """A PR/FAQ of the cast's team (owned by the editor) with these section bodies."""
    document = prfaq_for(cast)
    write(cast, document, **bodies)
    return document


def write(cast, document: Document, **bodies: str) -> None:
    for key, body in bodies.items():
        section = document.sections.get(key=key)
        section_save(user=cast.editor, section=section, body=body, base_version=section.version)


def save(cast, document: Document, note: str = "") -> Revision:
    return iteration_save_changed(user=cast.editor, document=document, note=note)


def text_of(revision: Revision, key: str) -> Text:
    target = next(t for t in anchor_targets(revision) if t.key == key)
    return Text(section_plain_text(target.html))


def comment_on(user, revision: Revision, key: str, quote: str, occurrence: int = 0, **kwargs):
    """An asynchronous comment on the ``occurrence``-th ``quote`` in section ``key``."""
    text = text_of(revision, key)
    at = -1
    for _ in range(occurrence + 1):
        at = text.raw.index(quote, at + 1)
    options = {"kind": CommentKind.QUESTION, "body": "Why?"}
    return comment_create(
        user=user,
        revision=revision,
        section_key=key,
        quote=quote,
        prefix=text.raw[max(0, at - 32) : at],
        suffix=text.raw[at + len(quote) : at + len(quote) + 32],
        start=text.utf16(at),
        end=text.utf16(at + len(quote)),
        **{**options, **kwargs},
    )


def copy_of(comment: Comment) -> Comment:
    """The comment's copy on the next iteration it was carried to."""
    return Comment.objects.select_related("revision").get(carried_from=comment)


def words_at(comment: Comment) -> str:
    """What the comment's iteration says at its stored offsets (UTF-16 units)."""
    text = text_of(comment.revision, comment.section_key)
    return text.raw[text.index(comment.start) : text.index(comment.end)]


# Anchors the property tests re-anchored in this run (shown by conftest.py at the end).
ANCHORS_EXERCISED = [0]


def count_anchors(n: int = 1) -> None:
    ANCHORS_EXERCISED[0] += n
