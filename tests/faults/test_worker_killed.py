"""Issue 11, #3: a worker killed with SIGKILL in the middle of a multi-week rebuild loses
nothing. Tasks are acknowledged late and put back when their worker dies; every week a write
touched stays in the outbox until a refresh has caught up with it, and the safety refresh
drains the outbox. After a restart every scorecard equals a clean recomputation."""

import datetime as dt
import signal

import pytest
from kombu import Connection

from accountability.models import WeeklyScorecard
from accountability.scorecards.refresh import SCORECARD_FIELDS, scorecards_refresh
from salesculture.celery import app
from salesculture.models import DirtyWeek
from salesculture.weeks import Week
from tests.factories import ActivityFactory

from . import processes as procs
from .processes import wait_for

pytestmark = [pytest.mark.faults,
              pytest.mark.filterwarnings("ignore::celery.exceptions.AlwaysEagerIgnored")]
WEEKS = 12
PRODUCERS = 40


def _cards(agency) -> dict:
    return {(c["producer_id"], c["week_start"]): {f: c[f] for f in SCORECARD_FIELDS}
            for c in WeeklyScorecard.objects.filter(agency=agency)
            .values("producer_id", "week_start", *SCORECARD_FIELDS)}


def _history(cast) -> list[dt.date]:
    """Activities in each of the last WEEKS weeks, every week left dirty as writes leave it."""
    week = Week.current(cast.agency)
    weeks = []
    for back in range(WEEKS):
        weeks.append(week.start)
        moment = dt.datetime.combine(week.start, dt.time(10), tzinfo=cast.agency.tz)
        for n, producer in enumerate(cast.producers):
            for kind in cast.activity_types[:3]:
                ActivityFactory(producer=producer, activity_type=kind, quantity=1 + (n + back) % 5,
                                occurred_at=moment)
        DirtyWeek.objects.create(agency=cast.agency, week_start=week.start)
        week = week.previous
    return weeks


def test_a_worker_killed_mid_rebuild_leaves_every_scorecard_right_after_restart(
        stack, processes, seed):
    cast = seed(producers=PRODUCERS)
    weeks = _history(cast)
    worker = processes.worker(pool="prefork", concurrency=1, CELERY_VISIBILITY_TIMEOUT=15)

    # The rebuild: one refresh task per week, oldest first, sent to the stack's broker.
    with Connection(stack.redis_url) as broker:
        for week_start in sorted(weeks):
            app.send_task("accountability.refresh_scorecards",
                          args=(cast.agency.pk, week_start.isoformat()), connection=broker)

    def weeks_with_cards() -> int:
        return (WeeklyScorecard.objects.filter(agency=cast.agency)
                .values("week_start").distinct().count())

    wait_for(lambda: weeks_with_cards() >= 2, timeout=120,
             message="the worker never started the rebuild")
    for pid in [*procs.children(worker.pid), worker.pid]:
        procs.kill(pid, signal.SIGKILL)
    worker.wait(timeout=10)
    rebuilt_before_kill = weeks_with_cards()
    assert rebuilt_before_kill < WEEKS, "the rebuild finished before the kill; make it longer"
    assert DirtyWeek.objects.filter(agency=cast.agency).exists()

    # Restart: a worker and beat, whose safety refresh drains what is left in the outbox.
    processes.worker(pool="prefork", concurrency=1, CELERY_VISIBILITY_TIMEOUT=15)
    processes.beat(SCORECARD_SAFETY_REFRESH_SECONDS=5)
    wait_for(lambda: not DirtyWeek.objects.filter(agency=cast.agency).exists()
             and weeks_with_cards() == WEEKS, timeout=180,
             message="the outbox was never drained after the restart")
    processes.stop_all()

    stored = _cards(cast.agency)
    for week_start in weeks:
        scorecards_refresh(agency=cast.agency, week_start=week_start)
    assert stored == _cards(cast.agency)
    assert len(stored) == WEEKS * PRODUCERS
    print(f"\nworker killed with {rebuilt_before_kill} of {WEEKS} weeks rebuilt; after the "
          f"restart all {len(stored)} scorecards equal a clean recomputation")
