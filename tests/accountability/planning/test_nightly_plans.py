"""The nightly plan refresh reads what every plan shares once per agency (issue 12): each plan
it stores is the plan the producer's own page would compute, and a plan costs only the reads
of the producer's own ledgers."""

from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability.models import GoalPlan
from accountability.planning.selectors import agency_plan_reads, plan_compute
from accountability.planning.services import goal_plans_refresh_agency
from salesculture.models import Agency
from salesculture.selectors import selling_producers


@pytest.fixture
def summit(db):
    call_command("seed_demo", producers=6, weeks=13, verbosity=0)
    return Agency.objects.get(slug="summit")


def as_stored(result) -> list:
    # Money is compared as amounts: SQLite's sums drop the trailing ".00" PostgreSQL keeps.
    summary = {key: Decimal(value) if key in ("bound_ytd", "revenue_needed") else value
               for key, value in result.summary_json().items()}
    return [summary, *(line.as_json() for line in result.lines), result.label,
            result.label_reason]


def test_every_shared_plan_is_the_plan_the_producer_would_get_alone(summit):
    shared = agency_plan_reads(summit)
    producers = list(selling_producers(summit))
    assert len(producers) >= 6

    for producer in producers:
        alone = plan_compute(producer=producer, now=shared.now)
        assert as_stored(plan_compute(producer=producer, shared=shared)) == as_stored(alone), (
            producer)


def test_a_shared_plan_reads_only_the_producers_own_ledgers(summit):
    shared = agency_plan_reads(summit)
    producer = next(p for p in selling_producers(summit) if p.annual_goal)

    with CaptureQueriesContext(connection) as alone:
        plan_compute(producer=producer, now=shared.now)
    with CaptureQueriesContext(connection) as with_shared:
        plan_compute(producer=producer, shared=shared)

    assert len(with_shared) == len(alone) - 6


def test_the_nightly_refresh_stores_a_plan_for_every_selling_producer(summit):
    GoalPlan.objects.all().delete()

    stored = goal_plans_refresh_agency(agency=summit)

    assert stored == selling_producers(summit).count()
    assert GoalPlan.objects.filter(agency=summit).count() == stored
