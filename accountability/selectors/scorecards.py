import datetime as dt

from django.db.models import Prefetch

from salesculture.models import Agency, Producer, Team
from salesculture.selectors import selling_producers

from ..models import Celebration, WeeklyScorecard


def scorecard_for(producer: Producer, week_start: dt.date) -> WeeklyScorecard | None:
    return WeeklyScorecard.objects.filter(producer=producer, week_start=week_start).first()


def team_rows(agency: Agency, week_start: dt.date, *, team: Team | None = None) -> list[Producer]:
    """Selling producers, leaders first, each with `.card` (this week's scorecard or None).
    Two queries, whatever the number of producers."""
    producers = selling_producers(agency, team=team).prefetch_related(
        Prefetch("scorecards", queryset=WeeklyScorecard.objects.filter(week_start=week_start),
                 to_attr="week_cards"))
    rows = list(producers)
    for producer in rows:
        producer.card = producer.week_cards[0] if producer.week_cards else None
    return rows


def recent_celebrations(agency: Agency, *, limit: int = 20, producer: Producer | None = None):
    qs = Celebration.objects.filter(agency=agency).select_related("producer__user")
    if producer is not None:
        qs = qs.filter(producer=producer)
    return qs.order_by("-occurred_at", "-id")[:limit]
