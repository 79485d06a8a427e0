"""Object-level permissions on initiatives (django-rules).

Everything in an initiative (its documents, drafts, iterations and images) is
guarded by the initiative's two permissions; the role comes from the team.
"""

import rules

from wbapp.accounts.rules import is_editor, is_member


@rules.predicate
def is_initiative_member(user, initiative) -> bool:
    return initiative is not None and is_member(user, initiative.team)


@rules.predicate
def is_initiative_editor(user, initiative) -> bool:
    return initiative is not None and is_editor(user, initiative.team)


rules.add_perm("documents.view_initiative", is_initiative_member)
rules.add_perm("documents.edit_initiative", is_initiative_editor)
# Checked on a Team: who may start an initiative there.
rules.add_perm("documents.add_initiative", is_editor)
