"""Views of initiatives, documents, drafts and iterations, one module per area.

Views are thin: they look rows up through ``documents.lookups`` (outsiders get
404, members without the right 403), parse input with ``documents.forms``, call
``documents.services`` and render a page or, for htmx, a named partial of it.
"""

from .initiatives import board_initiatives

__all__ = ["board_initiatives"]
