"""Review sessions as the services leave them: participants, transitions, comments, threads.

Functions of the running ``Seeder`` (its random generator, clock and activity list).
"""

from datetime import timedelta

from documents.models import Revision
from documents.rendering import render_markdown
from reviews import mentions
from reviews.anchoring import anchor_targets, index_to_utf16, resolve_anchor, section_plain_text
from reviews.models import (
    ActionItem,
    Comment,
    CommentKind,
    CommentStatus,
    Participant,
    ParticipantRole,
    Reaction,
    Reply,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
    SessionTransition,
)
from wbapp.accounts.models import User
from wbapp.activity.models import Verb

from . import text
from .plans import BATCH, word_spans


def anchor(seeder, revision: Revision, targets) -> dict:
    """A passage a reader would select, checked and stored as ``comment_create`` does."""
    rng = seeder.rng
    key, plain = rng.choices(targets, weights=[max(len(t[1]), 1) for t in targets])[0]
    words = word_spans(plain)
    if len(words) < 3 or rng.random() < 0.04:
        quote = ""  # the whole section
        start = end = None
        prefix = suffix = ""
    else:
        length = rng.randint(2, min(9, len(words) - 1))
        first = rng.randrange(0, len(words) - length)
        i, j = words[first][0], words[first + length - 1][1]
        quote = plain[i:j]
        prefix, suffix = plain[max(0, i - 32) : i], plain[j : j + 32]
        start, end = index_to_utf16(plain, i), index_to_utf16(plain, j)
    anchor = resolve_anchor(
        revision,
        section_key=key,
        quote=quote,
        prefix=prefix,
        suffix=suffix,
        start=start,
        end=end,
    )
    return {
        "section_key": anchor.section_key,
        "quote": anchor.quote,
        "prefix": anchor.prefix,
        "suffix": anchor.suffix,
        "start": anchor.start,
        "end": anchor.end,
        "document_order": anchor.document_order,
    }


