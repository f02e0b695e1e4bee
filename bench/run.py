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
- --growth: the pages and the refresh again on the growth database (10 agencies, made by
  `bench/generate --growth`: BENCH_GROWTH_DATABASE_URL, by default the benchmark's database
  name + `_growth`), against the single-agency figures already in bench/results.json.

Writes bench/results.json, prints the table; --readme also puts it in README.md.
"""

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.env import (  # noqa: E402 - the project root must be on the path first
    database_name,
    database_url,
    django_setup,
    growth_url,
    migrate,
    rss_peak_mb,
    vacuum_analyze,
)
from bench.stack import redis_claim, redis_release  # noqa: E402

GROWTH_RATIO = 1.2
GROWTH_PREFIX = "growth: "


def main() -> None:
    args = arguments()
    url = growth_url(args.database_url) if args.growth else database_url(args.database_url)
    migrate(url)
    # As autovacuum keeps a deployed database. It may be off (it is on this machine), and a
    # previous run's rebuild rewrote every card: the pages' index-only reads of the cards
    # then visit each dead version in the table (the owner's board 22 → 33 ms).
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

    agency = generated_agency(url, growth=args.growth)
    results = report.load() if args.growth else {}
    if args.growth and not results.get("figures"):
        sys.exit("Run the single-agency benchmark first: --growth compares with its figures.")
    started = time.perf_counter()
    data = data_summary()
    if args.growth:
        results["growth_data"] = data
        figures = growth(agency, args, results["figures"])
        results["figures"] = [f for f in results["figures"]
                              if not f["name"].startswith(GROWTH_PREFIX)] + figures
    else:
        results = {"machine": report.machine(postgres_version()), "data": data,
                   "figures": [f.as_json() for f in single(agency, args, redis_url)]}
    report.save(report.stamp(results, prefix="growth_" if args.growth else ""))
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
                        help="compare a 10-agency database with the single-agency figures")
    parser.add_argument("--readme", action="store_true", help="update README.md's table")
    return parser.parse_args()


def generated_agency(url: str, *, growth: bool):
    from django.db import OperationalError

    from salesculture.models import Agency

    try:
        agency = Agency.objects.filter(slug="bench-1").first()
        agencies = Agency.objects.count()
    except OperationalError:
        agency = None
    if agency is None:
        sys.exit(f"{database_name(url)} has no benchmark data: run bench/generate first.")
    if growth and agencies < 2:
        sys.exit(f"{database_name(url)} has one agency: generate it with --agencies 10.")
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


def single(agency, args, redis_url: str) -> list:
    from bench.jobs import plans_figure, refresh_figures
    from bench.pages import Pages, cast_of
    from bench.report import Figure

    step("pages")
    figures = Pages(cast_of(agency), args.repeat).figures()
    figures.append(Figure("benchmark process peak RSS after the pages (test client)",
                          rss_peak_mb(), "MB"))
    step("refresh_scorecards and its floor")
    figures += refresh_figures(agency, repeat=max(5, args.repeat // 3))
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


def growth(agency, args, single_figures: list[dict]) -> list[dict]:
    """The same pages and refresh on the bigger database, each against its single-agency
    figure. Both runs' times are taken as multiples of their own run's floor (the trivial
    view; the refresh's raw SQL), so that the machine being busier in one run than in the
    other does not read as growth; the note gives the milliseconds."""
    from bench.jobs import refresh_figures
    from bench.pages import Pages, cast_of
    from bench.report import Figure

    step("pages (growth)")
    figures = Pages(cast_of(agency), args.repeat).figures()
    step("refresh_scorecards (growth)")
    figures += refresh_figures(agency, repeat=max(5, args.repeat // 3))
    before = {f["name"]: f for f in single_figures if f["unit"] == "ms"}
    compared = []
    for figure in figures:
        single_figure = before.get(figure.name)
        if figure.unit != "ms" or single_figure is None:
            continue
        if not figure.floor:  # a floor itself, in milliseconds; no goal
            note = ("how much busier the machine was" if figure.name.startswith("trivial")
                    else "the floor's own growth")
            compared.append(Figure(GROWTH_PREFIX + figure.name, figure.value, "ms",
                                   floor=single_figure["value"], note=note).as_json())
            continue
        multiple = figure.ratio
        compared.append(Figure(
            GROWTH_PREFIX + figure.name, multiple, "× floor", floor=single_figure["ratio"],
            goal=f"≤ {GROWTH_RATIO:g}× one agency", ratio_max=GROWTH_RATIO,
            p95=None, queries=figure.queries,
            note=_ms(figure.value, single_figure["value"])).as_json())
    return compared


def _ms(growth_ms: float | None, single_ms: float | None) -> str:
    if growth_ms is None or single_ms is None:
        return "failed in one of the runs"
    return f"{growth_ms:.1f} ms against {single_ms:.1f} ms"


def step(what: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {what} …", flush=True)


if __name__ == "__main__":
    main()
