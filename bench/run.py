"""Benchmark: the scorecard job and the main pages on a bigger demo agency.

Times are noisy on shared machines, so every timing is reported as a median and as a ratio
to a floor measured in the same run (a one-row primary-key read through the ORM).

    .venv/bin/python bench/run.py [--producers 40] [--weeks 13] [--repeat 15]

Runs on a throw-away SQLite file unless BENCH_DATABASE_URL is set (a database it may wipe).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


class QueryCounter:
    """Counts every statement the connection runs (the request's own log is reset per request)."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def median_seconds(fn, repeat: int) -> float:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--producers", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="salesculture-bench-")
    os.environ["DATA_DIR"] = workdir
    os.environ["DATABASE_URL"] = os.environ.get(
        "BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    os.environ.pop("REDIS_URL", None)
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesculture.settings")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["STATICFILES_BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse

    from accountability.scorecards.refresh import scorecards_refresh
    from salesculture.models import Agency
    from salesculture.weeks import Week

    call_command("migrate", verbosity=0)
    if "BENCH_DATABASE_URL" in os.environ:
        call_command("flush", interactive=False, verbosity=0)
    started = time.perf_counter()
    call_command("seed_demo", producers=args.producers, weeks=args.weeks, verbosity=0)
    seeded = time.perf_counter() - started
    agency = Agency.objects.get(slug="summit")
    week = Week.current(agency).start

    floor = median_seconds(lambda: Agency.objects.get(pk=agency.pk), args.repeat * 4)
    rows = [("floor: Agency by primary key", floor, 1)]

    with CaptureQueriesContext(connection) as queries:
        scorecards_refresh(agency=agency, week_start=week)
    rows.append(("scorecard job, current week", median_seconds(
        lambda: scorecards_refresh(agency=agency, week_start=week), args.repeat),
        len(queries)))

    pages = [
        ("leader", "accountability:team", {}),
        ("leader", "accountability:live_team", {"v": "{version}"}),
        ("leader", "accountability:meetings", {}),
        ("producer", "accountability:my_week", {}),
        ("producer", "pipeline:board", {}),
        ("producer", "accountability:commitments", {}),
        ("producer", "accountability:plan", {}),
    ]
    clients = {}
    for username, name, params in pages:
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.login(username=username, password="salesculture")
        params = {k: v.format(version=Agency.objects.get(pk=agency.pk).live_version)
                  for k, v in params.items()}
        client.get(url, params)  # warm
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            response = client.get(url, params)
        rows.append((f"GET {url} as {username} → {response.status_code}",
                     median_seconds(lambda c=client, u=url, p=params: c.get(u, p), args.repeat),
                     counter.count))

    print(f"\nSales Culture benchmark: {args.producers + 3} people, {args.weeks} weeks, "
          f"{connection.vendor}; demo data loaded in {seeded:.1f}s\n")
    print(f"{'what':<58} {'median ms':>10} {'× floor':>9} {'queries':>8}")
    for label, seconds, count in rows:
        print(f"{label:<58} {seconds * 1000:>10.2f} {seconds / floor:>9.1f} {count:>8}")


if __name__ == "__main__":
    main()
