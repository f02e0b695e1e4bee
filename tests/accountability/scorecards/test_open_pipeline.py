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
from tests.factories import (
    ActivityFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
)

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


def test_the_edges_of_a_stay_count_as_the_ledger_says(agency, producer):
    """A move made exactly as a week ends belongs to the next week (at the end the prospect
    still stood where it left from, and one created then did not exist yet); two moves of one
    prospect at one instant are ordered by id (the stay between them lasted no time); a
    prospect deleted between two week ends counts at the first only."""
    stages = {s.name: s for s in Stage.objects.filter(agency=agency)}
    ends = Week.current(agency).shift(-2).ends
    day = dt.timedelta(days=1)

    def move(prospect, to, at):
        prospect_advance(prospect=prospect, to_stage=stages[to], actor=producer, occurred_at=at,
                         expected_stage=prospect.stage,
                         lost_reason="Price" if to == "Lost" else "")

    at_the_end = prospect_create(owner=producer, name="At the end", occurred_at=ends - 9 * day,
                                 estimated_revenue=100)
    move(at_the_end, "Lost", ends)
    twice = prospect_create(owner=producer, name="Twice at once", occurred_at=ends - 5 * day,
                            estimated_revenue=20)
    move(twice, "Bound", ends - day)
    move(twice, "Lead", ends - day)  # the same instant, a later id: it stood in Lead
    move(twice, "Lost", ends + day)
    begun = prospect_create(owner=producer, name="Created at the end", occurred_at=ends,
                            estimated_revenue=4000)
    move(begun, "Contacted", ends + day)  # its stay in Lead began with the next week
    gone = prospect_create(owner=producer, name="Deleted later", occurred_at=ends - 3 * day,
                           estimated_revenue=3)
    Prospect.all_objects.filter(pk=gone.pk).update(deleted_at=ends + 2 * day)

    weeks = [Week.current(agency).shift(n) for n in (-2, -1, 0)]
    counted = {week.start: scorecards_refresh(agency=agency, week_start=week.start)
               for week in weeks}

    for week in weeks:
        expected = ledger_open_pipeline(agency, week.ends)
        assert {c.producer_id: (c.pipeline_open_count, c.pipeline_open_value)
                for c in counted[week.start] if c.pipeline_open_count} == expected, week.start
    assert ledger_open_pipeline(agency, ends) == {producer.pk: (3, Decimal(123))}
    assert ledger_open_pipeline(agency, weeks[1].ends) == {producer.pk: (1, Decimal(4000))}


def test_a_ledger_that_begins_with_a_move_counts_alike_on_every_database(agency, producer):
    """History written without its creation (built in bulk, or from before the ledger had
    one): its first move has no known start, and the prospect stood in the stage it left from
    until then, on PostgreSQL (the stay index) as on SQLite (the plain comparison)."""
    stages = {s.name: s for s in Stage.objects.filter(agency=agency)}
    ends = Week.current(agency).shift(-2).ends
    prospect = ProspectFactory(owner=producer, stage=stages["Lost"], estimated_revenue=700)
    StageAdvanceFactory(prospect=prospect, from_stage=stages["Contacted"],
                        to_stage=stages["Lost"], occurred_at=ends + dt.timedelta(days=1))
    assert StageAdvance.objects.get(prospect=prospect).from_stage_entered_at is None

    for week, open_then in ((Week.current(agency).shift(-2), 1),
                            (Week.current(agency).shift(-1), 0)):
        card = next(c for c in scorecards_refresh(agency=agency, week_start=week.start)
                    if c.producer_id == producer.pk)
        assert (card.pipeline_open_count, card.pipeline_open_value) == (
            open_then, Decimal(700 * open_then)), week.start
