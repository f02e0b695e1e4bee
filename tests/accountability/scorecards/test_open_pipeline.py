"""Issue 12: the scorecard job reads the open pipeline at a week's end without walking every
prospect's ledger, yet a past week keeps its own number. Checked against the ledger itself,
for a history of moves made through the app's own services: forward, back, skips, losses,
reopenings and deletions, in the current week and the weeks before."""

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from accountability.scorecards.refresh import scorecards_refresh
from pipeline.models import Prospect, Stage, StageAdvance
from pipeline.services import prospect_advance, prospect_create, prospect_delete
from salesculture.weeks import Week
from tests.factories import ActivityFactory, ProducerFactory

WEEKS = 6


def ledger_open_pipeline(agency, ends: dt.datetime) -> dict[int, tuple[int, Decimal]]:
    """Per owner, the prospects whose latest move before `ends` left them in an open stage
    and that were not deleted by then: the definition, walked move by move."""
    latest = {}
    for move in StageAdvance.objects.filter(agency=agency, occurred_at__lt=ends).order_by(
            "occurred_at", "id").select_related("to_stage"):
        latest[move.prospect_id] = move.to_stage.kind
    totals: dict[int, list] = defaultdict(lambda: [0, Decimal(0)])
    for prospect in Prospect.all_objects.filter(agency=agency):
        gone = prospect.deleted_at is not None and prospect.deleted_at < ends
        if latest.get(prospect.pk) == Stage.Kind.OPEN and not gone:
            totals[prospect.owner_id][0] += 1
            totals[prospect.owner_id][1] += prospect.estimated_revenue
    return {owner: (n, value) for owner, (n, value) in totals.items()}


def build_history(agency, producers, rng: random.Random) -> None:
    stages = list(Stage.objects.filter(agency=agency).order_by("position"))
    now = timezone.now()
    first = Week.current(agency).shift(-WEEKS).begins
    for n in range(24):
        owner = producers[n % len(producers)]
        at = first + dt.timedelta(hours=rng.randrange(0, 24 * 7 * WEEKS))
        prospect = prospect_create(owner=owner, name=f"P{n}", occurred_at=at,
                                   estimated_revenue=rng.randrange(100, 5000, 100))
        while (at := at + dt.timedelta(hours=rng.randrange(6, 24 * 9))) < now:
            if rng.random() < 0.2:
                break
            to = rng.choice([s for s in stages if s.pk != prospect.stage_id])
            prospect_advance(prospect=prospect, to_stage=to, actor=owner, occurred_at=at,
                             expected_stage=prospect.stage,
                             lost_reason="price" if to.kind == Stage.Kind.LOST else "")
        if rng.random() < 0.15:
            prospect_delete(prospect=prospect, actor=owner)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_weeks_open_pipeline_is_the_ledgers(agency, producer, seed):
    # given moves of 24 prospects over six weeks, through the services
    producers = [producer, ProducerFactory(agency=agency), ProducerFactory(agency=agency)]
    build_history(agency, producers, random.Random(seed))
    this_week = Week.current(agency)

    for week in [this_week.shift(-n) for n in range(WEEKS + 1)]:
        # when the week is refreshed
        cards = scorecards_refresh(agency=agency, week_start=week.start)

        # then each card's open pipeline is what the ledger says stood open at the week's end
        expected = ledger_open_pipeline(agency, week.ends)
        assert {c.producer_id: (c.pipeline_open_count, c.pipeline_open_value) for c in cards
                if c.pipeline_open_count} == expected, week.start


def test_a_refresh_says_whose_cards_changed(agency, producer):
    colleague = ProducerFactory(agency=agency)
    week = Week.current(agency).start
    ActivityFactory(producer=producer, quantity=2)
    assert scorecards_refresh(agency=agency, week_start=week).changed_producer_ids == {
        producer.pk, colleague.pk}  # both cards are new

    assert scorecards_refresh(agency=agency, week_start=week).changed_producer_ids == set()

    ActivityFactory(producer=colleague, quantity=1)
    refreshed = scorecards_refresh(agency=agency, week_start=week)
    assert refreshed.changed_producer_ids == {colleague.pk}
    assert {card.producer_id for card in refreshed} == {producer.pk, colleague.pk}


@pytest.mark.django_db
def test_postgresql_jit_and_parallel_plans_are_off_on_the_apps_connections():
    """JIT compiling cost the scorecard job about 400 ms a run and saved nothing; a parallel
    plan of its wins took twice a plain one's time among ten agencies' rows."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
        cursor.execute("SHOW max_parallel_workers_per_gather")
        assert cursor.fetchone()[0] == "0"
