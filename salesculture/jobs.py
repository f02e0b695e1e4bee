"""Background work as the lower layers see it.

A write that changes what happened in an agency's week (an activity, a stage advance, a
commitment, a check-in) calls `agency_week_changed` inside its transaction. Whoever keeps
figures per agency-week (the scorecards, in `accountability`) listens to `week_changed` and
queues its own work; `pipeline` never names it.
"""

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.dispatch import Signal

from .models import Agency
from .weeks import Week

logger = logging.getLogger(__name__)

# Sent with agency_id and week_start (the week's Monday), inside the writing transaction.
week_changed = Signal()


def agency_week_changed(*, agency_id: int, when: dt.date | dt.datetime,
                        agency: Agency | None = None) -> None:
    """The week containing `when` (a moment, or the week's Monday) changed for the agency."""
    if isinstance(when, dt.datetime):
        when = Week.of(agency or Agency.objects.get(pk=agency_id), when).start
    week_changed.send(sender=Agency, agency_id=agency_id, week_start=when)


def enqueue_on_commit(task, *args) -> None:
    """Queue a Celery task once the surrounding transaction commits. The write never fails
    because the broker is away: the periodic safety refresh catches up."""
    transaction.on_commit(partial(_send, task, args))


def _send(task, args: tuple) -> None:
    try:
        task.apply_async(args=args)
    except Exception:
        logger.warning("Could not enqueue %s%r; the periodic refresh will catch up.",
                       task.name, args, exc_info=True)
