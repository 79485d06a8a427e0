from django.urls import path

from . import views, views_inbox

urlpatterns = [
    path("notifications/", views_inbox.inbox, name="notifications"),
    path("notifications/count/", views_inbox.notifications_count, name="notifications_count"),
    path("notifications/read/", views_inbox.notifications_read_all, name="notifications_read_all"),
    path(
        "notifications/<int:notification_id>/",
        views_inbox.notification_open,
        name="notification_open",
    ),
    path(
        "notifications/<int:notification_id>/read/",
        views_inbox.notification_read,
        name="notification_read",
    ),
    path(
        "settings/notifications/", views_inbox.notification_settings, name="notification_settings"
    ),
    path(
        "i/<int:initiative_id>/notifications/",
        views_inbox.initiative_notifications,
        name="initiative_notifications",
    ),
    # One-click unsubscribe from the e-mails (RFC 8058): no login, a signed token.
    path("unsubscribe/<str:token>/", views.unsubscribe, name="notifications_unsubscribe"),
]
