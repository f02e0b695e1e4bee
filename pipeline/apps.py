from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from salesculture import agency_cache

        from .models import Stage, StageAdvance
        from .selectors import moved_before_the_last_hour

        # What is kept of past days' moves (the lost-reason report, the morning list's team
        # wins: salesculture/agency_cache.py) changes with a move recorded late, undone or
        # deleted after its day, or a stage; today's moves change none of it.
        agency_cache.connect(agency_cache.PAST_MOVES, [Stage])
        agency_cache.connect(agency_cache.PAST_MOVES, [StageAdvance],
                             when=moved_before_the_last_hour)
