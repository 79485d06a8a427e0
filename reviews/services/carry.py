"""Carrying unresolved threads forward to a new iteration.

``documents.signals.iteration_saved`` is sent inside the transaction that saves
an iteration, and ``reviews/receivers.py`` calls ``carry_forward`` from it: the copies
commit with the iteration or not at all, so a saved iteration never lacks a
thread of the one before.

What is carried: every comment on an earlier iteration of the document that

- is open, addressed or outdated (a resolved thread stays where it was resolved);
- the whole team sees and no session is still working on: asynchronous comments
  and comments of closed sessions. A reading's private comments belong to an
  unfinished session, and a discussion is still stepping through and resolving
  its threads; when such a session closes after a newer iteration was saved,
  ``session_close`` carries its threads then (``carry_to_latest``);
- has no copy yet, i.e. is the newest copy of its thread. Usually these are all
  on the previous iteration; a thread made on an older iteration after a newer
  one was saved joins at the next save.

What a copy is: a new Comment on the new iteration with the same author, kind,
body and creation time (feeds and digests do not show it as new), anchored to
the same words there by ``reanchoring.py``; status open or addressed as before,
or outdated (anchoring "lost", the old quote kept) when the words are gone, and
open or addressed again if a later iteration brings them back. ``origin`` is
the first comment of the chain, ``carried_from`` the copy before. The copy has
no session: it is a thread of the new iteration, the session keeps its record.
Replies and +1s are copied with it, so the newest copy holds the whole
conversation and every page shows it like any other thread. The older copy stays
as it was, the record of its iteration; services refuse to change it.

Cost: a fixed number of queries however many threads (the threads, the old
iterations' texts when they are not the previous one, then one INSERT each for
comments, replies and +1s), and each section's plain text is computed once.
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q, Subquery

from documents.models import Document, Revision
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from .. import live
from ..anchoring import CONTEXT_CHARS, anchor_targets, document_order_key, section_plain_text
from ..models import (
    UNRESOLVED_STATUSES,
    Anchoring,
    Comment,
    CommentStatus,
    Reaction,
    Reply,
    SessionPhase,
)
from ..reanchoring import EXACT, FUZZY, MOVED, Match, Reanchorer, Text

ANCHORING = {EXACT: Anchoring.EXACT, FUZZY: Anchoring.FUZZY, MOVED: Anchoring.MOVED}


@dataclass(frozen=True)
class CarryResult:
    carried: int = 0
    outdated: int = 0
    comments: list = field(default_factory=list)


def carryable(document_id: int, before_number: int):
    """The threads a new iteration numbered ``before_number`` takes over."""
    return Comment.objects.filter(
        revision__document_id=document_id,
        revision__number__lt=before_number,
        status__in=UNRESOLVED_STATUSES,
        carried_to__isnull=True,
    ).filter(Q(session__isnull=True) | Q(session__phase=SessionPhase.CLOSED))


def texts_of(revision: Revision) -> dict[str, Text]:
    """{section or FAQ key: its plain text}, in document order."""
    return {t.key: Text(section_plain_text(t.html)) for t in anchor_targets(revision)}


def _old_revisions(threads, previous: Revision | None) -> dict[int, Revision]:
    revisions = {}
    if previous is not None and not {"content", "rendered"} & previous.get_deferred_fields():
        revisions[previous.pk] = previous
    missing = {c.revision_id for c in threads} - revisions.keys()
    if missing:
        revisions.update(Revision.objects.only("pk", "content", "rendered").in_bulk(missing))
    return revisions


def _find(reanchorer: Reanchorer, comment: Comment) -> Match | None:
    lost = comment.anchoring == Anchoring.LOST
    return reanchorer.find(
        key=comment.section_key,
        quote=comment.quote,
        prefix=comment.prefix,
        suffix=comment.suffix,
        # A lost thread's offsets point nowhere; its quote and context still say what to look for.
        start=None if lost else comment.start,
        end=None if lost else comment.end,
    )


def _copy(comment: Comment, revision: Revision, match: Match | None, new_texts, order) -> Comment:
    copy = Comment(
        revision=revision,
        initiative_id=comment.initiative_id,
        session=None,
        author_id=comment.author_id,
        kind=comment.kind,
        body=comment.body,
        body_html=comment.body_html,
        created_at=comment.created_at,
        edited_at=comment.edited_at,
        origin_id=comment.origin_id or comment.pk,
        carried_from_id=comment.pk,
        addressed_by_id=comment.addressed_by_id,
        addressed_at=comment.addressed_at,
    )
    if match is None:
        # Outdated: the old quote and context stay, to show what the thread was about.
        copy.section_key = comment.section_key
        copy.quote, copy.prefix, copy.suffix = comment.quote, comment.prefix, comment.suffix
        copy.start = copy.end = 0
        copy.document_order = document_order_key(order.get(comment.section_key, len(order)), 0)
        copy.status = CommentStatus.OUTDATED
        copy.anchoring = Anchoring.LOST
        return copy
    text = new_texts[match.key]
    i, j = match.start, match.end
    copy.section_key = match.key
    copy.quote = text.raw[i:j]
    copy.prefix = text.raw[max(0, i - CONTEXT_CHARS) : i] if j > i else ""
    copy.suffix = text.raw[j : j + CONTEXT_CHARS] if j > i else ""
    copy.start, copy.end = text.utf16(i), text.utf16(j)
    copy.document_order = document_order_key(order[match.key], copy.start)
    copy.status = CommentStatus.ADDRESSED if comment.addressed_at else CommentStatus.OPEN
    copy.anchoring = ANCHORING[match.how]
    return copy


@transaction.atomic(savepoint=False)
def carry_forward(
    *, revision: Revision, previous: Revision | None = None, user=None
) -> CarryResult:
    """Copy the document's unresolved threads onto ``revision``, re-anchored.

    Call inside the transaction that created ``revision`` while holding the
    document's row lock (iteration_save does), so two carries never take the
    same thread; the one-to-one ``carried_from`` is the backstop. The threads
    are locked too: resolving or replying to one waits, then sees the copy and
    refuses (services/comments.py).
    """
    threads = list(
        carryable(revision.document_id, revision.number)
        .select_for_update(of=("self",))
        .order_by("revision_id", "document_order", "pk")
    )
    if not threads:
        return CarryResult()
    targets = anchor_targets(revision)
    order = {t.key: t.index for t in targets}
    new_texts = {t.key: Text(section_plain_text(t.html)) for t in targets}
    reanchorers = {
        pk: Reanchorer(texts_of(old), new_texts)
        for pk, old in _old_revisions(threads, previous).items()
    }
    copies = [
        _copy(c, revision, _find(reanchorers[c.revision_id], c), new_texts, order) for c in threads
    ]
    Comment.objects.bulk_create(copies)
    new_of = {c.carried_from_id: c for c in copies}
    ids = list(new_of)
    # The older copies now say where each thread continues.
    live.changed(comment_ids=ids)
    Reply.objects.bulk_create(
        Reply(
            comment=new_of[r.comment_id],
            author_id=r.author_id,
            body=r.body,
            body_html=r.body_html,
            created_at=r.created_at,
        )
        for r in Reply.objects.filter(comment_id__in=ids).order_by("created_at", "pk")
    )
    Reaction.objects.bulk_create(
        Reaction(comment=new_of[r.comment_id], user_id=r.user_id, created_at=r.created_at)
        for r in Reaction.objects.filter(comment_id__in=ids).order_by("pk")
    )
    outdated = sum(1 for c in copies if c.anchoring == Anchoring.LOST)
    document = revision.document
    initiative = document.initiative
    activity_record(
        team=initiative.team,
        actor=user,
        verb=Verb.COMMENTS_CARRIED,
        initiative=initiative,
        document_id=document.pk,
        document_title=document.display_title,
        number=revision.number,
        carried=len(copies),
        outdated=outdated,
    )
    return CarryResult(carried=len(copies), outdated=outdated, comments=copies)


def carry_to_latest(*, document_id: int, after_revision_id: int, user=None) -> CarryResult:
    """Carry threads that have become carryable to the newest iteration, if it is newer.

    For a session that closes after a newer iteration of its document was saved:
    its threads were not carried then (the discussion was working on them).
    Takes the document's row lock, as saving an iteration does.
    """
    Document.objects.select_for_update().filter(pk=document_id).values_list("pk").get()
    after = Revision.objects.filter(pk=after_revision_id).values("number")
    latest = (
        Revision.objects.filter(document_id=document_id, number__gt=Subquery(after))
        .select_related("document__initiative__team")
        .order_by("-number")
        .first()
    )
    if latest is None:
        return CarryResult()
    return carry_forward(revision=latest, user=user)
