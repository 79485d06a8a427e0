"""Every write to review sessions, participants, comments, action items and the Andon cord.

One module per group of writes (as Zulip's ``zerver/actions/``); import the function
from its module (``from reviews.services.comments import reply_create``):

- ``scheduling``: schedule, reschedule and cancel a session;
- ``phases``: the reading and its end, the discussion's focus, who joined and who is done;
- ``comments``: comments, replies, resolutions, +1s, "addressed" and mentions;
- ``action_items``: action items and ticking them off;
- ``decisions``: the session's outcome, the initiative's status and the Andon cord;
- ``common``: what they share (permission checks, the phase lock, guarded transitions).

Each function takes keyword-only arguments, checks the permission, runs in one
transaction and records activity where a follower would care.

Writes about a session's comments first lock the session row (FOR NO KEY UPDATE):
a comment, reply or resolution then either commits before a phase change or sees
its result, so no comment slips in after the reveal was recorded or after the
session closed. Lock order is always the session row first, then participant or
comment rows, so two writers on one session never deadlock.
"""
