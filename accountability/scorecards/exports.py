"""The weekly scorecards as a CSV download, streamed like the pipeline's exports
(pipeline/exports.py) and scoped the same way: a producer their own cards, a leader their
team's, an owner the agency's. Weeks that start within the chosen period; a column per
activity type and per stage, so the file reads like the board."""

import datetime as dt
from collections.abc import Iterator

from pipeline.export_views import export_page
from pipeline.exports import csv_response
from pipeline.forms import ExportPeriodForm
from pipeline.models import ActivityType, Stage
from salesculture.access import producer_required
from salesculture.models import Producer
from salesculture.selectors import producers_visible_to

from ..models import WeeklyScorecard

CHUNK = 2000


def scorecard_header(types: list[ActivityType], stages: list[Stage]) -> list[str]:
    return ["Week", "Producer email", "Producer", "Team", "Activities",
            *(t.name for t in types), "Stage wins", *(f"Wins: {s.name}" for s in stages),
            "Commitments kept", "Commitments", "Open prospects", "Open pipeline value",
            "Coverage", "Process adherence", "Confidence", "Final"]


def scorecard_rows(actor: Producer, start: dt.date, end: dt.date, types: list[ActivityType],
                   stages: list[Stage]) -> Iterator[list]:
    cards = (WeeklyScorecard.objects
             .filter(agency=actor.agency, producer__in=producers_visible_to(actor).values("pk"),
                     week_start__gte=start, week_start__lte=end)
             .select_related("producer__user", "producer__team")
             .order_by("week_start", "producer__user__first_name", "producer__user__last_name",
                       "pk"))
    for card in cards.iterator(chunk_size=CHUNK):
        counts, wins = card.activity_counts or {}, card.wins_by_stage or {}
        producer = card.producer
        yield [card.week_start.isoformat(), producer.user.email, producer.name,
               producer.team.name if producer.team else "", card.activities_total,
               *(counts.get(str(t.pk), 0) for t in types), card.wins,
               *(wins.get(str(s.pk), 0) for s in stages), card.commitments_kept,
               card.commitments_total, card.pipeline_open_count, card.pipeline_open_value,
               card.coverage, card.process_adherence, card.confidence,
               "yes" if card.is_final else "no"]


@producer_required
def export_scorecards(request):
    form = ExportPeriodForm(request.GET)
    if not form.is_valid():
        return export_page(request, kind="scorecards", form=form)
    actor, start, end = request.producer, form.cleaned_data["start"], form.cleaned_data["end"]
    types = list(ActivityType.objects.filter(agency=actor.agency).order_by("position", "name"))
    stages = list(Stage.objects.filter(agency=actor.agency).exclude(kind=Stage.Kind.LOST)
                  .order_by("position"))
    return csv_response(f"scorecards-{start}-to-{end}.csv", scorecard_header(types, stages),
                        scorecard_rows(actor, start, end, types, stages))
