from django.contrib import admin

from .models import Activity, DigestDelivery, InitiativeMute, Notification, NotificationPreference


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "team", "actor", "verb", "fanned_out"]
    list_filter = ["verb"]
    list_select_related = ["team", "actor"]

    # Activity is a record of what happened; nobody edits history.
    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "frequency", "hour", "weekday", "last_period", "pending_since"]
    list_filter = ["frequency"]
    raw_id_fields = ["user"]
    readonly_fields = ["pending_since", "last_period", "email_floor"]


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    """The record of what was sent (or is stuck): read-only."""

    list_display = ["created_at", "user", "period", "state", "item_count", "attempts", "sent_at"]
    list_filter = ["kind", "state"]
    list_select_related = ["user"]
    search_fields = ["user__email", "period"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "activity", "reason", "read_at", "delivery"]
    list_filter = ["reason"]
    raw_id_fields = ["user", "activity", "delivery"]


@admin.register(InitiativeMute)
class InitiativeMuteAdmin(admin.ModelAdmin):
    list_display = ["created_at", "user", "initiative"]
    raw_id_fields = ["user", "initiative"]
