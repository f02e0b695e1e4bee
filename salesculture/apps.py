from django.apps import AppConfig


class SalesCultureConfig(AppConfig):
    name = "salesculture"
    verbose_name = "Agencies and people"
