"""The jobs: the scorecard refresh of one agency-week against its raw-SQL floor (in this
process), and the nightly goal-plan refresh (in a process of its own, capped, then
extrapolated)."""

import datetime as dt
import gc
import os
import statistics
import subprocess
import sys
import time

from django.db import connection, transaction
from django.utils import timezone

from accountability.models import (
    AgencyFunnelWeek,
    Celebration,
    Commitment,
    ConfidenceCheckIn,
    GoalPlan,
    WeeklyScorecard,
)
from accountability.scorecards.production import close_rate_start, month_start, year_start
from accountability.scorecards.refresh import scorecards_refresh
from accountability.scorecards.snapshot import STAY_RANGE
from bench.env import ROOT, process_env
from bench.pages import QueryCounter, percentile
from bench.report import Figure
from pipeline.models import Activity, ActivityType, Prospect, Stage, StageAdvance, StageWin
from salesculture.models import Agency, Producer
from salesculture.selectors import selling_producers
from salesculture.weeks import Week

REFRESH_RATIO, REFRESH_MS = 1.5, 100
PLANS_SECONDS = 60


def _tables() -> dict[str, str]:
    models = {"activity": Activity, "win": StageWin, "advance": StageAdvance,
              "prospect": Prospect, "stage": Stage, "commitment": Commitment,
              "check_in": ConfidenceCheckIn, "card": WeeklyScorecard, "producer": Producer,
              "funnel_week": AgencyFunnelWeek, "celebration": Celebration}
    return {name: model._meta.db_table for name, model in models.items()}


def scorecard_floor_sql() -> list[str]:
    """What the refresh reads, as hand-written SQL, one statement per aggregate: the agency's
    open stages; the selling producers with the week's check-in and their best earlier week;
    activity totals per producer and type; stage wins per producer and stage; the winning
    moves that followed the process, per producer; the open pipeline per producer as it stood
    at the week's end (where a prospect stands now, unless it moved since: then where the
    stay under way then was, from the stay index); the funnel's evidence (prospects created
    per stage, moves out per stage, and the whole days each stay lasted, as each move
    records); the week's
    commitments; the stored cards and the agency's stored funnel week; and the production
    columns (issue 17): the policies bound in the week with their premium and revenue, the
    winning moves not celebrated yet, and the month, year and 13 weeks before as sums of the
    stored weeks that produced something."""
    t = _tables()
    in_week = "agency_id = %(agency)s AND occurred_at >= %(start)s AND occurred_at < %(end)s"
    alive = "(p.deleted_at IS NULL OR p.deleted_at >= %(end)s)"
    return [
        f"SELECT id FROM {t['stage']} WHERE agency_id = %(agency)s AND kind = 'open'",
        f"SELECT p.id, p.annual_goal, p.created_at, c.process, c.pipeline, c.team, "
        f"(SELECT max(w.wins) FROM {t['card']} w WHERE w.producer_id = p.id "
        "AND w.week_start < %(week)s) "
        f"FROM {t['producer']} p LEFT JOIN {t['check_in']} c ON c.producer_id = p.id "
        "AND c.week_start = %(week)s "
        "WHERE p.agency_id = %(agency)s AND p.is_active AND p.role <> 'non_producer'",
        f"SELECT producer_id, activity_type_id, sum(quantity) FROM {t['activity']} "
        f"WHERE {in_week} GROUP BY 1, 2",
        f"SELECT producer_id, stage_id, count(*) FROM {t['win']} WHERE {in_week} GROUP BY 1, 2",
        "SELECT a.producer_id, count(*) FILTER (WHERE a.definition_confirmed AND "
        "(s.kind <> 'open' OR (a.next_step <> '' AND a.next_step_due IS NOT NULL))), count(*) "
        f"FROM {t['advance']} a JOIN {t['stage']} s ON s.id = a.to_stage_id "
        f"WHERE a.{in_week.replace(' occurred_at', ' a.occurred_at')} AND a.wins > 0 "
        "GROUP BY 1",
        "SELECT owner_id, count(*), sum(estimated_revenue) FROM ("
        f"  SELECT p.owner_id, p.estimated_revenue FROM {t['prospect']} p "
        "  WHERE p.agency_id = %(agency)s AND p.stage_id = ANY(%(open)s) AND "
        f"  {alive} AND NOT EXISTS (SELECT 1 FROM {t['advance']} a WHERE a.agency_id = "
        "  %(agency)s AND a.prospect_id = p.id AND a.occurred_at >= %(end)s) "
        "  UNION ALL "
        f"  SELECT p.owner_id, p.estimated_revenue FROM {t['advance']} a "
        f"  JOIN {t['prospect']} p ON p.id = a.prospect_id "
        f"  WHERE a.agency_id = %(agency)s::bigint AND {STAY_RANGE.format(alias='a')} "
        f"  @> %(end)s::timestamptz AND a.from_stage_id = ANY(%(open)s) AND {alive}"
        ") open_at_end GROUP BY 1",
        "SELECT id, producer_id, kind, activity_type_id, stage_id, target, self_reported_done, "
        f"status, actual FROM {t['commitment']} "
        "WHERE agency_id = %(agency)s AND week_start = %(week)s",
        "SELECT producer_id, from_stage_id, "
        "CASE WHEN from_stage_id IS NULL THEN to_stage_id END, "
        "floor(extract(epoch FROM occurred_at - from_stage_entered_at) / 86400)::int, count(*) "
        f"FROM {t['advance']} WHERE {in_week} GROUP BY 1, 2, 3, 4",
        f"SELECT * FROM {t['card']} WHERE agency_id = %(agency)s AND week_start = %(week)s",
        f"SELECT * FROM {t['funnel_week']} "
        "WHERE agency_id = %(agency)s AND week_start = %(week)s",
        "SELECT w.producer_id, count(*), sum(coalesce(p.premium, 0)), sum(p.estimated_revenue) "
        f"FROM {t['win']} w JOIN {t['stage']} s ON s.id = w.stage_id AND s.kind = 'won' "
        f"JOIN {t['prospect']} p ON p.id = w.prospect_id "
        f"WHERE w.{in_week.replace(' occurred_at', ' w.occurred_at')} GROUP BY 1",
        f"SELECT a.producer_id, count(*) FROM {t['advance']} a "
        f"WHERE a.{in_week.replace(' occurred_at', ' a.occurred_at')} AND a.wins > 0 "
        f"AND NOT EXISTS (SELECT 1 FROM {t['celebration']} c WHERE c.stage_advance_id = a.id) "
        "GROUP BY 1",
        "SELECT producer_id, "
        "sum(CASE WHEN week_start >= %(month)s THEN bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(month)s THEN premium_bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(month)s THEN revenue_bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(year)s THEN bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(year)s THEN premium_bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(year)s THEN revenue_bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(w13)s THEN bound ELSE 0 END), "
        "sum(CASE WHEN week_start >= %(w13)s THEN quoted ELSE 0 END) "
        f"FROM {t['card']} WHERE agency_id = %(agency)s "
        "AND week_start >= least(%(year)s, %(w13)s) AND week_start < %(week)s "
        "AND (bound > 0 OR quoted > 0 OR premium_bound <> 0 OR revenue_bound <> 0) GROUP BY 1",
    ]


