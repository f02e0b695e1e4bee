"""`make bench` starts with `bench/generate`, which writes the tables by COPY with explicit
columns: a column added to a ledger without one there breaks it, and nothing else would say
so before someone runs the benchmark. A tiny agency, on PostgreSQL only (COPY)."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[1]
URL = os.environ.get("DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not URL.startswith("postgres"),
                                reason="the generator writes by COPY: PostgreSQL only")


def test_the_benchmark_generator_makes_a_small_agency():
    parts = urlsplit(URL)
    url = urlunsplit(parts._replace(path="/bench_salesculture_check"))
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "generate.py"), "--agencies", "1",
         "--producers", "6", "--weeks", "3", "--database-url", url],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url})
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Generated bench_salesculture_check" in done.stdout
    # Each move carries when its prospect entered the stage it leaves, as live moves do: the
    # benchmark's past weeks read their open pipeline from it.
    with psycopg.connect(url) as db:
        (unstamped,) = db.execute(
            "SELECT count(*) FROM (SELECT from_stage_entered_at, LAG(occurred_at) OVER ("
            "PARTITION BY prospect_id ORDER BY occurred_at, id) AS before "
            "FROM pipeline_stageadvance) m "
            "WHERE from_stage_entered_at IS DISTINCT FROM before").fetchone()
    assert unstamped == 0
