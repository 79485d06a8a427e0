from django.contrib import admin

from .models import AppendixImage, Document, DraftSection, FaqEntry, Initiative, Revision


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "team", "owner", "status", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["team", "owner"]
    search_fields = ["title"]
    raw_id_fields = ["team", "owner", "followers"]


class ReadOnlyInline(admin.StackedInline):
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DraftSectionInline(ReadOnlyInline):
    model = DraftSection
    fields = ["key", "heading", "body", "position", "version", "updated_at", "updated_by"]


class FaqEntryInline(ReadOnlyInline):
    model = FaqEntry
    fields = ["key", "audience", "question", "answer", "position", "version", "updated_at"]


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "initiative", "created_at"]
    list_filter = ["kind"]
    list_select_related = ["initiative"]
    raw_id_fields = ["initiative", "created_by"]
    # Draft rows are shown, not edited here: an admin save would bypass the
    # version check that keeps authors from overwriting each other.
    inlines = [DraftSectionInline, FaqEntryInline]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Iterations are immutable: the admin can look, never add, change or delete."""

    list_display = ["__str__", "document", "author", "created_at", "word_count", "change_size"]
    list_select_related = ["document", "author"]
    readonly_fields = [
        "document",
        "number",
        "author",
        "created_at",
        "note",
        "word_count",
        "change_size",
        "restored_from",
        "content",
    ]
    exclude = ["rendered"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("rendered")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AppendixImage)
class AppendixImageAdmin(admin.ModelAdmin):
    list_display = ["__str__", "initiative", "content_type", "size", "created_at"]
    list_select_related = ["initiative"]
    readonly_fields = ["image", "content_type", "size", "width", "height", "uploaded_by"]

    def has_add_permission(self, request):
        return False
