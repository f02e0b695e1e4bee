"""The benchmark: a program that measures, on the database `bench/generate` made (it never
wipes it), and reports; it never fails the test suite.

    bench/generate && .venv/bin/python bench/run.py [--no-load] [--readme]
    bench/generate --growth && .venv/bin/python bench/run.py --growth

Figures, for agency 1 (its owner, the leader of team 1 and a producer of that team):
- every page's median, p95, query count and size, warm, through the test client with the full
  middleware, against the trivial logged-in view (bench/urls.py) measured in the same run;
- the scorecard refresh of the current agency-week against the same aggregates as
  hand-written SQL; the nightly goal-plan refresh (stopped after --plans-seconds and
  extrapolated); the 52-week rebuild by a real Celery worker and the worker's peak RSS;
- the load run (--no-load skips it): gunicorn and a worker, 50 people for 60 s;
- --growth: the pages and the refresh on the growth database (10 agencies, made by
  `bench/generate --growth`: BENCH_GROWTH_DATABASE_URL, by default the benchmark's database
  name + `_growth`) against the same on the single-agency one, in alternating rounds
  (bench/growth.py); added to the figures already in bench/results.json.

Writes bench/results.json, prints the table; --readme also puts it in README.md.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.env import (  # noqa: E402 - the project root must be on the path first
    database_name,
    database_url,
    django_setup,
    migrate,
    rss_peak_mb,
    vacuum_analyze,
)
from bench.report import step  # noqa: E402
from bench.stack import redis_claim, redis_release  # noqa: E402


def main() -> None:
    args = arguments()
    if args.growth:
        from bench.growth import growth_run

        started = time.perf_counter()
        report_results(growth_run(args), args, started, prefix="growth_")
        return
    url = database_url(args.database_url)
    if not args.figures_to:  # a growth round's: the growth run did both before its rounds
        migrate(url)
        # As autovacuum keeps a deployed database. It may be off (it is on this machine),
        # and a previous run's rebuild rewrote every card: the pages' index-only reads of
        # the cards then visit each dead version in the table (the owner's board 22 → 33 ms).
        vacuum_analyze(url)
    try:
        redis_url = redis_claim()
    except Exception as error:  # the pages still run, on a local-memory cache
        print(f"No Redis database to claim ({error}): no cache shared with the pages, no "
              "worker, no load run.")
        redis_url = ""
    try:
        django_setup(url, **({"REDIS_URL": redis_url} if redis_url else {}))
        measure(url, args, redis_url)
    finally:
        if redis_url:
            redis_release(redis_url)


def measure(url: str, args, redis_url: str) -> None:
    from bench import report

    agency = generated_agency(url)
    started = time.perf_counter()
    data = data_summary()
    if args.figures_to:
        figures = pages_and_refresh(agency, args)
        Path(args.figures_to).write_text(json.dumps(
            {"data": data, "figures": [f.as_json() for f in figures]}))
        return
    results = {"machine": report.machine(postgres_version()), "data": data,
               "figures": [f.as_json() for f in single(agency, args, redis_url)]}
    report_results(results, args, started)


def report_results(results: dict, args, started: float, prefix: str = "") -> None:
    from bench import report

    report.save(report.stamp(results, prefix=prefix))
    print(f"\n{report.caption(results)}\n\n{report.table(results['figures'])}\n")
    print(f"Measured in {time.perf_counter() - started:.0f} s; written to bench/results.json.")
    if args.readme and not report.readme_update(results):
        print("README.md has no benchmark table markers; not updated.")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per page")
    parser.add_argument("--plans-seconds", type=float, default=60,
                        help="stop the nightly plan refresh after this long and extrapolate")
    parser.add_argument("--no-rebuild", action="store_true", help="skip the 52-week rebuild")
    parser.add_argument("--no-load", action="store_true", help="skip the load run")
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--load-users", type=int, default=50)
    parser.add_argument("--growth", action="store_true",
                        help="compare a 10-agency database with the single-agency one")
    parser.add_argument("--rounds", type=int, default=3,
                        help="--growth: alternating rounds on each database")
    parser.add_argument("--figures-to", default="", help=argparse.SUPPRESS)
    parser.add_argument("--readme", action="store_true", help="update README.md's table")
    return parser.parse_args()


def generated_agency(url: str):
    from django.db import OperationalError

    from salesculture.models import Agency

    try:
        agency = Agency.objects.filter(slug="bench-1").first()
    except OperationalError:
        agency = None
    if agency is None:
        sys.exit(f"{database_name(url)} has no benchmark data: run bench/generate first.")
    return agency


def postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return "PostgreSQL " + cursor.fetchone()[0].split()[0]


def data_summary() -> dict:
    from django.db import connection

    from pipeline.models import Activity, Prospect, StageAdvance
    from salesculture.models import Agency, Producer

    counts = {}
    with connection.cursor() as cursor:
        for key, model in [("agencies", Agency), ("people", Producer), ("prospects", Prospect),
                           ("stage_advances", StageAdvance), ("activities", Activity)]:
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            counts[key] = cursor.fetchone()[0]
    agencies = counts["agencies"]
    counts["summary"] = (
        f"{agencies} agenc{'y' if agencies == 1 else 'ies'}, {counts['people']:,} people, "
        f"{counts['prospects']:,} prospects, {counts['stage_advances']:,} stage advances, "
        f"{counts['activities']:,} activities")
    return counts


def pages_and_refresh(agency, args) -> list:
    """The figures the growth run compares: the pages, the refresh and their floors."""
    from bench.jobs import refresh_figures
    from bench.pages import Pages, cast_of
    from bench.report import Figure

    step("pages")
    figures = Pages(cast_of(agency), args.repeat).figures()
    figures.append(Figure("benchmark process peak RSS after the pages (test client)",
                          rss_peak_mb(), "MB"))
    step("refresh_scorecards and its floor")
    return figures + refresh_figures(agency, repeat=max(5, args.repeat // 3))


def single(agency, args, redis_url: str) -> list:
    from bench.jobs import plans_figure

    figures = pages_and_refresh(agency, args)
    step(f"nightly plans (at most {args.plans_seconds:g} s)")
    figures.append(plans_figure(agency, cap_seconds=args.plans_seconds))
    if not (args.no_rebuild and args.no_load):
        figures += with_stack(agency, args, redis_url)
    return figures


def with_stack(agency, args, redis_url: str) -> list:
    """The figures that need real processes; one that cannot be had (no Redis, a process
    that would not start, a rebuild that never finished) is reported as such, not fatal."""
    from bench import load
    from bench.report import Figure
    from bench.stack import Stack, rebuild_figures

    if not redis_url:
        return [Figure("52-week rebuild and load run", None, "", note="skipped: no Redis")]
    figures = []
    stack = Stack(os.environ["DATABASE_URL"], redis_url)
    try:
        if not args.no_rebuild:
            step("the 52-week rebuild (a Celery worker)")
            figures += _attempt("52-week rebuild", lambda: rebuild_figures(stack, agency))
        if not args.no_load:
            step(f"the load run ({args.load_users} users, {args.load_seconds:g} s)")
            figures += _attempt("load run", lambda: load.load_figures(
                stack, agency, users=args.load_users, seconds=args.load_seconds))
    finally:
        stack.close()
        if not args.no_load:
            load.clean_up(agency)
    return figures


def _attempt(what: str, measure) -> list:
    from bench.report import Figure

    try:
        return measure()
    except Exception as error:  # reported in the table instead
        message = " ".join(str(error).split())[:160]
        return [Figure(what, None, "", note=f"failed: {type(error).__name__}: {message}")]


if __name__ == "__main__":
    main()
