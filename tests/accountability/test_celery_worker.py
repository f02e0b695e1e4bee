"""The real thing: a Celery worker process, the configured broker (Redis when REDIS_URL is set,
the file-system transport otherwise) and the test database shared with it."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from accountability.models import WeeklyScorecard
from pipeline.services import activity_log
from salesculture.celery import app
from salesculture.weeks import Week
from tests.factories import ProducerFactory, activity_type

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _route_every_task_to(queue: str | None) -> None:
    """Every task to this run's own queue (None: back to the configured routes), so no other
    run's worker on a shared broker takes it."""
    app.conf.task_routes = {"*": {"queue": queue}} if queue else settings.CELERY_TASK_ROUTES
    app.amqp.flush_routes()
    app.amqp.__dict__.pop("router", None)  # the cached router holds the previous routes


@pytest.fixture
def worker(transactional_db):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "DATABASE_URL": _database_url(), "DATA_DIR": str(settings.DATA_DIR),
           "CELERY_TASK_ALWAYS_EAGER": "false"}
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "salesculture", "worker", "--pool=solo",
         "--loglevel=WARNING", "-Q", queue, "--without-heartbeat", "--without-mingle",
         "--without-gossip"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    _route_every_task_to(queue)
    try:
        yield process
    finally:
        app.conf.task_always_eager = True
        app.conf.task_default_queue = "celery"
        _route_every_task_to(None)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.celery_worker
def test_an_activity_logged_through_the_service_reaches_the_scorecard_via_the_worker(worker):
    producer = ProducerFactory()
    week = Week.current(producer.agency).start

    activity_log(producer=producer, activity_type=activity_type(producer.agency), quantity=4)

    deadline = time.monotonic() + 45
    card = None
    while time.monotonic() < deadline:
        card = WeeklyScorecard.objects.filter(producer=producer, week_start=week).first()
        if card is not None or worker.poll() is not None:
            break
        time.sleep(0.25)
    if card is None:
        worker.terminate()
        output = worker.communicate(timeout=10)[0].decode(errors="replace")
        pytest.fail(f"The worker never wrote the scorecard. Its output:\n{output[-3000:]}")
    assert card.activities_total == 4
