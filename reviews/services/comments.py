"""Comments, replies, resolutions, +1s, "addressed", and the mentions they make."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from documents.models import Revision
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record

from .. import live, mentions
from ..anchoring import resolve_anchor
from ..models import (
    FINISHED_PHASES,
    PRIVATE_PHASES,
    UNRESOLVED_STATUSES,
    Comment,
    CommentKind,
    CommentStatus,
    Mention,
    Reaction,
    Reply,
    ReviewSession,
    SessionPhase,
)
from .common import (
    IllegalTransition,
    clean_body,
    comment_session_phase,
    iteration_payload,
    lock_phase,
    may_discuss,
    phase_is,
    require,
    require_open_thread,
    require_visible,
    revealed,
    session_payload,
)
from .phases import session_end_reading_if_due


def _check_kind(kind: str) -> None:
    if kind not in CommentKind.values:
        raise ValidationError({"kind": f"“{kind}” is not a kind of comment."}, code="kind")


def _comment_activity(comment: Comment, *, user) -> None:
    payload = {"comment_id": comment.pk, **iteration_payload(comment.revision_id)}
    if comment.session_id is not None:
        payload.update(session_payload(comment.session))
    activity_record(
        team=comment.initiative.team,
        actor=user,
        verb=Verb.COMMENT_ADDED,
        initiative=comment.initiative,
        **payload,
        kind=comment.kind,
        section_key=comment.section_key,
    )


def comment_create(
    *,
    user,
    revision: Revision,
    session: ReviewSession | None = None,
    kind: str,
    body: str,
    section_key: str,
    quote: str = "",
    prefix: str = "",
    suffix: str = "",
    start: int | None = None,
    end: int | None = None,
) -> Comment:
    """A comment anchored to a passage of an iteration.

    In a session: the facilitator, reviewers and bar raisers comment during the
    reading (privately) and the discussion (visible at once); a reading whose
    time is up ends first. Outside sessions: team reviewers, editors and owners
    comment on any iteration, visible to the team at once.
    """
    initiative = revision.document.initiative
    if session is None:
        require(user, "reviews.comment_on_initiative", initiative)
    else:
        if session.revision_id != revision.pk:
            raise ValidationError("This session reviews another iteration.", code="revision")
        require(user, "reviews.comment_in_session", session)
    _check_kind(kind)
    body = clean_body(body)
    anchor = resolve_anchor(
        revision,
        section_key=section_key,
        quote=quote or "",
        prefix=prefix or "",
        suffix=suffix or "",
        start=start,
        end=end,
    )
    found = mentions.find_mentions(body, team=initiative.team, author=user)
    now = timezone.now()
    with transaction.atomic():
        phase = None
        if session is not None:
            phase, ends_at = lock_phase(session.pk)
            if phase == SessionPhase.READING and ends_at <= now:
                session_end_reading_if_due(session_id=session.pk, now=now)
                phase = SessionPhase.DISCUSSION
                session.phase = phase
            if phase not in (SessionPhase.READING, SessionPhase.DISCUSSION):
                raise IllegalTransition(
                    f"Comments in this session are closed: {phase_is(phase)}.", code="phase"
                )
        comment = Comment.objects.create(
            revision=revision,
            initiative=initiative,
            session=session,
            author=user,
            kind=kind,
            body=body,
            body_html=mentions.render_body(body, found, initiative_id=initiative.pk),
            section_key=anchor.section_key,
            quote=anchor.quote,
            prefix=anchor.prefix,
            suffix=anchor.suffix,
            start=anchor.start,
            end=anchor.end,
            document_order=anchor.document_order,
            created_at=now,
        )
        # A comment made during the reading leaves no trace anyone else can see:
        # no activity (recorded at the reveal) and no change the live pages hear of.
        if phase != SessionPhase.READING:
            _comment_activity(comment, user=user)
        _record_mentions(
            comment=comment, result=found, by=user, notify=phase != SessionPhase.READING
        )
        live.changed(session_id=revealed(comment.session_id, phase))
    comment.mention_result = found
    return comment


def _require_newest_copy(comment: Comment) -> None:
    """A carried thread goes on on its newest copy; older copies are their iteration's record.

    Locks the comment row first (call inside the transaction, after the session
    lock): a carry in progress holds it, so we wait and then see its copy.
    """
    Comment.objects.select_for_update(no_key=True).filter(pk=comment.pk).values_list("pk").first()
    number = (
        Comment.objects.filter(carried_from_id=comment.pk)
        .values_list("revision__number", flat=True)
        .first()
    )
    if number is not None:
        raise IllegalTransition(
            f"This thread continues on iteration {number}: reply to it and change it there.",
            code="carried",
        )


def comment_edit(*, user, comment: Comment, body: str, kind: str | None = None) -> Comment:
    """The author rewrites their comment (and may change its kind) until the session closes."""
    if comment.author_id != user.pk:
        raise PermissionDenied
    require_visible(user, comment)
    body = clean_body(body)
    if kind is not None:
        _check_kind(kind)
    found = mentions.find_mentions(body, team=comment.initiative.team, author=user)
    now = timezone.now()
    with transaction.atomic():
        phase = comment_session_phase(comment)
        if phase in FINISHED_PHASES:
            raise IllegalTransition(
                "Comments cannot be edited: the session is over and its record is read-only.",
                code="finished",
            )
        _require_newest_copy(comment)
        comment.body = body
        comment.body_html = mentions.render_body(body, found, initiative_id=comment.initiative_id)
        comment.kind = kind or comment.kind
        comment.edited_at = now
        comment.save(update_fields=["body", "body_html", "kind", "edited_at"])
        # Only people newly named are told; during the reading the reveal tells them.
        _record_mentions(
            comment=comment,
            result=found,
            by=user,
            notify=phase not in PRIVATE_PHASES,
            edited=True,
        )
        live.changed(comment_ids=[comment.pk], session_id=revealed(comment.session_id, phase))
    comment.mention_result = found
    return comment


def comment_delete(*, user, comment: Comment) -> None:
    """The author takes back a comment while it is still private (during the reading)."""
    if comment.author_id != user.pk:
        raise PermissionDenied
    with transaction.atomic():
        phase = comment_session_phase(comment)
        if phase not in PRIVATE_PHASES:
            raise IllegalTransition(
                "Only comments made during the reading can be taken back, before the reveal.",
                code="revealed",
            )
        comment.delete()


def reply_create(*, user, comment: Comment, body: str) -> Reply:
    require_visible(user, comment)
    if not may_discuss(user, comment):
        raise PermissionDenied
    body = clean_body(body)
    found = mentions.find_mentions(body, team=comment.initiative.team, author=user)
    with transaction.atomic():
        phase = comment_session_phase(comment)
        require_open_thread(phase, "Replies are possible")
        _require_newest_copy(comment)
        reply = Reply.objects.create(
            comment=comment,
            author=user,
            body=body,
            body_html=mentions.render_body(body, found, initiative_id=comment.initiative_id),
        )
        activity_record(
            team=comment.initiative.team,
            actor=user,
            verb=Verb.REPLY_ADDED,
            initiative=comment.initiative,
            comment_id=comment.pk,
            reply_id=reply.pk,
            comment_author_id=comment.author_id,
            **iteration_payload(comment.revision_id),
            # A reply in a live session does not e-mail those in the room (notifications).
            **({"session_id": comment.session_id} if comment.session_id else {}),
        )
        _record_mentions(comment=comment, reply=reply, result=found, by=user, notify=True)
        live.changed(comment_ids=[comment.pk], session_id=revealed(comment.session_id, phase))
    reply.mention_result = found
    return reply


def _set_status(*, user, comment: Comment, resolved: bool) -> Comment:
    require_visible(user, comment)
    require(user, "reviews.moderate_comment", comment)
    now = timezone.now()
    with transaction.atomic():
        phase = comment_session_phase(comment)
        require_open_thread(phase, "Comments can be resolved or reopened")
        _require_newest_copy(comment)
        if resolved:
            # Open, addressed (the commenter verifies) or outdated (no longer relevant).
            values = {"status": CommentStatus.RESOLVED, "resolved_by": user, "resolved_at": now}
            rows = Comment.objects.filter(pk=comment.pk, status__in=UNRESOLVED_STATUSES)
        else:
            # A resolved or addressed thread opens again ("addressed" is withdrawn); one
            # whose words are gone from its iteration goes back to outdated.
            values = {
                "status": CommentStatus.OUTDATED if comment.passage_lost else CommentStatus.OPEN,
                "resolved_by": None,
                "resolved_at": None,
                "addressed_by": None,
                "addressed_at": None,
            }
            rows = Comment.objects.filter(
                pk=comment.pk, status__in=[CommentStatus.RESOLVED, CommentStatus.ADDRESSED]
            )
        if rows.update(**values):
            live.changed(comment_ids=[comment.pk], session_id=revealed(comment.session_id, phase))
    comment.refresh_from_db(
        fields=["status", "resolved_by", "resolved_at", "addressed_by", "addressed_at"]
    )
    return comment


def comment_resolve(*, user, comment: Comment) -> Comment:
    """Resolve a thread (its author, the session's facilitator, editors and owners)."""
    return _set_status(user=user, comment=comment, resolved=True)


def comment_reopen(*, user, comment: Comment) -> Comment:
    return _set_status(user=user, comment=comment, resolved=False)


def comment_toggle_plus_one(*, user, comment: Comment) -> bool:
    """Add the user's "+1" to a comment, or take it back; True if it is now there."""
    require_visible(user, comment)
    if not may_discuss(user, comment):
        raise PermissionDenied
    with transaction.atomic():
        phase = comment_session_phase(comment)
        require_open_thread(phase, "+1s are possible")
        _require_newest_copy(comment)
        removed, _ = Reaction.objects.filter(comment=comment, user=user).delete()
        if not removed:
            try:
                with transaction.atomic():
                    Reaction.objects.create(comment=comment, user=user)
            except IntegrityError:
                # A double click: the other request added it a moment ago.
                pass
        live.changed(comment_ids=[comment.pk], session_id=revealed(comment.session_id, phase))
    return not removed


def comment_mark_addressed(*, user, comment: Comment, reply: str = "") -> Comment:
    """The document's side says a thread is dealt with: an editor or owner marks it addressed.

    The commenter (or an editor) then verifies: resolves it, or reopens it. The
    optional ``reply`` says how, posted to the thread like any reply. Open and
    outdated threads can be marked (an outdated one: "removed on purpose"). A
    blocker still needs its resolution before the initiative can be approved.
    """
    require_visible(user, comment)
    require(user, "reviews.address_comment", comment)
    reply = (reply or "").strip()
    if reply:
        reply = clean_body(reply, field="reply")
    now = timezone.now()
    with transaction.atomic():
        phase = comment_session_phase(comment)
        require_open_thread(phase, "Threads can be marked addressed")
        _require_newest_copy(comment)
        marked = Comment.objects.filter(
            pk=comment.pk, status__in=[CommentStatus.OPEN, CommentStatus.OUTDATED]
        ).update(
            status=CommentStatus.ADDRESSED,
            addressed_by=user,
            addressed_at=now,
        )
        if not marked:
            status = Comment.objects.filter(pk=comment.pk).values_list("status", flat=True).get()
            raise IllegalTransition(
                "Only an open or outdated thread can be marked addressed; this one is "
                f"{CommentStatus(status).label.lower()}.",
                code="status",
            )
        answer = reply_create(user=user, comment=comment, body=reply) if reply else None
        activity_record(
            team=comment.initiative.team,
            actor=user,
            verb=Verb.COMMENT_ADDRESSED,
            initiative=comment.initiative,
            comment_id=comment.pk,
            comment_author_id=comment.author_id,
            kind=comment.kind,
            reply_id=answer.pk if answer else None,
            **iteration_payload(comment.revision_id),
        )
        live.changed(comment_ids=[comment.pk], session_id=revealed(comment.session_id, phase))
    comment.refresh_from_db(fields=["status", "addressed_by", "addressed_at"])
    return comment


def _record_mentions(
    *,
    comment: Comment,
    result: "mentions.MentionResult",
    by,
    notify: bool,
    reply: Reply | None = None,
    edited: bool = False,
) -> list[int]:
    """Record who ``comment`` (or ``reply``) names; tell them unless ``notify`` is False.

    One "mentioned" activity per text, with every newly named member in
    ``mentioned_ids`` (the notifications fan-out makes each a personal recipient).
    An edit records and tells only the members it newly names. Returns their ids.
    """
    if not result.members:
        return []
    already = set()
    if edited:
        already = set(
            Mention.objects.filter(comment=comment, reply=reply).values_list("user_id", flat=True)
        )
    new = [member for member in result.members if member.pk not in already]
    if not new:
        return []
    Mention.objects.bulk_create(
        Mention(comment=comment, reply=reply, user=member, by=by) for member in new
    )
    if notify:
        payload = {
            "comment_id": comment.pk,
            "reply_id": reply.pk if reply is not None else None,
            "mentioned_ids": [member.pk for member in new],
            **iteration_payload(comment.revision_id),
        }
        if comment.session_id is not None:
            payload.update(session_payload(comment.session))
        activity_record(
            team=comment.initiative.team,
            actor=by,
            verb=Verb.MENTIONED,
            initiative=comment.initiative,
            **payload,
        )
    return [member.pk for member in new]
