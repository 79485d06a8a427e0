from django.apps import AppConfig


class ActivityConfig(AppConfig):
    """What happened (Activity) and the notification pipeline's rows, with nothing above them.

    The pipeline that reads and writes these rows is ``wbapp.notifications``.
    """

    name = "wbapp.activity"
    label = "activity"
    verbose_name = "Activity and notifications"
