"""Fixtures of the fault and load suite; processes.py describes the harness as a whole.

Every test in this folder is marked `faults` and is skipped unless RUN_FAULTS=1, so the
default `pytest` (and `make test`) leaves them out while `pytest -m faults` still collects
them. With RUN_FAULTS=1 they skip, saying why, when DATABASE_URL is not a reachable PostgreSQL
or REDIS_URL not a reachable Redis.
"""

import atexit
import datetime as dt
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from . import processes as procs

RUN_FAULTS = os.environ.get("RUN_FAULTS") == "1"
OPT_IN = "fault and load tests are opt-in: run them with RUN_FAULTS=1 (see .ci/run)"
NEEDS = ("fault tests need PostgreSQL and Redis: set DATABASE_URL=postgres://... and "
         "REDIS_URL=redis://...")
HERE = Path(__file__).resolve().parent
# The safety refresh's period in the processes started here (beat's refresh-current-weeks);
# the load test gives the scorecards this long after the last write to be right.
REFRESH_SECONDS = int(os.environ.get("FAULTS_REFRESH_SECONDS", "30"))
REDIS_CLAIM_KEY = "salesculture:faults:claimed"


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything in this folder `faults` (before `-m` selects) and skip it unless
    RUN_FAULTS=1."""
    skip = pytest.mark.skip(reason=OPT_IN)
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.faults)
            if not RUN_FAULTS:
                item.add_marker(skip)


# The figures the tests measured (requests, writes acknowledged and found, latencies),
# printed together at the end of the run.
FIGURES: list[str] = []


@pytest.fixture
def figures() -> list[str]:
    """Append a line to print in the run's closing "fault suite figures" section."""
    return FIGURES


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.write_sep("-", "fault suite figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


# --- the stack: a database, a broker, static files and the deployed settings ---------------

@dataclass
class Stack:
    database: str  # the PostgreSQL database's name, faults_<hex>
    database_url: str
    redis_url: str  # with the Redis database number claimed for the session
    data_dir: Path
    env: dict = field(repr=False)

    def process_env(self, **overrides) -> dict:
        return {**self.env, **{k: str(v) for k, v in overrides.items()}}

    def terminate_connections(self) -> int:
        """End every other connection to the database (the servers'; this one survives).
        Returns how many were ended."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")
            return cursor.fetchone()[0]

    def flush_broker(self) -> None:
        """Empty the session's Redis database (queued tasks, cache), keeping the claim."""
        import redis

        client = redis.Redis.from_url(self.redis_url)
        token = client.get(REDIS_CLAIM_KEY)
        client.flushdb()
        if token is not None:
            client.set(REDIS_CLAIM_KEY, token, ex=3600)


def _services_or_skip() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if urlsplit(database_url).scheme not in {"postgres", "postgresql", "pgsql", "psql"} or (
            urlsplit(redis_url).scheme != "redis"):
        pytest.skip(NEEDS)
    import psycopg
    import redis

    try:
        psycopg.connect(_maintenance_dsn(database_url), connect_timeout=3).close()
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except (psycopg.Error, redis.RedisError) as error:
        pytest.skip(f"{NEEDS} (not reachable: {error})")
    return database_url, redis_url


def _with_path(url: str, path: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=path))


def _maintenance_dsn(database_url: str) -> str:
    return _with_path(database_url, "/postgres").replace("psql://", "postgres://", 1).replace(
        "pgsql://", "postgres://", 1)


def _admin(database_url: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(_maintenance_dsn(database_url), autocommit=True) as admin:
        admin.execute(sql)


def _claim_redis_database(redis_url: str) -> str:
    """A Redis database number no one else uses: the one in REDIS_URL when it is empty, else
    the first empty one. Celery's queue is named the same everywhere, so a worker of another
    run sharing the database would take this run's tasks to its own PostgreSQL database."""
    import redis

    first = int(urlsplit(redis_url).path.strip("/") or 0)
    probe = redis.Redis.from_url(redis_url)
    try:
        count = int(probe.config_get("databases").get("databases", 16))
    except redis.RedisError:
        count = 16
    token = secrets.token_hex(8)
    for number in [first, *(n for n in range(count) if n != first)]:
        url = _with_path(redis_url, f"/{number}")
        client = redis.Redis.from_url(url)
        if not client.set(REDIS_CLAIM_KEY, token, nx=True, ex=3600):
            continue
        if client.dbsize() == 1:
            return url
        client.delete(REDIS_CLAIM_KEY)  # someone's data is there: leave it alone
    pytest.skip(f"{NEEDS} (no empty Redis database to claim among {count})")


def _release_redis_database(redis_url: str) -> None:
    import redis

    # The database was empty when claimed: what is in it now is this session's.
    redis.Redis.from_url(redis_url).flushdb()


def _run(argv: list[str], env: dict) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "manage.py", *argv], cwd=procs.ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _finish(process: subprocess.Popen, what: str) -> None:
    output = process.communicate(timeout=300)[0]
    if process.returncode != 0:
        pytest.fail(f"{what} failed ({process.returncode}):\n{output[-4000:]}")


def _deployed_env(database_url: str, redis_url: str, work: Path) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in {
        "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS", "STATICFILES_BACKEND", "CELERY_TASK_ALWAYS_EAGER"}}
    env.update({
        "DJANGO_SETTINGS_MODULE": "salesculture.settings",
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "DEBUG": "0", "SECRET_KEY": "faults-" + secrets.token_hex(32),
        "ALLOWED_HOSTS": "127.0.0.1", "DATA_DIR": str(work / "data"),
        "STATIC_ROOT": str(work / "static"), "LOG_LEVEL": "WARNING",
        "SCORECARD_SAFETY_REFRESH_SECONDS": str(REFRESH_SECONDS), "PYTHONUNBUFFERED": "1",
    })
    return env


