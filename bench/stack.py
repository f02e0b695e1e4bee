"""The real processes some figures need: a Celery worker (the 52-week rebuild, the load run's
refreshes) and gunicorn (the load run), on the benchmark's database and the Redis database
number the run claimed (its cache and broker, as in production). Started with
tests/faults/processes.py's helpers, each in its own process group, and stopped by its id
when the run ends."""

import os
import secrets
import time
from urllib.parse import urlsplit, urlunsplit

from bench.env import process_env, rss_peak_mb
from bench.report import Figure
from tests.faults import processes as procs

REDIS_URL = "redis://127.0.0.1:6379/0"  # BENCH_REDIS_URL overrides it
CLAIM_KEY = "salesculture:bench:claimed"
REBUILD_SECONDS, WORKER_MB = 20, 300


def redis_claim(base_url: str | None = None) -> str:
    """An empty Redis database number (Celery's queue has the same name everywhere: a worker
    of another run on the same number would take this run's tasks)."""
    import redis

    base_url = base_url or os.environ.get("BENCH_REDIS_URL", REDIS_URL)
    probe = redis.Redis.from_url(base_url, socket_connect_timeout=3)
    try:
        count = int(probe.config_get("databases").get("databases", 16))
    except redis.RedisError:
        count = 16
    token = secrets.token_hex(8)
    for number in reversed(range(count)):
        url = urlunsplit(urlsplit(base_url)._replace(path=f"/{number}"))
        client = redis.Redis.from_url(url)
        if not client.set(CLAIM_KEY, token, nx=True, ex=3600):
            continue
        if client.dbsize() == 1:
            return url
        client.delete(CLAIM_KEY)  # someone's data is there: leave it alone
    raise RuntimeError(f"no empty Redis database among {count} at {base_url}")


def redis_release(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()  # it was empty when claimed: what is there is ours


class Stack:
    def __init__(self, database_url: str, redis_url: str):
        self.database_url = database_url
        self.redis_url = redis_url
        self.env = process_env(database_url, REDIS_URL=redis_url)
        self.worker = None
        self.web = None
        self.floor_web = None
        self.base_url = ""

    def start_worker(self):
        if self.worker is None:
            self.worker = procs.start_worker(self.env, pool="prefork", concurrency=1)
        return self.worker

    def start_web(self, workers: int = 3) -> str:
        if self.web is None:
            self.web, self.base_url = procs.start_gunicorn(self.env, workers=workers)
        return self.base_url

    def start_floor_web(self, workers: int = 3) -> str:
        """gunicorn as `start_web`'s, serving the app plus the trivial view (bench/wsgi.py);
        the app's own web process is stopped first, so the two never share the cores."""
        if self.web is not None:
            procs.stop(self.web)
            self.web = None
        self.floor_web, url = procs.start_gunicorn(self.env, workers=workers, app="bench.wsgi")
        return url

    @staticmethod
    def peak_mb(process) -> float:
        """The largest peak RSS among the process and its children (a prefork pool's, or
        gunicorn's workers)."""
        pids = [*procs.children(process.pid), process.pid]
        return max((rss_peak_mb(pid) for pid in pids if os.path.exists(f"/proc/{pid}")),
                   default=0.0)

    def close(self) -> None:
        for process in (self.web, self.floor_web, self.worker):
            if process is not None:
                procs.stop(process)


def rebuild_figures(stack: Stack, agency) -> list[Figure]:
    """Every week of the agency rebuilt by a real worker, one refresh task per week, oldest
    first (its scorecards deleted first, so each week is computed and written afresh)."""
    from kombu import Connection

    from accountability.models import WeeklyScorecard
    from salesculture.celery import app

    worker = stack.start_worker()
    cards = WeeklyScorecard.objects.filter(agency=agency)
    weeks = sorted(set(cards.values_list("week_start", flat=True)))
    expected = cards.count()
    cards.delete()
    started = time.perf_counter()
    with Connection(stack.redis_url) as broker:
        for week_start in weeks:
            app.send_task("accountability.refresh_scorecards",
                          args=(agency.pk, week_start.isoformat()), connection=broker)
    last = cards.filter(week_start=weeks[-1])
    procs.wait_for(last.exists, timeout=1800, interval=0.1,
                   message=f"the rebuild did not finish:\n{procs.log_tail(worker)}")
    seconds = time.perf_counter() - started
    note = "" if cards.count() == expected else f"{cards.count()} of {expected} cards"
    return [
        Figure(f"{len(weeks)}-week rebuild (worker, one task a week)", seconds, "s",
               goal=f"< {REBUILD_SECONDS} s", value_max=REBUILD_SECONDS, note=note),
        Figure("worker peak RSS, after the rebuild", stack.peak_mb(worker), "MB",
               goal=f"< {WORKER_MB} MB", value_max=WORKER_MB),
    ]
