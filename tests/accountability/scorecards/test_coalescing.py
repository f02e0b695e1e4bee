"""Issue 12: many writes to one agency-week within a few seconds cause one scorecard refresh.
Publishing goes through Celery to a real broker, kombu's in-memory transport, and the test
counts the messages waiting in the scorecards queue."""

import datetime as dt
import uuid

import pytest
from kombu import Connection

from accountability.models import WeeklyScorecard
from accountability.tasks import refresh_scorecards
from pipeline.services import activity_log
from salesculture import jobs
from salesculture.celery import app
from salesculture.models import DirtyWeek
from salesculture.weeks import Week
from tests.factories import ProducerFactory, activity_type

BROKER = "memory://"


@pytest.fixture
def broker(settings):
    """Publishing really goes to a broker (in memory, this process's own); nothing runs the
    tasks until the test does, as a worker would."""
    settings.SCORECARD_COALESCE_SECONDS = 30  # a slow test machine still writes within it
    # The configured cache (Redis on CI), under a prefix of this test's own: a mark another
    # test left (ids repeat from test to test) is not seen here.
    settings.CACHES = {**settings.CACHES, "default": {
        **settings.CACHES["default"], "KEY_PREFIX": f"coalescing-{uuid.uuid4().hex}"}}
    configured = app.conf.broker_url
    use_broker(BROKER)
    app.conf.task_always_eager = False
    try:
        with Connection(BROKER) as connection:
            _purge(connection)
            yield connection
            _purge(connection)
    finally:
        app.conf.task_always_eager = True
        use_broker(configured)


def use_broker(url: str) -> None:
    """Publish to `url` from now on (kombu keeps a pool per broker for the process)."""
    app.conf.broker_url = url
    app._pool = app.amqp._producer_pool = None


def _purge(connection) -> None:
    for queue in app.amqp.queues.values():
        queue(connection.default_channel).declare()
        queue(connection.default_channel).purge()


def waiting(connection, queue: str = "scorecards") -> list[dict]:
    """The messages waiting in a queue, taken off it: each one's task name, args and eta."""
    messages = []
    with connection.SimpleQueue(app.amqp.queues[queue]) as simple:
        while True:
            try:
                message = simple.get_nowait()
            except simple.Empty:
                return messages
            messages.append({"task": message.headers["task"], "eta": message.headers["eta"],
                             "args": message.decode()[0]})
            message.ack()


def log_activity(producer, quantity: int = 1, *, capture) -> None:
    """A write in its own transaction, its work published on commit as after a request."""
    with capture(execute=True):
        activity_log(producer=producer, activity_type=activity_type(producer.agency),
                     quantity=quantity)


def test_five_writes_to_one_agency_week_queue_one_refresh_a_little_later(
        broker, producer, django_capture_on_commit_callbacks):
    week = Week.current(producer.agency).start
    before = dt.datetime.now(dt.UTC)

    for _ in range(5):
        log_activity(producer, capture=django_capture_on_commit_callbacks)

    messages = waiting(broker)
    assert [(m["task"], m["args"]) for m in messages] == [
        ("accountability.refresh_scorecards", [producer.agency_id, week.isoformat()])]
    # queued with the coalescing countdown, so writes close together share it
    assert dt.datetime.fromisoformat(messages[0]["eta"]) >= before + dt.timedelta(seconds=29)
    assert DirtyWeek.objects.filter(agency=producer.agency, week_start=week).count() == 5


def test_the_refresh_reads_the_writes_made_while_it_waited_and_a_later_write_queues_another(
        broker, producer, django_capture_on_commit_callbacks):
    week = Week.current(producer.agency).start
    log_activity(producer, 2, capture=django_capture_on_commit_callbacks)
    log_activity(producer, 3, capture=django_capture_on_commit_callbacks)
    [queued] = waiting(broker)

    # the worker runs the one queued refresh: it counts both writes and clears the outbox
    changed = refresh_scorecards(*queued["args"])

    card = WeeklyScorecard.objects.get(producer=producer, week_start=week)
    assert card.activities_total == 5
    assert changed == [producer.pk]
    assert not DirtyWeek.objects.exists()
    # once it has started, a write queues a refresh of its own
    log_activity(producer, capture=django_capture_on_commit_callbacks)
    assert len(waiting(broker)) == 1


def test_writes_to_other_agency_weeks_are_not_folded_together(
        broker, producer, django_capture_on_commit_callbacks):
    other = ProducerFactory()  # another agency
    last_week = Week.current(producer.agency).previous

    log_activity(producer, capture=django_capture_on_commit_callbacks)
    log_activity(other, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        activity_log(producer=producer, activity_type=activity_type(producer.agency),
                     quantity=1, occurred_at=last_week.begins + dt.timedelta(hours=12))

    assert sorted(m["args"][0] for m in waiting(broker)) == sorted(
        [producer.agency_id, producer.agency_id, other.agency_id])


def test_a_refresh_that_could_not_be_queued_leaves_no_mark_behind(
        producer, django_capture_on_commit_callbacks, monkeypatch, broker):
    # the broker refuses the first publish: nothing is queued, so nothing may be waited for
    use_broker("redis://127.0.0.1:1/0")
    log_activity(producer, capture=django_capture_on_commit_callbacks)
    assert waiting(broker) == []

    use_broker(BROKER)
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)  # the back-off has passed
    log_activity(producer, capture=django_capture_on_commit_callbacks)

    assert len(waiting(broker)) == 1
