from django.urls import path

from .views import action_items, carry, comments, initiatives, session_page, sessions

urlpatterns = [
    path("i/<int:initiative_id>/sessions/new/", sessions.session_create, name="session_create"),
    path(
        "i/<int:initiative_id>/d/<int:document_id>/iterations/<int:number>/comments/",
        comments.iteration_comment_create,
        name="iteration_comment_create",
    ),
    path(
        "i/<int:initiative_id>/d/<int:document_id>/iterations/<int:number>/margins/",
        comments.iteration_margins,
        name="iteration_margins",
    ),
    # One session: the page, its live status, the calendar file and the record.
    path("s/<int:session_id>/", session_page.session_detail, name="session_detail"),
    path("s/<int:session_id>/live", session_page.session_live, name="session_live"),
    path("s/<int:session_id>/session.ics", sessions.session_calendar, name="session_calendar"),
    path("s/<int:session_id>/export.md", sessions.session_export, name="session_export"),
    path("s/<int:session_id>/reschedule/", sessions.session_reschedule, name="session_reschedule"),
    path("s/<int:session_id>/cancel/", sessions.session_cancel, name="session_cancel"),
    # The facilitator moves the session on.
    path("s/<int:session_id>/start/", sessions.session_start_reading, name="session_start_reading"),
    path("s/<int:session_id>/extend/", sessions.session_extend, name="session_extend"),
    path(
        "s/<int:session_id>/discussion/",
        sessions.session_start_discussion,
        name="session_start_discussion",
    ),
    path("s/<int:session_id>/focus/", sessions.session_focus, name="session_focus"),
    path("s/<int:session_id>/close/", sessions.session_close, name="session_close"),
    # Readers.
    path("s/<int:session_id>/done/", sessions.participant_done, name="participant_done"),
    path(
        "s/<int:session_id>/comments/",
        comments.session_comment_create,
        name="session_comment_create",
    ),
    # Threads.
    path("c/<int:comment_id>/replies/", comments.reply_create, name="reply_create"),
    path("c/<int:comment_id>/resolve/", comments.comment_resolve, name="comment_resolve"),
    path("c/<int:comment_id>/reopen/", comments.comment_reopen, name="comment_reopen"),
    path("c/<int:comment_id>/plus-one/", comments.comment_plus_one, name="comment_plus_one"),
    path("c/<int:comment_id>/delete/", comments.comment_delete, name="comment_delete"),
    path(
        "c/<int:comment_id>/action-items/",
        comments.action_item_create,
        name="action_item_create",
    ),
    path("action-items/<int:item_id>/done/", comments.action_item_done, name="action_item_done"),
    # The initiative as a whole: the Andon cord, its status, its action items, @mentions.
    path("i/<int:initiative_id>/andon/", initiatives.andon_detail, name="andon_detail"),
    path("i/<int:initiative_id>/andon/pull/", initiatives.andon_pull, name="andon_pull"),
    path("i/<int:initiative_id>/andon/reset/", initiatives.andon_reset, name="andon_reset"),
    path("i/<int:initiative_id>/status/", initiatives.initiative_status, name="initiative_status"),
    path(
        "i/<int:initiative_id>/action-items/",
        action_items.initiative_action_items,
        name="initiative_action_items",
    ),
    path("i/<int:initiative_id>/mentions/", initiatives.mention_suggest, name="mention_suggest"),
    path(
        "i/<int:initiative_id>/mentions/<int:user_id>/",
        initiatives.mention_person,
        name="mention_person",
    ),
    path("action-items/", action_items.my_action_items_page, name="my_action_items"),
    # Carried threads: how a thread was addressed, marking it addressed, where it was.
    path(
        "i/<int:initiative_id>/d/<int:document_id>/iterations/<int:number>/comments/"
        "<int:comment_id>/addressed/",
        carry.comment_addressed,
        name="comment_addressed",
    ),
    path(
        "c/<int:comment_id>/addressed/",
        carry.comment_addressed_redirect,
        name="comment_addressed_redirect",
    ),
    path(
        "c/<int:comment_id>/mark-addressed/",
        carry.comment_mark_addressed,
        name="comment_mark_addressed",
    ),
    path("c/<int:comment_id>/where/", carry.comment_where, name="comment_where"),
]
