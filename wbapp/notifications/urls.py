from django.urls import path

from .views import inbox, initiatives, preferences

urlpatterns = [
    path("notifications/", inbox.inbox, name="notifications"),
    path("notifications/count/", inbox.notifications_count, name="notifications_count"),
    path("notifications/read/", inbox.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/",
        inbox.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        inbox.notification_read,
        name="notification_read",
    ),
    path(
        "settings/notifications/",
        preferences.notification_settings,
        name="notification_settings",
    ),
    # The initiative page's Follow button (the page itself is documents').
    path(
        "i/<int:initiative_id>/follow/",
        initiatives.initiative_follow,
        name="initiative_follow",
    ),
    path(
        "i/<int:initiative_id>/notifications/",
        initiatives.initiative_notifications,
        name="initiative_notifications",
    ),
    # One-click unsubscribe from the e-mails (RFC 8058): no login, a signed token.
    path("unsubscribe/<str:token>/", preferences.unsubscribe, name="notifications_unsubscribe"),
]
