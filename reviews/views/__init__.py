"""The review views, one module per page or group of fragments.

- ``session_page``: the session page in each phase and its live status;
- ``sessions``: scheduling a session, the facilitator's moves, readers' progress,
  the calendar file and the Markdown record;
- ``comments``: comments in a session and on an iteration, and their threads;
- ``carry``, ``action_items``, ``initiatives``: carried threads, action items, the
  Andon cord and the initiative's status;
- ``common``: what they share (templates, the viewer's rights, the memo's parts).

Views stay thin: lookups give 404 to outsiders and 403 to members without the
right, forms parse, services decide. Every htmx request has a plain twin that
redirects back to the page.

Privacy: every comment a page, fragment or export shows comes from
``Comment.objects.visible_*`` (another reader's comment does not exist for you
until the discussion starts), and no count shown here counts comments.
"""