def scorecard_floor(agency: Agency, week: Week) -> None:
    start, end = week.bounds
    params = {"agency": agency.pk, "start": start, "end": end, "week": week.start,
              "month": month_start(week.start), "year": year_start(week.start),
              "w13": close_rate_start(week.start)}
    first, *rest = scorecard_floor_sql()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(first, params)
        params["open"] = [pk for (pk,) in cursor.fetchall()]
        for sql in rest:
            cursor.execute(sql, params)
            cursor.fetchall()


def _timed(fn, repeat: int, before=None, floor=None) -> tuple[float, float, float | None]:
    """Median and p95 in ms of `fn` after one warm-up, and the median of `floor` timed before
    each (the same moments of a shared machine); `before` runs ahead of each, untimed."""
    samples, floors = [], []
    for n in range(repeat + 1):
        if n and floor is not None:
            started = time.perf_counter()
            floor()
            floors.append((time.perf_counter() - started) * 1000)
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        if n:
            samples.append((time.perf_counter() - started) * 1000)
    return (statistics.median(samples), percentile(samples, 95),
            statistics.median(floors) if floors else None)


def refresh_figures(agency: Agency, repeat: int) -> list[Figure]:
    """One agency-week's refresh after a quick-log into it (an activity is added before each
    run, untimed): as the quick-log's task runs it (its mark names the producer, so only their card
    is recomputed) and as the whole agency-week (the safety refresh, or a write that names no
    producer); and the whole agency-week rerun that finds nothing new (it reads everything and
    writes nothing). Each against the floor: the whole agency-week's aggregates."""
    # The latest week the generated history reaches: the current one, unless it has only just
    # begun (a Monday at midnight: an empty week refreshes in no time, and says nothing).
    latest = Activity.objects.filter(agency=agency).latest("occurred_at").occurred_at
    week = min(Week.current(agency), Week.of(agency, latest))
    if week.ends - latest > dt.timedelta(days=6):  # hardly begun: the week before it
        week = week.previous
    moment = min(timezone.now(), week.ends - dt.timedelta(minutes=1))

    def floor() -> None:
        scorecard_floor(agency, week)

    # As in the worker's pool processes (salesculture/celery.py): what this process holds
    # (Django, the pages' clients) stays out of the collector's walks during the refreshes.
    gc.collect()
    gc.freeze()
    floor_alone, floor_p95, _ = _timed(floor, repeat)
    producer = selling_producers(agency).first()
    activity_type = ActivityType.objects.filter(agency=agency, is_active=True).first()
    logged = []

    def quick_log() -> None:
        logged.append(Activity.objects.create(
            agency=agency, producer=producer, activity_type=activity_type,
            occurred_at=moment, quantity=1, client_token=f"bench-refresh-{len(logged)}"))

    def refresh() -> None:
        scorecards_refresh(agency=agency, week_start=week.start)

    def refresh_marked() -> None:
        scorecards_refresh(agency=agency, week_start=week.start, producer_ids={producer.pk})

    written, marked = QueryCounter(), QueryCounter()
    try:
        after_mark = _timed(refresh_marked, repeat, before=quick_log, floor=floor)
        quick_log()
        with connection.execute_wrapper(marked):
            refresh_marked()
        after_write = _timed(refresh, repeat, before=quick_log, floor=floor)
        quick_log()
        with connection.execute_wrapper(written):
            refresh()
    finally:
        Activity.objects.filter(pk__in=[a.pk for a in logged]).delete()
        refresh()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        refresh()
    unchanged = _timed(refresh, repeat, floor=floor)
    goal = {"goal": f"≤ {REFRESH_RATIO:g}× floor, < {REFRESH_MS} ms",
            "ratio_max": REFRESH_RATIO, "value_max": REFRESH_MS}
    return [
        Figure("scorecard aggregates, raw SQL (floor)", floor_alone, "ms", p95=floor_p95,
               queries=len(scorecard_floor_sql()),
               note="alone; each refresh's floor is timed between its runs"),
        Figure("refresh_scorecards after a quick-log, as its task runs it", after_mark[0], "ms",
               floor=after_mark[2], p95=after_mark[1], queries=marked.count,
               note="the mark names the producer: their card alone is recomputed", **goal),
        Figure("refresh_scorecards, whole agency-week, after a quick-log", after_write[0], "ms",
               floor=after_write[2], p95=after_write[1], queries=written.count,
               note="the safety refresh, or a write that names no producer", **goal),
        Figure("refresh_scorecards, whole agency-week, nothing new", unchanged[0], "ms",
               floor=unchanged[2], p95=unchanged[1], queries=counter.count, **goal),
    ]


