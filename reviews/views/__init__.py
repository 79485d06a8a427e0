"""Review sessions: scheduling, the session page in each phase, its live status, comments.

The session page (/s/<id>/) is one view whose content follows the phase and the
viewer: the invitation before it starts, the silent read (countdown, the memo,
the viewer's own comments in the margin), the facilitator's panel, the
discussion (every comment, in document order) and the closed record. Views stay
thin: lookups give 404 to outsiders and 403 to members without the right,
forms parse, ``services`` decide. Every htmx request has a plain twin that
redirects back to the page.

Privacy: every comment a page, fragment or export shows comes from
``Comment.objects.visible_*`` (another reader's comment does not exist for you
until the discussion starts), and no count shown here counts comments.

``sessions`` holds the session views, ``comments`` the comment and thread views,
``common`` what both use (templates, permissions, the memo with its margin).
"""

from .comments import (
    action_item_create,
    action_item_done,
    comment_delete,
    comment_plus_one,
    comment_reopen,
    comment_resolve,
    iteration_comment_context,
    iteration_comment_create,
    reply_create,
    session_comment_create,
)
from .sessions import (
    ETAG_MAX_AGE_SECONDS,
    participant_done,
    session_calendar,
    session_cancel,
    session_close,
    session_create,
    session_detail,
    session_export,
    session_extend,
    session_focus,
    session_live,
    session_reschedule,
    session_start_discussion,
    session_start_reading,
)

__all__ = [
    "ETAG_MAX_AGE_SECONDS",
    "action_item_create",
    "action_item_done",
    "comment_delete",
    "comment_plus_one",
    "comment_reopen",
    "comment_resolve",
    "iteration_comment_context",
    "iteration_comment_create",
    "participant_done",
    "reply_create",
    "session_calendar",
    "session_cancel",
    "session_close",
    "session_comment_create",
    "session_create",
    "session_detail",
    "session_export",
    "session_extend",
    "session_focus",
    "session_live",
    "session_reschedule",
    "session_start_discussion",
    "session_start_reading",
]
