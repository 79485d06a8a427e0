"""Read-mostly admin for review sessions.

Phases, comments and their privacy are the services' business: the admin shows
them but does not change them, so nothing here can skip a guarded transition
or reveal a comment early by editing a row.
"""

from django.contrib import admin

from .models import (
    ActionItem,
    AndonPull,
    Comment,
    Mention,
    Participant,
    ReviewSession,
    SessionTransition,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ParticipantInline(ReadOnlyInline):
    model = Participant
    fields = ["user", "role", "invited_at", "joined_at", "done_at"]


class TransitionInline(ReadOnlyInline):
    model = SessionTransition
    fields = ["from_phase", "to_phase", "by", "at"]


@admin.register(ReviewSession)
class ReviewSessionAdmin(admin.ModelAdmin):
    list_display = ["title", "initiative", "phase", "starts_at", "facilitator", "outcome"]
    list_filter = ["phase", "outcome"]
    list_select_related = ["initiative", "facilitator"]
    search_fields = ["title"]
    inlines = [ParticipantInline, TransitionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "initiative", "session", "kind", "status", "created_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["initiative", "session", "author"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    list_display = ["title", "initiative", "owner", "due_on", "done_at"]
    list_select_related = ["initiative", "owner"]
    search_fields = ["title"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(AndonPull)
class AndonPullAdmin(admin.ModelAdmin):
    """Pulls and resets go through the services (they check who may and record activity)."""

    list_display = ["initiative", "pulled_by", "pulled_at", "reset_by", "reset_at"]
    list_select_related = ["initiative", "pulled_by", "reset_by"]
    search_fields = ["reason", "resolution"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Mention)
class MentionAdmin(admin.ModelAdmin):
    list_display = ["user", "by", "comment", "reply", "created_at"]
    list_select_related = ["user", "by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