def plans_figure(agency: Agency, cap_seconds: float = PLANS_SECONDS) -> Figure:
    """The nightly goal-plan refresh of the agency (the worker's `refresh_agency_goal_plans`:
    every selling producer's plan recomputed and stored), in a process of its own. Past
    `cap_seconds` it is stopped and its time extrapolated from the plans it had stored."""
    total = selling_producers(agency).count()
    plans = GoalPlan.objects.filter(agency=agency, computed_at__gte=timezone.now())
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(ROOT / "bench" / "nightly.py"),
                                str(agency.pk)], cwd=ROOT, env=process_env(
                                    os.environ["DATABASE_URL"]))
    while process.poll() is None and time.perf_counter() - started < cap_seconds:
        time.sleep(0.25)
    seconds = time.perf_counter() - started
    name = f"nightly plan refresh, {total} producers"
    goal = {"goal": f"< {PLANS_SECONDS} s", "value_max": PLANS_SECONDS}
    if process.poll() is None:
        process.kill()
        process.wait()
        done = plans.count()
        if not done:
            return Figure(name, None, "s", **goal,
                          note=f"no plan stored in {seconds:.0f} s; stopped")
        return Figure(name, seconds * total / done, "s", **goal,
                      note=f"extrapolated: {done} of {total} plans in {seconds:.0f} s")
    note = "" if process.returncode == 0 else f"failed ({process.returncode})"
    return Figure(name, seconds, "s", **goal, note=note)
