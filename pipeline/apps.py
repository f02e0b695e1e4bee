import datetime as dt

from django.apps import AppConfig
from django.utils import timezone

# A move this recent is today's, which nothing keeps; unless the agency's midnight passed
# since: then the kept days hold it for at most the cache's minute.
RECENT = dt.timedelta(hours=1)


def moved_before_the_last_hour(advance) -> bool:
    """Whether saving or deleting this move may change what is kept of past days' moves
    (salesculture/agency_cache.py): one dated before the last hour (recorded late, undone or
    deleted after its day). A move of the last hour is today's."""
    return advance.occurred_at is None or advance.occurred_at <= timezone.now() - RECENT


def past_move_topics(advance) -> list[str]:
    """PAST_MOVES and the move's week (salesculture/agency_cache.py)."""
    from salesculture.agency_cache import past_move_topics as topics

    return topics(advance.occurred_at)


class PipelineConfig(AppConfig):
    name = "pipeline"
    verbose_name = "Pipeline"

    def ready(self) -> None:
        from salesculture import agency_cache

        from .models import Stage, StageAdvance

        # What is kept of past days' moves (the lost-reason report, the morning list's team
        # wins: salesculture/agency_cache.py) changes with a move recorded late, undone or
        # deleted after its day (and its week's, with it), or a stage; today's moves change
        # none of it.
        agency_cache.connect(agency_cache.PAST_MOVES, [Stage])
        agency_cache.connect(agency_cache.STAGES, [Stage])
        agency_cache.connect(past_move_topics, [StageAdvance], when=moved_before_the_last_hour)
