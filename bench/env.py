"""Where the benchmark's database is and how its processes set Django up.

The benchmark works on a PostgreSQL database of its own, named `bench_*`, which
`bench/generate` drops and creates: BENCH_DATABASE_URL, or `--database-url`.
"""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/bench_salesculture"
PASSWORD = "bench-salesculture"  # every generated person's password
RESULTS = ROOT / "bench" / "results.json"
DATA_DIR = ROOT / "var" / "bench"  # the processes' DATA_DIR (celery files, an empty STATIC_ROOT)


def database_url(given: str | None = None) -> str:
    url = given or os.environ.get("BENCH_DATABASE_URL") or DEFAULT_URL
    name = database_name(url)
    if urlsplit(url).scheme not in {"postgres", "postgresql"} or not name.startswith("bench_"):
        sys.exit(f"The benchmark needs a PostgreSQL database named bench_*, not {url!r}.")
    return url


def growth_url(given: str | None = None) -> str:
    """The growth run's database (10 agencies): BENCH_GROWTH_DATABASE_URL, or the benchmark's
    database name with `_growth` appended."""
    return database_url(given or os.environ.get("BENCH_GROWTH_DATABASE_URL")
                        or database_url() + "_growth")


def database_name(url: str) -> str:
    return urlsplit(url).path.strip("/")


def maintenance_url(url: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def libpq_url(url: str) -> str:
    """psycopg wants postgresql:// or postgres:// (not Django's aliases)."""
    return url.replace("postgresql://", "postgres://", 1)


def process_env(url: str, **extra: str) -> dict:
    """The environment of a process of the app on the benchmark's database: the deployed
    settings (DEBUG off), with static files served unhashed (no collectstatic needed)."""
    (DATA_DIR / "static").mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if key not in {"REDIS_URL", "DATABASE_URL", "DEBUG"}}
    env.update(
        DATABASE_URL=url, DJANGO_SETTINGS_MODULE="salesculture.settings",
        ALLOWED_HOSTS="testserver,127.0.0.1,localhost", DEBUG="0",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        DATA_DIR=str(DATA_DIR), STATIC_ROOT=str(DATA_DIR / "static"), LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT))
    env.update(extra)
    return env


def migrate(url: str) -> None:
    """`manage.py migrate` on the benchmark's database (a schema that moved on since it was
    generated is brought up to date; the data stays)."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                   cwd=ROOT, env=process_env(url), check=True)


def django_setup(url: str, **extra: str) -> None:
    """Django in this process, on the benchmark's database, no broker (what the app would
    queue is left in the outbox)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    for key in ("REDIS_URL", "DATABASE_URL", "DEBUG"):
        os.environ.pop(key, None)
    os.environ.update(process_env(url, **extra))
    import django

    django.setup()


def vacuum_analyze(url: str) -> None:
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as db:
        db.execute("VACUUM ANALYZE")


def rss_peak_mb(pid: int | str = "self") -> float:
    """The peak resident set size of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0
