"""A partial refresh (refresh.py, `producer_ids`): only the producers a write named are read
and recomputed. What sums everyone's cards, the agency's funnel week, then takes everyone
else's as stored: they did not change, or a mark of theirs is still in the outbox."""

from salesculture.models import Producer

from ..models import AgencyFunnelWeek, WeeklyScorecard
from ..planning.funnel_weeks import STORED_FIELDS as FUNNEL_FIELDS


def others_funnel_rows(snapshot) -> list[dict]:
    """The funnel fields of the week's stored cards of every other selling producer (the
    ones a full refresh would sum besides the fresh cards), read under a lock of the agency's
    funnel week: two partial refreshes of one week summing at once would each miss the
    other's fresh cards, and the one committed last would keep its stale sum. The second
    waits here for the first to commit, and then reads its cards."""
    agency, monday = snapshot.agency, snapshot.week.start
    AgencyFunnelWeek.objects.bulk_create(
        [AgencyFunnelWeek(agency=agency, week_start=monday, computed_at=snapshot.now)],
        ignore_conflicts=True)
    list(AgencyFunnelWeek.objects.select_for_update()
         .filter(agency=agency, week_start=monday).values_list("pk"))
    return list(WeeklyScorecard.objects
                .filter(agency=agency, week_start=monday, producer__is_active=True)
                .exclude(producer__role=Producer.Role.NON_PRODUCER)
                .exclude(producer_id__in=snapshot.producer_ids)
                .values("producer_id", *FUNNEL_FIELDS))
