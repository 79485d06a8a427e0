from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo seeder (``manage.py demo_data``, run by ``make run``): above every app it fills."""

    name = "wbapp.demo"
    label = "demo"
    verbose_name = "Demo data"
