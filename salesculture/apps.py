from django.apps import AppConfig


class SalesCultureConfig(AppConfig):
    name = "salesculture"
    verbose_name = "Agencies and people"

    def ready(self):
        from . import sessions  # noqa: F401  (connects the login signal receiver)
        from .agency_cache import connect_people

        connect_people()
