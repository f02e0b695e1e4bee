from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "accountability"
    verbose_name = "Accountability"

    def ready(self) -> None:
        # Register the tasks in every process (web included), so work that the pipeline asks
        # for by task name can be found without importing this app from below.
        from . import tasks  # noqa: F401
