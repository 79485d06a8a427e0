"""Every write to initiatives, documents, drafts and iterations.

One module per group of writes (as Zulip's ``zerver/actions/``); import the function
from its module (``from documents.services.drafting import section_save``):

- ``initiatives``: initiatives, following them, and their documents;
- ``drafting``: the working draft's sections and FAQ entries (text saves guarded by
  version, structural changes under the document lock);
- ``iterations``: saving the draft as a numbered iteration, restoring an old one;
- ``images``: appendix images;
- ``common``: what they share (permission checks, the document lock, the last-activity time).

Each function takes keyword-only arguments, checks the permission, runs in one
transaction and records activity where a follower would care. Autosaves of the
draft are frequent and small, so they bump the initiative's last-activity time
but do not write activity rows; iterations do.
"""
