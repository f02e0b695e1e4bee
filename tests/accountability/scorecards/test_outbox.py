"""The outbox between a write and the scorecard job (issue 11, #2 and #3): a write leaves a
DirtyWeek row in its own transaction, never waits on a broker that is away, and the periodic
safety refresh catches every such week up once the broker is back."""

import datetime as dt
import time

import pytest
from django.urls import reverse

from accountability.models import WeeklyScorecard
from accountability.tasks import refresh_current_weeks, refresh_scorecards
from pipeline.models import Activity
from salesculture import jobs
from salesculture.celery import app
from salesculture.models import DirtyWeek
from salesculture.weeks import Week
from tests.factories import ActivityFactory, activity_type

LOG = reverse("accountability:week_log")


@pytest.fixture
def call(producer):
    return activity_type(producer.agency, "Call")


@pytest.fixture
def broker_away(monkeypatch):
    """Publishing really goes to a broker, and that broker's port is closed."""
    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app._pool = app.amqp._producer_pool = None
    monkeypatch.setattr(jobs, "_broker_down_until", 0.0)
    yield
    app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
    app.conf.task_always_eager = True


def card_of(producer, week_start):
    return WeeklyScorecard.objects.filter(producer=producer, week_start=week_start).first()


def test_a_quick_log_leaves_its_week_in_the_outbox_with_the_activity(producer, producer_client,
                                                                    call):
    producer_client.post(LOG, {"activity_type": call.pk, "client_token": "t1"})

    week = Week.current(producer.agency).start
    assert list(DirtyWeek.objects.values_list("agency_id", "week_start")) == [
        (producer.agency_id, week)]


def test_the_refresh_clears_the_weeks_it_caught_up_with(producer, producer_client, call,
                                                        django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        producer_client.post(LOG, {"activity_type": call.pk, "client_token": "t1"})

    assert card_of(producer, Week.current(producer.agency).start).activities_total == 1
    assert not DirtyWeek.objects.exists()


def test_a_write_landing_while_a_refresh_runs_keeps_its_week_dirty(producer):
    week = Week.current(producer.agency).start
    seen = DirtyWeek.objects.create(agency=producer.agency, week_start=week)
    marks, _ = jobs.dirty_week_marks(agency_id=producer.agency_id, week_start=week)
    later = DirtyWeek.objects.create(agency=producer.agency, week_start=week)

    jobs.dirty_weeks_clear(marks)

    assert not DirtyWeek.objects.filter(pk=seen.pk).exists()
    assert DirtyWeek.objects.filter(pk=later.pk).exists()


def test_with_the_broker_away_a_quick_log_answers_at_once_and_is_caught_up_later(
        producer, producer_client, call, broker_away, django_capture_on_commit_callbacks):
    week = Week.current(producer.agency).start
    timings = []
    for token in ("a", "b", "c"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            response = producer_client.post(LOG, {"activity_type": call.pk,
                                                  "client_token": token})
        timings.append(time.monotonic() - started)
        assert response.status_code in (200, 302)

    assert max(timings) < 1.0, timings
    assert jobs._broker_down_until > 0, "the broker was reached: this test proves nothing"
    assert Activity.objects.filter(producer=producer).count() == 3
    assert card_of(producer, week) is None
    assert DirtyWeek.objects.filter(agency=producer.agency, week_start=week).count() == 3

    # The broker is back: the periodic safety refresh drains the outbox, nobody else acts.
    app.conf.task_always_eager = True
    refresh_current_weeks()

    assert card_of(producer, week).activities_total == 3
    assert not DirtyWeek.objects.exists()


def test_the_safety_refresh_covers_a_past_dirty_week_not_only_the_current_one(producer, call):
    week = Week.current(producer.agency).previous
    ActivityFactory(producer=producer, activity_type=call, quantity=2,
                    occurred_at=dt.datetime.combine(week.start, dt.time(12),
                                                    tzinfo=producer.agency.tz))
    DirtyWeek.objects.create(agency=producer.agency, week_start=week.start)

    refresh_current_weeks()

    assert card_of(producer, week.start).activities_total == 2
    assert not DirtyWeek.objects.exists()


def test_refreshing_a_week_twice_changes_nothing_the_second_time(producer, call):
    week = Week.current(producer.agency).start
    ActivityFactory(producer=producer, activity_type=call, quantity=2)
    refresh_scorecards(producer.agency_id, week.isoformat())
    first = card_of(producer, week)

    refresh_scorecards(producer.agency_id, week.isoformat())

    again = card_of(producer, week)
    assert (again.pk, again.activities_total, again.computed_at) == (
        first.pk, first.activities_total, first.computed_at)


def test_the_worker_settings_put_back_a_task_whose_worker_died(settings):
    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert settings.CELERY_VISIBILITY_TIMEOUT > 2 * settings.CELERY_TASK_TIME_LIMIT
    assert app.conf.result_backend is None


@pytest.mark.django_db(transaction=True)
def test_twenty_threads_publishing_at_once_all_get_through(producer, call):
    # Each publish holds one pooled producer (ten by default), never two at once: threads
    # wait for each other's turn instead of deadlocking on the pool.
    import threading

    from django.db import connections

    from pipeline.services import activity_log

    def log(n):
        try:
            activity_log(producer=producer, activity_type=call, client_token=f"t{n}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=log, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "publishing deadlocked"
    assert card_of(producer, Week.current(producer.agency).start).activities_total == 20
