from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from salesculture import agency_cache

        from .lost_report import may_count_as_lost
        from .models import Stage, StageAdvance

        # The lost-reason report's past days are kept between changes to them
        # (salesculture/agency_cache.py): a loss recorded late, undone or deleted after its
        # day, a stage that becomes Lost or stops being so; today's moves do not.
        agency_cache.connect(agency_cache.LOSSES, [Stage])
        agency_cache.connect(agency_cache.LOSSES, [StageAdvance], when=may_count_as_lost)
