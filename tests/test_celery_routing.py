"""Issue 12: a Celery queue per kind of work (scorecards, plans, email, imports), so one
agency's scorecard refresh never waits behind another's import or a round of digests; every
queue has a worker, in docker-compose.yml and wherever a worker is started without -Q."""

import re
from pathlib import Path

import pytest

from salesculture.celery import app

ROOT = Path(__file__).resolve().parents[1]
QUEUES = {"scorecards", "plans", "email", "imports", "celery"}


def queue_of(task_name: str) -> str:
    return app.amqp.router.route({}, task_name)["queue"].name


@pytest.mark.parametrize(("task", "queue"), [
    ("accountability.refresh_scorecards", "scorecards"),
    ("accountability.refresh_current_weeks", "scorecards"),
    ("accountability.close_finished_weeks", "scorecards"),
    ("accountability.close_agency_weeks", "scorecards"),
    ("accountability.close_week", "scorecards"),
    ("accountability.refresh_goal_plans", "plans"),
    ("accountability.refresh_agency_goal_plans", "plans"),
    ("accountability.send_weekly_digests", "email"),
    ("pipeline.import_rows", "imports"),  # the CSV importer (pipeline/tasks.py)
    ("salesculture.deliver_webhook", "email"),
])
def test_each_kind_of_work_has_its_own_queue(task, queue):
    assert queue_of(task) == queue


def test_every_task_of_the_app_goes_to_a_declared_queue():
    tasks = [name for name in app.tasks if not name.startswith("celery.")]
    assert "accountability.refresh_scorecards" in tasks
    assert {name: queue_of(name) for name in tasks if queue_of(name) not in QUEUES} == {}
    assert {queue.name for queue in app.conf.task_queues} == QUEUES


def test_a_message_reaches_its_own_queue_only():
    """Each queue is bound to its own routing key: a refresh is never copied into the others."""
    for queue in app.conf.task_queues:
        assert (queue.exchange.name, queue.routing_key) == (queue.name, queue.name)


def _consumed(command: str) -> set[str]:
    """The queues a worker started with `command` (a shell line, or an argv list in Python)
    consumes: every declared queue when it names none with -Q."""
    match = re.search(r"""(?:-Q|--queues)(?:[ =]|"\s*,\s*")([\w,-]+)""", command)
    return (set(match.group(1).split(",")) if match
            else {queue.name for queue in app.conf.task_queues})


def test_docker_compose_runs_a_worker_per_queue():
    text = (ROOT / "docker-compose.yml").read_text()
    consumed = [_consumed(line) for line in re.findall(r"celery -A salesculture worker.*", text)]
    for queue in QUEUES - {"celery"}:
        # one worker service, for that queue alone (one of them also takes the default queue)
        assert [c - {"celery"} for c in consumed if queue in c] == [{queue}], queue
    assert any("celery" in c for c in consumed)


@pytest.mark.parametrize("path", ["Procfile", "accountability/management/commands/run_demo.py",
                                  "tests/faults/processes.py"])
def test_the_demo_and_other_single_workers_consume_every_queue(path):
    text = (ROOT / path).read_text()
    assert "worker" in text
    assert _consumed(text) == QUEUES
