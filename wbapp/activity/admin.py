from django.contrib import admin

from .models import Activity


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "actor", "verb"]
    list_filter = ["verb"]
    list_select_related = ["team", "actor"]

    # Activity is a record of what happened; nobody edits history.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