def _interrupt_on_sigterm():
    """A CI timeout's SIGTERM becomes KeyboardInterrupt, so teardown stops the servers.
    Returns the handler it replaced."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    return signal.signal(signal.SIGTERM, interrupt)


@pytest.fixture(scope="session")
def stack(django_db_blocker):
    database_url, redis_url = _services_or_skip()
    from django.db import connections

    name = f"faults_{secrets.token_hex(4)}"
    work = Path(tempfile.mkdtemp(prefix=f"{name}-"))
    database_url = _with_path(database_url, f"/{name}")
    redis_url = _claim_redis_database(redis_url)
    env = _deployed_env(database_url, redis_url, work)
    previous_handler = _interrupt_on_sigterm()
    atexit.register(procs.stop_all)
    connection = connections["default"]
    previous_name = connection.settings_dict["NAME"]
    try:
        _admin(database_url, f'CREATE DATABASE "{name}"')
        static = _run(["collectstatic", "--noinput", "-v", "0"], env)
        migrate = _run(["migrate", "--noinput", "-v", "0"], env)
        _finish(migrate, "manage.py migrate")
        _finish(static, "manage.py collectstatic")
        with django_db_blocker.unblock():
            connection.close()
            connection.settings_dict["NAME"] = name
            try:
                yield Stack(database=name, database_url=database_url, redis_url=redis_url,
                            data_dir=work / "data", env=env)
            finally:
                procs.stop_all()
                connections.close_all()
                connection.settings_dict["NAME"] = previous_name
    finally:
        _release_redis_database(redis_url)
        if not os.environ.get("FAULTS_KEEP_DATABASE"):
            _admin(database_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(work, ignore_errors=True)
        signal.signal(signal.SIGTERM, previous_handler)


# --- servers per test -----------------------------------------------------------------------

@dataclass
class Server:
    process: subprocess.Popen
    url: str


class Processes:
    """Starts the stack's servers for one test; `stop_all` (at the test's end) stops them."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.started: list[subprocess.Popen] = []

    def gunicorn(self, workers: int = 3, **env) -> Server:
        process, url = procs.start_gunicorn(self.stack.process_env(**env), workers=workers)
        self.started.append(process)
        return Server(process, url)

    def worker(self, pool: str = "prefork", concurrency: int = 1, **env) -> subprocess.Popen:
        process = procs.start_worker(self.stack.process_env(**env), pool=pool,
                                     concurrency=concurrency)
        self.started.append(process)
        return process

    def beat(self, **env) -> subprocess.Popen:
        process = procs.start_beat(self.stack.process_env(**env))
        self.started.append(process)
        return process

    def stop_all(self) -> None:
        for process in reversed(self.started):
            procs.stop(process)
        self.started.clear()


@pytest.fixture
def processes(stack):
    started = Processes(stack)
    try:
        yield started
    finally:
        started.stop_all()
        stack.flush_broker()


# --- people and their pipeline --------------------------------------------------------------

@dataclass
class Cast:
    agency: object
    producers: list  # salesculture.models.Producer, all on one team
    password: str
    activity_types: list  # the agency's ActivityType rows, in order
    path: list  # the open stages by position, then the won stage: an advance's route
    prospects: dict  # producer id → their prospects (all in the first stage)

    def week_start(self) -> dt.date:
        from salesculture.weeks import Week

        return Week.current(self.agency).start


_hashes: dict[str, str] = {}


def _server_hash(password: str) -> str:
    """A hash the servers' default hashers check (tests here hash with MD5 for speed)."""
    if password not in _hashes:
        from django.contrib.auth.hashers import PBKDF2PasswordHasher

        hasher = PBKDF2PasswordHasher()
        _hashes[password] = hasher.encode(password, hasher.salt())
    return _hashes[password]


def seed_agency(producers: int = 4, prospects_each: int = 0,
                commitments: bool = False) -> Cast:
    from django.contrib.auth import get_user_model

    from pipeline.models import ActivityType, Stage
    from tests.factories import (
        PASSWORD,
        AgencyFactory,
        CommitmentFactory,
        ProducerFactory,
        ProspectFactory,
        TeamFactory,
    )

    tag = secrets.token_hex(3)
    agency = AgencyFactory(name=f"Faults {tag}", slug=f"faults-{tag}")
    team = TeamFactory(agency=agency, name="Floor")
    people = [ProducerFactory(agency=agency, team=team, user__username=f"f{tag}-{n}")
              for n in range(producers)]
    get_user_model().objects.filter(pk__in=[p.user_id for p in people]).update(
        password=_server_hash(PASSWORD))
    stages = list(Stage.objects.filter(agency=agency).order_by("position"))
    path = [s for s in stages if s.kind == Stage.Kind.OPEN] + [
        next(s for s in stages if s.kind == Stage.Kind.WON)]
    prospects = {p.pk: [ProspectFactory(owner=p, stage=path[0]) for _ in range(prospects_each)]
                 for p in people}
    if commitments:
        for person in people:
            CommitmentFactory(producer=person)
    return Cast(agency=agency, producers=people, password=PASSWORD,
                activity_types=list(ActivityType.objects.filter(agency=agency)
                                    .order_by("position")),
                path=path, prospects=prospects)


@pytest.fixture
def seed(stack):
    return seed_agency
