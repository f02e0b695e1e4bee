"""Thin Celery tasks: ids and ISO dates in, a service call, quiet when the row is gone."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from salesculture.jobs import (
    coalesced_task_started,
    dirty_week_marks,
    dirty_weeks,
    dirty_weeks_clear,
    enqueue_on_commit,
)
from salesculture.models import Agency
from salesculture.weeks import Week

from .planning.services import goal_plans_refresh_agency
from .scorecards.digest import TRANSIENT_MAIL_ERRORS, digests_send
from .scorecards.refresh import scorecards_refresh
from .scorecards.rollover import week_close, weeks_close_due
from .week.morning_mail import morning_list_send, morning_lists_due


def _agency(agency_id: int) -> Agency | None:
    return Agency.objects.filter(pk=agency_id).first()


@shared_task(name="accountability.refresh_scorecards")
def refresh_scorecards(agency_id: int, week_start: str, full: bool = False) -> list[int]:
    """Recompute an agency-week and clear the outbox rows it has caught up with; returns the
    producers whose cards changed. Only the producers the outbox rows name when each names
    some (a quick log names its producer), the whole agency-week otherwise or when `full`.
    Acknowledged only once done (acks_late): a worker killed meanwhile leaves the task to
    run again, and the outbox rows to the safety refresh."""
    # First of all, before the outbox is read: a write from now on queues a run of its own,
    # one committed before is read by this run (salesculture/jobs.py).
    coalesced_task_started(refresh_scorecards, agency_id, week_start)
    agency = _agency(agency_id)
    if agency is None:
        return []
    week = dt.date.fromisoformat(week_start)
    marks, producer_ids = dirty_week_marks(agency_id=agency_id, week_start=week)
    cards = scorecards_refresh(agency=agency, week_start=week,
                               producer_ids=None if full else producer_ids)
    dirty_weeks_clear(marks)
    return sorted(cards.changed_producer_ids)


def refresh_scorecards_when_week_changed(sender, *, agency_id: int, week_start: dt.date,
                                         **kwargs) -> None:
    """Writes to one agency-week within SCORECARD_COALESCE_SECONDS make one refresh."""
    enqueue_on_commit(refresh_scorecards, agency_id, week_start.isoformat(),
                      coalesce=settings.SCORECARD_COALESCE_SECONDS)


@shared_task(name="accountability.refresh_current_weeks")
def refresh_current_weeks() -> None:
    """Safety net: recompute every agency-week left in the outbox (a refresh never enqueued
    while the broker was away, or lost with a killed worker), oldest first, and every
    agency's current week, each in full (whatever the outbox names)."""
    weeks = dict.fromkeys(dirty_weeks())
    for agency in Agency.objects.all():
        weeks[(agency.pk, Week.current(agency).start)] = None
    for agency_id, week_start in weeks:
        refresh_scorecards.delay(agency_id, week_start.isoformat(), True)


@shared_task(name="accountability.close_finished_weeks")
def close_finished_weeks() -> None:
    for agency_id in Agency.objects.values_list("pk", flat=True):
        close_agency_weeks.delay(agency_id)


@shared_task(name="accountability.close_agency_weeks")
def close_agency_weeks(agency_id: int) -> None:
    """One task per agency, so its missed weeks close in order, oldest first; each closed
    week's digests are queued once it has committed."""
    agency = _agency(agency_id)
    if agency is None:
        return
    for week_start in weeks_close_due(agency=agency):
        enqueue_on_commit(send_weekly_digests, agency_id, week_start.isoformat())


# Kept for runs queued before the per-agency catch-up existed, and for closing one week by hand.
@shared_task(name="accountability.close_week")
def close_week(agency_id: int, week_start: str) -> None:
    agency = _agency(agency_id)
    if agency is not None and week_close(agency=agency,
                                         week_start=dt.date.fromisoformat(week_start)):
        enqueue_on_commit(send_weekly_digests, agency_id, week_start)


@shared_task(name="accountability.send_weekly_digests", autoretry_for=TRANSIENT_MAIL_ERRORS,
             retry_backoff=60, retry_backoff_max=30 * 60, max_retries=6)
def send_weekly_digests(agency_id: int, week_start: str) -> int:
    """Queued by `close_week` once the week is closed; sends each agency-week's digests once.
    When the mail server cannot be reached nothing is marked sent and the task retries, up to
    six times with jittered backoff (at most about an hour in all)."""
    agency = _agency(agency_id)
    if agency is None:
        return 0
    return digests_send(agency=agency, week_start=dt.date.fromisoformat(week_start))


@shared_task(name="accountability.refresh_goal_plans")
def refresh_goal_plans() -> None:
    """Nightly: keep every plan label (team page, role fit) current without a page visit."""
    for agency_id in Agency.objects.values_list("pk", flat=True):
        refresh_agency_goal_plans.delay(agency_id)


@shared_task(name="accountability.refresh_agency_goal_plans")
def refresh_agency_goal_plans(agency_id: int) -> None:
    agency = _agency(agency_id)
    if agency is not None:
        goal_plans_refresh_agency(agency=agency)


@shared_task(name="accountability.send_morning_lists")
def send_morning_lists() -> int:
    """Every five minutes: queue the morning list of each producer whose hour has come in
    their agency's zone and whose day is not claimed yet (sending claims it)."""
    due = morning_lists_due()
    for producer_id, local_date in due:
        send_morning_list.delay(producer_id, local_date.isoformat())
    return len(due)


@shared_task(name="accountability.send_morning_list", autoretry_for=TRANSIENT_MAIL_ERRORS,
             retry_backoff=60, retry_backoff_max=15 * 60, max_retries=4)
def send_morning_list(producer_id: int, local_date: str) -> bool:
    """One producer's list of one local day, at most once (the claim is its idempotency)."""
    return morning_list_send(producer_id=producer_id,
                             local_date=dt.date.fromisoformat(local_date))
