from django.urls import path

from .views import board, drafting, initiatives, iterations

# /i/<initiative>/d/<document>/… : everything of one document.
DOC = "i/<int:initiative_id>/d/<int:document_id>/"

urlpatterns = [
    path("t/<slug:slug>/", board.team_board, name="team_board"),
    path("t/<slug:slug>/initiatives/new/", initiatives.initiative_create, name="initiative_create"),
    path(
        "t/<slug:slug>/initiatives/<slug:status>/",
        initiatives.team_initiatives,
        name="team_initiatives",
    ),
    path("i/<int:initiative_id>/", initiatives.initiative_detail, name="initiative_detail"),
    path("i/<int:initiative_id>/edit/", initiatives.initiative_edit, name="initiative_edit"),
    path("i/<int:initiative_id>/d/new/", initiatives.document_create, name="document_create"),
    path("i/<int:initiative_id>/images/<int:image_id>", drafting.image_serve, name="image_serve"),
    # The drafting page and its fragments.
    path(f"{DOC}draft/", drafting.draft, name="draft"),
    path(f"{DOC}draft/preview/", drafting.draft_preview, name="draft_preview"),
    path(f"{DOC}sections/add/", drafting.section_add, name="section_add"),
    path(f"{DOC}sections/<slug:key>/", drafting.section_detail, name="section_detail"),
    path(f"{DOC}sections/<slug:key>/save/", drafting.section_save, name="section_save"),
    path(f"{DOC}sections/<slug:key>/move/", drafting.section_move, name="section_move"),
    path(f"{DOC}sections/<slug:key>/remove/", drafting.section_remove, name="section_remove"),
    path(f"{DOC}faq/add/", drafting.faq_add, name="faq_add"),
    path(f"{DOC}faq/<slug:key>/", drafting.faq_detail, name="faq_detail"),
    path(f"{DOC}faq/<slug:key>/save/", drafting.faq_save, name="faq_save"),
    path(f"{DOC}faq/<slug:key>/move/", drafting.faq_move, name="faq_move"),
    path(f"{DOC}faq/<slug:key>/remove/", drafting.faq_remove, name="faq_remove"),
    path(f"{DOC}images/", drafting.image_upload, name="image_upload"),
    # Iterations and comparison.
    path(f"{DOC}iterations/", iterations.iteration_list, name="iteration_list"),
    path(f"{DOC}iterations/save/", iterations.iteration_save, name="iteration_save"),
    path(f"{DOC}iterations/<int:number>/", iterations.iteration_detail, name="iteration_detail"),
    path(
        f"{DOC}iterations/<int:number>/restore/",
        iterations.iteration_restore,
        name="iteration_restore",
    ),
    path(
        f"{DOC}iterations/<int:number>/export.md",
        iterations.iteration_export,
        name="iteration_export",
    ),
    path(f"{DOC}compare/", iterations.compare_pick, name="compare_pick"),
    path(f"{DOC}compare/<int:a>...<int:b>/", iterations.compare, name="compare"),
]
