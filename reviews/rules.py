"""Object-level permissions on review sessions and comments (django-rules).

Which object each permission takes:
    reviews.view_session, reviews.facilitate_session, reviews.comment_in_session,
    reviews.manage_session                         → a ReviewSession
    reviews.schedule_session, reviews.comment_on_initiative,
    reviews.pull_andon, reviews.reset_andon,
    reviews.change_initiative_status               → an Initiative
    reviews.moderate_comment                       → a Comment (resolve / reopen)
    reviews.address_comment                        → a Comment (mark addressed)

Every predicate first requires team membership, so a facilitator or participant
who has left the team loses their rights with it.
"""

import rules

from wbapp.accounts.rules import is_editor, is_member, is_reviewer


def _team(session):
    return session.initiative.team


@rules.predicate
def is_session_member(user, session) -> bool:
    return session is not None and is_member(user, _team(session))


@rules.predicate
def is_session_facilitator(user, session) -> bool:
    return (
        session is not None
        and user.is_authenticated
        and session.facilitator_id == user.pk
        and is_member(user, _team(session))
    )


@rules.predicate
def is_session_commenter(user, session) -> bool:
    """The facilitator, reviewers and bar raisers of the session (not observers)."""
    if not is_session_member(user, session):
        return False
    if session.facilitator_id == user.pk:
        return True
    participant = session.participant_for(user)
    return participant is not None and participant.may_comment


@rules.predicate
def is_session_team_editor(user, session) -> bool:
    return session is not None and is_editor(user, _team(session))


@rules.predicate
def is_initiative_editor(user, initiative) -> bool:
    return initiative is not None and is_editor(user, initiative.team)


@rules.predicate
def is_initiative_reviewer(user, initiative) -> bool:
    return initiative is not None and is_reviewer(user, initiative.team)


@rules.predicate
def is_comment_author(user, comment) -> bool:
    return (
        comment is not None
        and user.is_authenticated
        and comment.author_id == user.pk
        and is_member(user, comment.initiative.team)
    )


@rules.predicate
def is_comment_team_editor(user, comment) -> bool:
    return comment is not None and is_editor(user, comment.initiative.team)


@rules.predicate
def is_comment_session_facilitator(user, comment) -> bool:
    return (
        comment is not None
        and comment.session_id is not None
        and is_session_facilitator(user, comment.session)
    )


rules.add_perm("reviews.view_session", is_session_member)
# Only the facilitator moves a session through its phases.
rules.add_perm("reviews.facilitate_session", is_session_facilitator)
rules.add_perm("reviews.comment_in_session", is_session_commenter)
# Before it starts, a session can be rescheduled or cancelled by its facilitator
# or by the team's editors and owners (who may schedule sessions).
rules.add_perm("reviews.manage_session", is_session_facilitator | is_session_team_editor)
rules.add_perm("reviews.schedule_session", is_initiative_editor)
# Asynchronous comments on any iteration: reviewers, editors and owners.
rules.add_perm("reviews.comment_on_initiative", is_initiative_reviewer)
rules.add_perm(
    "reviews.moderate_comment",
    is_comment_author | is_comment_team_editor | is_comment_session_facilitator,
)

# The Andon cord (object: an Initiative): reviewers and up stop the initiative,
# editors and owners reset it with a resolution.
rules.add_perm("reviews.pull_andon", is_initiative_reviewer)
rules.add_perm("reviews.reset_andon", is_initiative_editor)
# Moving an initiative's status by hand (approval goes through the same checks as a session).
rules.add_perm("reviews.change_initiative_status", is_initiative_editor)
# Marking a thread addressed is the document's side: editors and owners (object: a Comment).
rules.add_perm("reviews.address_comment", is_comment_team_editor)