def write_session(
    seeder,
    *,
    revision: Revision,
    phase: str,
    facilitator: User,
    participants: list[tuple[User, str]],
    writer: text.Writer,
    starts_at,
    reading_minutes: int,
    threads: int = 0,
    private_each: int = 0,
    outcome: str = "",
    title: str = "",
) -> ReviewSession:
    """A session of ``revision`` as the services leave it in ``phase``."""
    rng = seeder.rng
    document = revision.document
    initiative = document.initiative
    team = initiative.team
    iteration = {
        "document_id": document.pk,
        "document_title": document.display_title,
        "number": revision.number,
    }
    reading_started = discussion_started = closed_at = reading_ends = None
    if phase != SessionPhase.SCHEDULED:
        reading_started = starts_at + timedelta(minutes=2)
        reading_ends = reading_started + timedelta(minutes=reading_minutes)
    if phase in (SessionPhase.DISCUSSION, SessionPhase.CLOSED):
        discussion_started = reading_ends - timedelta(minutes=rng.randint(0, 3))
    if phase == SessionPhase.CLOSED:
        closed_at = discussion_started + timedelta(minutes=rng.randint(20, 40))
    decision = writer.decision() if phase == SessionPhase.CLOSED else ""
    if outcome == SessionOutcome.APPROVED:
        decision = "Approved: fund the launch as written."
    elif outcome == SessionOutcome.SHELVED:
        decision = "Shelved: the benefit does not justify the cost this year."
    created_at = starts_at - timedelta(days=2)
    session = ReviewSession.objects.create(
        initiative=initiative,
        document=document,
        revision=revision,
        title=title or f"Review of {document.display_title}, iteration {revision.number}",
        starts_at=starts_at,
        reading_minutes=reading_minutes,
        facilitator=facilitator,
        phase=phase,
        reading_started_at=reading_started,
        reading_ends_at=reading_ends,
        discussion_started_at=discussion_started,
        closed_at=closed_at,
        outcome=outcome if phase == SessionPhase.CLOSED else "",
        decision_notes=decision,
        decision_html=render_markdown(decision),
        created_by=facilitator,
        created_at=created_at,
    )
    session_payload = {"session_id": session.pk, "session_title": session.title}
    seeder.activity(
        team=team,
        actor=facilitator,
        verb=Verb.SESSION_SCHEDULED,
        at=created_at,
        initiative=initiative,
        **session_payload,
        **iteration,
        starts_at=starts_at.isoformat(),
        reading_minutes=reading_minutes,
        facilitator_id=facilitator.pk,
        participant_ids=[user.pk for user, _ in participants],
    )
    # --- Participants and transitions ---
    done_share = {SessionPhase.READING: 0.4}.get(phase, 1.0)
    rows = []
    for user, role in participants:
        joined = done = None
        if reading_started is not None:
            joined = reading_started + timedelta(seconds=rng.randint(0, 120))
            end = reading_ends if phase != SessionPhase.READING else seeder.now
            if rng.random() < done_share and end > joined:
                done = min(end, joined + timedelta(minutes=rng.randint(5, reading_minutes)))
        rows.append(
            Participant(
                session=session,
                user=user,
                role=role,
                invited_at=created_at,
                joined_at=joined,
                done_at=done,
            )
        )
    Participant.objects.bulk_create(rows)
    moves = []
    if reading_started is not None:
        moves.append((SessionPhase.SCHEDULED, SessionPhase.READING, reading_started))
        seeder.activity(
            team=team,
            actor=facilitator,
            verb=Verb.SESSION_STARTED,
            at=reading_started,
            initiative=initiative,
            **session_payload,
            reading_ends_at=reading_ends.isoformat(),
        )
    if discussion_started is not None:
        moves.append((SessionPhase.READING, SessionPhase.DISCUSSION, discussion_started))
    if closed_at is not None:
        moves.append((SessionPhase.DISCUSSION, SessionPhase.CLOSED, closed_at))
    SessionTransition.objects.bulk_create(
        SessionTransition(session=session, from_phase=a, to_phase=b, by=facilitator, at=at)
        for a, b, at in moves
    )
    # --- Comments ---
    commenters = [user for user, role in participants if role != ParticipantRole.OBSERVER]
    targets = [(t.key, section_plain_text(t.html)) for t in anchor_targets(revision)]
    comments = []
    if phase == SessionPhase.READING:
        for user in commenters:
            for _ in range(private_each):
                comments.append(
                    comment(
                        seeder,
                        revision,
                        session,
                        user,
                        writer,
                        targets,
                        reading_started,
                        seeder.now,
                    )
                )
    elif threads and reading_started is not None:
        for _ in range(threads):
            comments.append(
                comment(
                    seeder,
                    revision,
                    session,
                    rng.choice(commenters),
                    writer,
                    targets,
                    reading_started,
                    discussion_started,
                )
            )
    Comment.objects.bulk_create(comments, batch_size=BATCH)
    bumps = len(moves) + sum(1 for p in rows if p.joined_at) + sum(1 for p in rows if p.done_at)
    if discussion_started is not None and comments:
        bumps += discussion(
            seeder,
            session=session,
            comments=comments,
            participants=commenters,
            facilitator=facilitator,
            writer=writer,
            start=discussion_started,
            end=closed_at or seeder.now,
            iteration=iteration,
            resolve_all=phase == SessionPhase.CLOSED,
        )
    if discussion_started is not None:
        seeder.activity(
            team=team,
            actor=facilitator,
            verb=Verb.SESSION_DISCUSSION,
            at=discussion_started,
            initiative=initiative,
            **session_payload,
            by_timer=False,
        )
    if closed_at is not None:
        seeder.activity(
            team=team,
            actor=facilitator,
            verb=Verb.DECISION_RECORDED,
            at=closed_at,
            initiative=initiative,
            **session_payload,
            **iteration,
            outcome=outcome,
            decision_notes=decision[:500],
        )
    session.state_version = 1 + bumps
    focused = None
    if phase == SessionPhase.DISCUSSION and comments:
        ordered = sorted(comments, key=lambda c: (c.document_order, c.created_at, c.pk))
        focused = ordered[min(len(ordered) - 1, len(ordered) // 12)]
    session.focused_comment = focused
    ReviewSession.objects.filter(pk=session.pk).update(
        state_version=session.state_version, focused_comment=focused
    )
    return session


def comment(seeder, revision, session, author, writer, targets, start, end) -> Comment:
    rng = seeder.rng
    kind = rng.choices(CommentKind.values, weights=[40, 30, 22, 8])[0]
    body = writer.comment(kind)
    span = max(int((end - start).total_seconds()), 1)
    return Comment(
        revision=revision,
        initiative=revision.document.initiative,
        session=session,
        author=author,
        kind=kind,
        body=body,
        body_html=mentions.render_body(body),
        created_at=start + timedelta(seconds=rng.randint(0, span)),
        **anchor(seeder, revision, targets),
    )


def discussion(
    seeder,
    *,
    session,
    comments,
    participants,
    facilitator,
    writer,
    start,
    end,
    iteration,
    resolve_all,
) -> int:
    """What a discussion adds to revealed threads: replies, +1s, resolutions, action items."""
    rng = seeder.rng
    initiative = session.initiative
    team = initiative.team
    session_payload = {"session_id": session.pk, "session_title": session.title}
    span = max(int((end - start).total_seconds()), 1)
    bumps = 0
    replies, reactions, items = [], [], []
    for comment in comments:
        # The reveal records every comment the reading kept back (services._reveal).
        seeder.activity(
            team=team,
            actor=comment.author,
            verb=Verb.COMMENT_ADDED,
            at=start,
            initiative=initiative,
            comment_id=comment.pk,
            **session_payload,
            **iteration,
            kind=comment.kind,
            section_key=comment.section_key,
        )
        count = 1 if resolve_all else rng.choices([0, 1, 2, 3, 4], [30, 30, 20, 12, 8])[0]
        for _ in range(count):
            body = writer.reply()
            replies.append(
                Reply(
                    comment=comment,
                    author=rng.choice(participants + [facilitator]),
                    body=body,
                    body_html=mentions.render_body(body),
                    created_at=start + timedelta(seconds=rng.randint(0, span)),
                )
            )
        for user in rng.sample(participants, min(len(participants), rng.choice([0, 0, 1, 2]))):
            if user.pk != comment.author_id:
                reactions.append(Reaction(comment=comment, user=user, created_at=start))
        if resolve_all or rng.random() < 0.2:
            comment.status = CommentStatus.RESOLVED
            comment.resolved_by = facilitator
            comment.resolved_at = start + timedelta(seconds=rng.randint(0, span))
            bumps += 1
        if rng.random() < 0.03:
            items.append(
                ActionItem(
                    initiative=initiative,
                    session=session,
                    comment=comment,
                    title=writer.action_item(),
                    owner=rng.choice(participants),
                    due_on=(end + timedelta(days=rng.randint(3, 20))).date(),
                    created_by=facilitator,
                    created_at=start + timedelta(seconds=rng.randint(0, span)),
                )
            )
    Comment.objects.bulk_update(
        [c for c in comments if c.status == CommentStatus.RESOLVED],
        ["status", "resolved_by", "resolved_at"],
        batch_size=BATCH,
    )
    Reply.objects.bulk_create(replies, batch_size=BATCH)
    Reaction.objects.bulk_create(reactions, batch_size=BATCH)
    ActionItem.objects.bulk_create(items)
    for reply in replies:
        seeder.activity(
            team=team,
            actor=reply.author,
            verb=Verb.REPLY_ADDED,
            at=reply.created_at,
            initiative=initiative,
            comment_id=reply.comment.pk,
            reply_id=reply.pk,
            comment_author_id=reply.comment.author_id,
            **iteration,
        )
    for item in items:
        seeder.activity(
            team=team,
            actor=facilitator,
            verb=Verb.ACTION_ITEM_ASSIGNED,
            at=item.created_at,
            initiative=initiative,
            action_item_id=item.pk,
            title=item.title,
            owner_id=item.owner_id,
            due_on=item.due_on.isoformat(),
            session_id=session.pk,
            comment_id=item.comment_id,
        )
    return bumps + len(replies) + len(reactions) + len(items)
