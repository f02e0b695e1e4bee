"""Generate the benchmark's data: N agencies of P people with W weeks of history, in a
PostgreSQL database of their own (dropped and created afresh), independent of `seed_demo`.

    bench/generate [--agencies 1] [--producers 500] [--weeks 52] [--database-url URL]
    bench/generate --growth        # 10 agencies, on the growth run's database

The database is BENCH_DATABASE_URL or --database-url (its name must start with `bench_`),
by default postgres://postgres@127.0.0.1:5432/bench_salesculture. With the defaults one agency
has about 1M activities, 95k prospects and 300k stage advances; `--agencies 10` is the growth
run's database. Everyone's password is `bench-salesculture`; the logins of agency n are
`bench-n-owner`, `bench-n-leader-01` … and `bench-n-producer-0001` …. Prints its time, each
step's and the row counts.
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.env import (  # noqa: E402 - the project root must be on the path first
    database_name,
    database_url,
    django_setup,
    growth_url,
    libpq_url,
    maintenance_url,
    migrate,
    vacuum_analyze,
)

GROWTH_AGENCIES = 10


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=None, help="1, or 10 with --growth")
    parser.add_argument("--producers", type=int, default=500, help="people per agency")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--growth", action="store_true",
                        help="the growth run's database: --agencies 10 (unless given) on "
                             "BENCH_GROWTH_DATABASE_URL or the benchmark's name + _growth")
    parser.add_argument("--no-jobs", action="store_true",
                        help="no scorecards and no goal plans (pages will show none)")
    args = parser.parse_args()
    args.agencies = args.agencies or (GROWTH_AGENCIES if args.growth else 1)
    if args.agencies < 1 or args.producers < 3 or args.weeks < 2:
        parser.error("at least 1 agency, 3 people and 2 weeks")
    url = growth_url(args.database_url) if args.growth else database_url(args.database_url)
    started = time.perf_counter()
    lap = Laps(started)

    recreate(url)
    migrate(url)
    lap("database created and migrated")
    django_setup(url)
    from bench.populate import Populator

    populator = Populator(url=url, producers=args.producers, weeks=args.weeks, seed=args.seed,
                          report=print)
    agencies = [populator.agency(n) for n in range(1, args.agencies + 1)]
    populator.finish()
    lap(f"{args.agencies} agenc{'y' if args.agencies == 1 else 'ies'} written and analysed")
    if not args.no_jobs:
        for agency in agencies:
            seconds = populator.scorecards(agency)
            print(f"  {agency.name}: {args.weeks} weeks of scorecards in {seconds:.1f} s")
        lap("scorecards materialised")
        for agency in agencies:
            seconds = populator.plans(agency)
            print(f"  {agency.name}: goal plans in {seconds:.1f} s")
        lap("goal plans computed")
    vacuum_analyze(url)
    lap("vacuumed and analysed")
    print_counts()
    print(f"Generated {database_name(url)} in {time.perf_counter() - started:.1f} s.")


class Laps:
    def __init__(self, started: float):
        self.last = started

    def __call__(self, what: str) -> None:
        now = time.perf_counter()
        print(f"{what}: {now - self.last:.1f} s", flush=True)
        self.last = now


def recreate(url: str) -> None:
    import psycopg

    name = database_name(url)
    with psycopg.connect(libpq_url(maintenance_url(url)), autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                      "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')


def print_counts() -> None:
    from django.apps import apps
    from django.db import connection

    labels = ["auth.User", "salesculture.Agency", "salesculture.Team", "salesculture.Producer",
              "pipeline.Prospect", "pipeline.StageAdvance", "pipeline.StageWin",
              "pipeline.Activity", "accountability.Commitment",
              "accountability.ConfidenceCheckIn", "accountability.WeeklyScorecard",
              "accountability.Celebration", "accountability.GoalPlan"]
    with connection.cursor() as cursor:
        for label in labels:
            model = apps.get_model(label)
            cursor.execute(f"SELECT count(*) FROM {model._meta.db_table}")
            print(f"  {model._meta.verbose_name_plural:<24} {cursor.fetchone()[0]:>12,}")


if __name__ == "__main__":
    main()
