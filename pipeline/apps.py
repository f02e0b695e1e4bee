from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from salesculture import agency_cache

        from .lost_report import may_count_as_lost
        from .models import Stage, StageAdvance

        # The lost-reason report is kept between changes (salesculture/agency_cache.py): a
        # loss, or a renamed stage, changes it; the day's other moves do not.
        agency_cache.connect(agency_cache.LOSSES, [Stage])
        agency_cache.connect(agency_cache.LOSSES, [StageAdvance], when=may_count_as_lost)
