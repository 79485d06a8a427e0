"""Action items: created from a thread or a session, ticked off by their owner."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from documents.models import Initiative
from wbapp.accounts.rules import is_editor, is_member, is_reviewer
from wbapp.activity.models import Verb
from wbapp.activity.recording import activity_record
from wbapp.dates import check_day

from .. import live
from ..models import (
    ActionItem,
    Comment,
    ReviewSession,
)
from .common import (
    check_member_ids,
    lock_phase,
    may_discuss,
    require,
    require_open_thread,
    require_visible,
    revealed,
)

ACTION_TITLE_MAX = ActionItem._meta.get_field("title").max_length


def action_item_create(
    *,
    user,
    initiative: Initiative,
    title: str,
    owner,
    due_on: date | None = None,
    comment: Comment | None = None,
    session: ReviewSession | None = None,
) -> ActionItem:
    """An action item with an owner, optionally from a thread and/or in a session."""
    if comment is not None:
        if comment.initiative_id != initiative.pk:
            raise ValidationError("That comment belongs to another initiative.", code="initiative")
        if session is None and comment.session_id is not None:
            session = comment.session
        elif session is not None and comment.session_id not in (None, session.pk):
            raise ValidationError("That comment belongs to another session.", code="session")
        require_visible(user, comment)
        if not may_discuss(user, comment):
            raise PermissionDenied
    elif session is not None:
        if session.initiative_id != initiative.pk:
            raise ValidationError("That session belongs to another initiative.", code="session")
        require(user, "reviews.comment_in_session", session)
    elif not is_reviewer(user, initiative.team):
        raise PermissionDenied
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": "Say what needs doing."}, code="required")
    if len(title) > ACTION_TITLE_MAX:
        raise ValidationError({"title": f"At most {ACTION_TITLE_MAX} characters."})
    if due_on is not None:
        # Any past date is allowed (an item noted late), but none before 2000.
        check_day(due_on, today=timezone.localdate(), field="due_on")
    check_member_ids(
        initiative.team, {owner.pk}, "owner", "The owner must be a member of the team."
    )
    with transaction.atomic():
        phase = None
        if session is not None:
            phase, _ = lock_phase(session.pk)
            require_open_thread(phase, "Action items can be added")
        item = ActionItem.objects.create(
            initiative=initiative,
            session=session,
            comment=comment,
            title=title,
            owner=owner,
            due_on=due_on,
            created_by=user,
        )
        activity_record(
            team=initiative.team,
            actor=user,
            verb=Verb.ACTION_ITEM_ASSIGNED,
            initiative=initiative,
            action_item_id=item.pk,
            title=title,
            owner_id=owner.pk,
            due_on=due_on.isoformat() if due_on else None,
            session_id=session.pk if session else None,
            comment_id=comment.pk if comment else None,
        )
        live.changed(
            comment_ids=[comment.pk] if comment is not None else [],
            session_id=revealed(session.pk if session is not None else None, phase),
        )
    return item


def action_item_set_done(*, user, item: ActionItem, done: bool = True) -> ActionItem:
    """Tick an action item off (or back on): its owner, its creator, editors and owners."""
    team = item.initiative.team
    if not is_member(user, team):
        raise PermissionDenied
    if not item.may_be_ticked_by(user, team_editor=is_editor(user, team)):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        phase = lock_phase(item.session_id)[0] if item.session_id is not None else None
        rows = ActionItem.objects.filter(pk=item.pk, done_at__isnull=done)
        if rows.update(done_at=now if done else None):
            live.changed(
                comment_ids=[item.comment_id] if item.comment_id is not None else [],
                session_id=revealed(item.session_id, phase),
            )
    item.refresh_from_db(fields=["done_at"])
    return item
