import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accountability.models import WeeklyScorecard
from pipeline.models import Activity
from pipeline.services import activity_log, activity_undo
from salesculture.models import DirtyWeek
from salesculture.weeks import Week
from tests.factories import ProspectFactory, activity_type


def test_a_logged_activity_reaches_the_scorecard_on_commit(producer,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        activity_log(producer=producer, activity_type=activity_type(producer.agency), quantity=3)
    card = WeeklyScorecard.objects.get(producer=producer,
                                       week_start=Week.current(producer.agency).start)
    assert card.activities_total == 3


def test_the_same_client_token_is_counted_once(producer):
    call = activity_type(producer.agency)
    first, created = activity_log(producer=producer, activity_type=call, client_token="tap-1")
    again, created_again = activity_log(producer=producer, activity_type=call,
                                        client_token="tap-1")
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert Activity.objects.filter(producer=producer).count() == 1


@pytest.mark.parametrize("quantity", [0, 501, 10_000])
def test_a_quantity_outside_1_to_500_is_refused(producer, quantity):
    with pytest.raises(ValidationError) as excinfo:
        activity_log(producer=producer, activity_type=activity_type(producer.agency),
                     quantity=quantity)
    assert excinfo.value.message_dict == {"quantity": ["Enter a quantity between 1 and 500."]}
    assert not Activity.objects.exists()


def test_a_deactivated_type_another_agencys_type_and_a_colleagues_prospect_are_refused(
        producer, other_agency, agency):
    email = activity_type(agency, "Email")
    email.is_active = False
    email.save()
    colleague_prospect = ProspectFactory(owner__agency=agency)
    with pytest.raises(ValidationError) as excinfo:
        activity_log(producer=producer, activity_type=email)
    assert excinfo.value.message_dict["activity_type"] == [
        "Email is no longer in use; choose another."]
    with pytest.raises(ValidationError, match="your agency's activity types"):
        activity_log(producer=producer, activity_type=activity_type(other_agency))
    with pytest.raises(ValidationError, match="your own prospects"):
        activity_log(producer=producer, activity_type=activity_type(agency),
                     prospect=colleague_prospect)
    assert not Activity.objects.exists()


def test_future_and_old_activities_are_refused(producer):
    call = activity_type(producer.agency)
    with pytest.raises(ValidationError, match="future"):
        activity_log(producer=producer, activity_type=call,
                     occurred_at=timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(ValidationError, match="this week and last week"):
        activity_log(producer=producer, activity_type=call,
                     occurred_at=timezone.now() - dt.timedelta(days=15))


def test_undo_within_the_window_removes_the_activity(producer):
    activity, _ = activity_log(producer=producer, activity_type=activity_type(producer.agency))
    activity_undo(activity=activity, actor=producer)
    assert not Activity.objects.exists()


def test_undo_after_the_window_is_refused(producer):
    activity, _ = activity_log(producer=producer, activity_type=activity_type(producer.agency))
    Activity.objects.filter(pk=activity.pk).update(
        created_at=timezone.now() - dt.timedelta(minutes=2))
    activity.refresh_from_db()
    with pytest.raises(ValidationError, match="Too late to undo"):
        activity_undo(activity=activity, actor=producer)
    assert Activity.objects.count() == 1


def test_a_broker_outage_does_not_lose_the_activity(producer, settings, caplog,
                                                    django_capture_on_commit_callbacks):
    from salesculture.celery import app

    saved = app.conf.broker_url, app._pool, app.amqp._producer_pool
    app.conf.task_always_eager = False
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens there
    app._pool = app.amqp._producer_pool = None
    try:
        with django_capture_on_commit_callbacks(execute=True):
            activity, created = activity_log(producer=producer,
                                             activity_type=activity_type(producer.agency))
    finally:
        app.conf.task_always_eager = True
        app.conf.broker_url, app._pool, app.amqp._producer_pool = saved
    assert created and Activity.objects.filter(pk=activity.pk).exists()
    assert "the periodic refresh will catch up" in caplog.text
    # What the refresh has to catch up with waits in the outbox.
    assert DirtyWeek.objects.filter(agency=producer.agency).count() == 1
