"""Review sessions, their participants, comments, replies and action items.

A session freezes one iteration (``revision``) and moves through
scheduled → reading → discussion → closed (or scheduled → cancelled). Every move
is one guarded function in ``services/``; ``SessionTransition`` keeps the record.

``sessions`` (sessions, participants, transitions), ``comments`` (comments,
replies, +1s, mentions) and ``actions`` (action items, the Andon cord) define
them; Django finds an app's models here, so this module names them all.

The privacy rule lives in one place, ``CommentQuerySet.visible_to``: a comment
made in a session that is still scheduled or reading is visible to its author
only; every other comment is visible to the members of the initiative's team.
Every page, fragment, feed, count and export reads comments through it.
"""

from .actions import (
    ActionItem,
    AndonPull,
    AndonStop,
)
from .comments import (
    UNRESOLVED_STATUSES,
    Anchoring,
    Comment,
    CommentKind,
    CommentStatus,
    Mention,
    Reaction,
    Reply,
    StatusCounts,
    mark_where_it_was,
)
from .sessions import (
    DISCUSSION_MINUTES,
    FINISHED_PHASES,
    PRIVATE_PHASES,
    REVEALED_PHASES,
    Participant,
    ParticipantRole,
    ReviewSession,
    SessionOutcome,
    SessionPhase,
    SessionTransition,
)

__all__ = [
    "ActionItem",
    "Anchoring",
    "AndonPull",
    "AndonStop",
    "Comment",
    "CommentKind",
    "CommentStatus",
    "DISCUSSION_MINUTES",
    "FINISHED_PHASES",
    "Mention",
    "PRIVATE_PHASES",
    "Participant",
    "ParticipantRole",
    "REVEALED_PHASES",
    "Reaction",
    "Reply",
    "ReviewSession",
    "SessionOutcome",
    "SessionPhase",
    "SessionTransition",
    "StatusCounts",
    "UNRESOLVED_STATUSES",
    "mark_where_it_was",
]
