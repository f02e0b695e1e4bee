from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from salesculture import agency_cache

        from .models import Stage, StageAdvance

        # The lost-reason report is kept between changes (salesculture/agency_cache.py): a
        # move or a renamed stage changes it.
        agency_cache.connect([Stage, StageAdvance])
