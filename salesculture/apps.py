from django.apps import AppConfig


class SalesCultureConfig(AppConfig):
    name = "salesculture"
    verbose_name = "Agencies and people"

    def ready(self):
        from . import (
            agency_cache,
            sessions,  # noqa: F401  (connects the login signal receiver)
        )

        agency_cache.connect_people()
