"""Issue 11, #2: with the broker unreachable a write answers at once, and when the broker is
back the scorecards catch up without anyone doing anything.

The broker here is a redis-server of the test's own on a free port, so it can be away (the
port closed) and come back on the same address the servers were started with."""

import shutil
import socket
import subprocess
import time

import pytest

from accountability.models import WeeklyScorecard
from pipeline.models import Activity
from salesculture.models import DirtyWeek

from . import processes as procs
from .processes import Browser, Journal, wait_for

pytestmark = pytest.mark.faults
QUICK_LOGS = 8


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _redis_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--save", "",
         "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True)
    wait_for(lambda: _answers(port), timeout=20, message="redis-server did not start")
    return process


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_writes_answer_at_once_without_the_broker_and_are_caught_up_after(processes, seed):
    cast = seed(producers=1)
    producer = cast.producers[0]
    port = _free_port()
    broker = {"REDIS_URL": f"redis://127.0.0.1:{port}/0"}
    server = processes.gunicorn(workers=2, **broker)
    journal = Journal()
    person = Browser(server.url, journal)
    person.login(producer.user.username, cast.password)
    call = cast.activity_types[0].pk

    # The broker is away: nothing listens on its port.
    answers = [person.post("/week/log/", {"activity_type": call, "client_token": f"away-{i}"},
                           kind="quick_log", htmx=True) for i in range(QUICK_LOGS)]
    page = person.get("/week/", kind="page")

    seconds = sorted(r.seconds for r in answers)
    assert [r.status for r in answers] == [200] * QUICK_LOGS and page.status == 200
    assert seconds[-1] < 1.0, f"slowest quick-log took {seconds[-1]:.2f} s"
    assert Activity.objects.filter(producer=producer).count() == QUICK_LOGS
    assert DirtyWeek.objects.filter(agency=cast.agency).exists()
    assert not WeeklyScorecard.objects.filter(producer=producer).exists()

    # The broker comes back; a worker and beat run, and nobody touches the app.
    redis = _redis_server(port)
    try:
        back = time.monotonic()
        processes.worker(**broker)
        processes.beat(SCORECARD_SAFETY_REFRESH_SECONDS=5, **broker)
        card = wait_for(lambda: WeeklyScorecard.objects.filter(
            producer=producer, week_start=cast.week_start(),
            activities_total=QUICK_LOGS).first(), timeout=60,
            message="the scorecard never caught up after the broker came back")
        caught_up = time.monotonic() - back
        wait_for(lambda: not DirtyWeek.objects.filter(agency=cast.agency).exists(), timeout=30,
                 message="the outbox was never drained")
    finally:
        procs.stop(redis)
    assert card.activity_counts == {str(call): QUICK_LOGS}
    print(f"\nbroker away: {QUICK_LOGS} quick-logs, median {seconds[len(seconds) // 2]:.3f} s, "
          f"slowest {seconds[-1]:.3f} s; caught up {caught_up:.1f} s after the broker returned "
          "(worker and beat start included)")
