"""Background work as the lower layers see it.

A write that changes what happened in an agency's week (an activity, a stage advance, a
commitment, a check-in) calls `agency_week_changed` inside its transaction. That leaves a
`DirtyWeek` row in the same transaction (the outbox), then tells whoever keeps figures per
agency-week (the scorecards, in `accountability`) through `week_changed`; `pipeline` never
names them. Their task is published only after the response has gone out, and never waits
on a broker that is away: the periodic safety refresh drains the outbox when it is back.

Such a task can be coalesced: many writes to one agency-week within a few seconds queue one
run. The first publishes it with a short countdown and leaves a mark in the cache; while the
mark is there the rest publish nothing, and the task's first act is to clear the mark, before
it reads the outbox. A write committed before that is read by the run; one committed after it
queues the next run. A lost mark loses nothing either: the outbox keeps every change.
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Iterable
from functools import partial

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.signals import request_finished
from django.db import transaction
from django.dispatch import Signal

from .models import Agency, DirtyWeek
from .weeks import Week

logger = logging.getLogger(__name__)

# Sent with agency_id and week_start (the week's Monday), inside the writing transaction.
week_changed = Signal()

# After the broker refused a task, this process stops trying for a while: each write would
# otherwise pay a connection attempt. The outbox keeps every change meanwhile.
BROKER_BACKOFF_SECONDS = 30
CONNECT_SECONDS = 0.5
# How long a coalesced task's mark outlives its countdown at most: while the queue is busy,
# writes keep folding into the run already queued; if that run is lost (the queue purged),
# the next write after this queues another, and the safety refresh has the outbox meanwhile.
QUEUED_MARK_SECONDS = 60


def agency_week_changed(*, agency_id: int, when: dt.date | dt.datetime,
                        agency: Agency | None = None,
                        producer_ids: Iterable[int | None] | None = None) -> None:
    """The week containing `when` (a moment, or the week's Monday) changed for the agency.

    `producer_ids`: the producers whose cards alone the write can change (a prospect handed
    to someone else changes both owners' pipeline), so the refresh recomputes only theirs;
    None (or an unknown producer among them): anyone's, the whole agency-week."""
    if isinstance(when, dt.datetime):
        when = Week.of(agency or Agency.objects.get(pk=agency_id), when).start
    named = None if producer_ids is None else set(producer_ids)
    if not named or None in named:
        DirtyWeek.objects.create(agency_id=agency_id, week_start=when)
    else:
        DirtyWeek.objects.bulk_create([DirtyWeek(agency_id=agency_id, week_start=when,
                                                 producer_id=pid) for pid in sorted(named)])
    week_changed.send(sender=Agency, agency_id=agency_id, week_start=when)


def weeks_changed(touched: Iterable[tuple[int, dt.date | dt.datetime, int]], *,
                  agency: Agency | None = None) -> None:
    """Rows the scorecards are computed from changed (a correction in the admin, a bound
    prospect repriced): each (agency id, moment or Monday, producer id) they held before or
    hold now marks its agency-week for that producer, one mark per week. `agency`: the one
    they belong to, when the caller has it (else each is read once)."""
    agencies: dict[int, Agency] = {agency.pk: agency} if agency is not None else {}
    weeks: dict[tuple[int, dt.date], set[int]] = {}
    for agency_id, when, producer_id in touched:
        if isinstance(when, dt.datetime):
            agency = agencies.get(agency_id) or agencies.setdefault(
                agency_id, Agency.objects.get(pk=agency_id))
            when = Week.of(agency, when).start
        weeks.setdefault((agency_id, when), set()).add(producer_id)
    for (agency_id, monday), producer_ids in sorted(weeks.items()):
        agency_week_changed(agency_id=agency_id, when=monday, producer_ids=producer_ids)


def dirty_week_marks(*, agency_id: int,
                     week_start: dt.date) -> tuple[list[int], set[int] | None]:
    """The outbox rows of an agency-week committed so far, read before recomputing it, and
    the producers they name: None when any names nobody (the whole agency-week changed) or
    there are none (a refresh nothing asked for redoes everything)."""
    rows = list(DirtyWeek.objects.filter(agency_id=agency_id, week_start=week_start)
                .values_list("pk", "producer_id"))
    named = {pid for _, pid in rows}
    return [pk for pk, _ in rows], None if not named or None in named else named


def dirty_weeks_clear(marks: list[int]) -> None:
    """Forget the rows a finished refresh saw: only those, so a write that committed while it
    ran keeps its week dirty."""
    if marks:
        DirtyWeek.objects.filter(pk__in=marks).delete()


def dirty_weeks() -> list[tuple[int, dt.date]]:
    """Every agency-week still waiting for a refresh, oldest week first."""
    return list(DirtyWeek.objects.order_by("week_start", "agency_id")
                .values_list("agency_id", "week_start").distinct())


def enqueue_on_commit(task, *args, coalesce: float | None = None) -> None:
    """Queue a Celery task once the surrounding transaction commits, and inside a web request
    only once its response has been sent. The write never fails or waits because the broker
    is away: what needs doing is in the outbox, and the periodic refresh catches up.

    With `coalesce` (seconds), the task runs that much later, and the same task with the same
    arguments is not queued again until it has started: the task must call
    `coalesced_task_started` with its arguments before it reads anything."""
    transaction.on_commit(partial(_enqueue, task, args, coalesce))


def coalesced_task_started(task, *args) -> None:
    """A coalesced task has started: from now on a write queues a new run (one made before is
    read by this run). A cache that is away only costs coalescing."""
    try:
        caches["default"].delete(_queued_key(task, args))
    except Exception:
        logger.warning("Could not clear the queued mark of %s%r.", task.name, args,
                       exc_info=True)


class _Pending(threading.local):
    tasks: list | None = None  # collecting: inside a request's view
    after_response: list | None = None  # to publish once the response has gone out


_pending = _Pending()
_broker_down_until = 0.0


def _enqueue(task, args: tuple, coalesce: float | None = None) -> None:
    if _pending.tasks is not None:
        _pending.tasks.append((task, args, coalesce))
    else:
        _publish(task, args, coalesce)


class PublishAfterResponseMiddleware:
    """Outermost: the tasks a request's writes queue are published only once its response has
    been sent (Django sends request_finished when the server closes the response), so a slow
    or absent broker never holds up the answer."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        _pending.tasks = []
        try:
            return self.get_response(request)
        finally:
            _pending.after_response = (_pending.after_response or []) + _pending.tasks
            _pending.tasks = None


def _publish_after_response(sender, **kwargs) -> None:
    # Several writes in one request to the same agency-week need one refresh, not several.
    tasks, _pending.after_response = _pending.after_response or [], None
    for task, args, coalesce in {(t.name, a): (t, a, c) for t, a, c in tasks}.values():
        _publish(task, args, coalesce)


def _publish(task, args: tuple, coalesce: float | None = None) -> None:
    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return
    marked = coalesce is not None
    if marked and not _mark_queued(task, args, coalesce):
        return  # queued and not started yet: that run reads this write
    try:
        # One connection attempt, no retries: Celery's own publish path would retry for seconds.
        # One producer from the pool, used for both, so threads never wait on each other.
        with task.app.producer_or_acquire() as producer:
            producer.connection.ensure_connection(max_retries=1, interval_start=0,
                                                  interval_step=0, timeout=CONNECT_SECONDS)
            task.apply_async(args=args, retry=False, producer=producer,
                             countdown=coalesce or None)
    except Exception:
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        if marked:
            coalesced_task_started(task, *args)  # nothing is queued: the mark must not stay
        logger.warning("Could not enqueue %s%r; the periodic refresh will catch up.",
                       task.name, args, exc_info=True)


def _queued_key(task, args: tuple) -> str:
    return ":".join(map(str, ("queued", task.name, *args)))


def _mark_queued(task, args: tuple, countdown: float) -> bool:
    """Leave the mark of a run queued for these arguments; False when one is already there."""
    cache = caches["default"]
    # A cache of this process alone (the embedded demo's) never sees the worker clear the
    # mark: there it lapses when the run is due, so a later write still queues its own.
    lasts = countdown if isinstance(cache, LocMemCache) else countdown + QUEUED_MARK_SECONDS
    try:
        return cache.add(_queued_key(task, args), 1, timeout=lasts)
    except Exception:
        logger.warning("Could not mark %s%r as queued; queueing it anyway.", task.name, args,
                       exc_info=True)
        return True


request_finished.connect(_publish_after_response, dispatch_uid="salesculture.jobs.publish")
