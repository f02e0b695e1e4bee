"""A leader's alerts, computed once per change and then read from the cache.

Computing them reads the agency's last three working days of activity, two judged weeks, the
one-on-ones, a month of check-ins and 13 weeks of cards against the plans: for an owner of 500
people about 45 ms, on every view of the alerts page and of a leader's home page. What they
are computed from changes far less often than they are looked at, so the list is kept under
a key that changes whenever its inputs may have:

- the agency's `live_version`, which the scorecard job bumps on any change to a card (what
  the quiet, missed-weeks and role-fit rules read, the rebuild and the judging of a week
  included);
- the agency's alert stamp, bumped on every write that changes an agency-week
  (`week_changed`: activities, stage advances, commitments, check-ins) and on every save or
  delete of a one-on-one, a check-in, a commitment, a plan, a dismissal, a person, a team or
  the agency itself — before the write commits and again once it has, so a view that read
  between the two does not keep what it read;
- the viewer (whose people: their role and team), and the agency's date (the quiet span and
  the weeks move with it).

What changes none of these — a bulk write outside the app's services (the nightly plans, an
import), a person's renamed user — shows within ALERTS_CACHE_SECONDS, as on the boards. A
cache that is away costs only speed: the alerts are computed, and a write never fails for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable
from functools import partial

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from salesculture.jobs import week_changed
from salesculture.models import Agency, Producer, Team

from ..models import Commitment, ConfidenceCheckIn, GoalPlan
from .models import AlertDismissal, OneOnOne

logger = logging.getLogger(__name__)

ALERTS_CACHE_SECONDS = 60
# Saving or deleting one of these changes what an alert says or who has one.
STAMPED = (OneOnOne, ConfidenceCheckIn, Commitment, GoalPlan, AlertDismissal, Producer, Team)


def _stamp_key(agency_id: int) -> str:
    return f"alerts-stamp:{agency_id}"


def alerts_cached(actor: Producer, today: dt.date, compute: Callable[[], list]) -> list:
    """The actor's alerts for `today` from the cache, computing (and storing) them on a miss."""
    agency = actor.agency
    try:
        stamp = cache.get(_stamp_key(agency.pk))
        if stamp is None:
            stamp = _stamp_new(agency.pk)
        created = agency.created_at.timestamp() if agency.created_at else 0
        key = ":".join(map(str, ("alerts", agency.pk, created, agency.live_version, stamp,
                                 actor.pk, actor.role, actor.team_id, today)))
        alerts = cache.get(key)
    except Exception:
        logger.warning("The alerts cache is away; computing them.", exc_info=True)
        return compute()
    if alerts is None:
        alerts = compute()
        try:
            cache.set(key, alerts, ALERTS_CACHE_SECONDS)
        except Exception:
            logger.warning("Could not keep the computed alerts.", exc_info=True)
    return alerts


def _stamp_new(agency_id: int) -> int:
    """A fresh stamp: the clock's, so a stamp lost from the cache never comes back as one an
    old list was kept under."""
    stamp = time.time_ns()
    cache.set(_stamp_key(agency_id), stamp, None)
    return stamp


def _stamp_bump(agency_id: int) -> None:
    try:
        try:
            cache.incr(_stamp_key(agency_id))
        except ValueError:  # no stamp yet (or it was evicted)
            _stamp_new(agency_id)
    except Exception:
        logger.warning("Could not mark the alerts of agency %s as changed.", agency_id,
                       exc_info=True)


def alerts_changed(agency_id: int) -> None:
    """Something an alert is computed from changed in the agency: its kept alerts are stale
    now, and again once the writing transaction commits."""
    _stamp_bump(agency_id)
    transaction.on_commit(partial(_stamp_bump, agency_id))


def _on_write(sender, instance, **kwargs) -> None:
    agency_id = instance.pk if sender is Agency else getattr(instance, "agency_id", None)
    if agency_id is not None:
        alerts_changed(agency_id)


def _on_week_changed(sender, *, agency_id: int, **kwargs) -> None:
    alerts_changed(agency_id)


def connect() -> None:
    for model in (*STAMPED, Agency):
        uid = f"accountability.coaching.alerts_changed.{model.__name__}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid + ".delete")
    week_changed.connect(_on_week_changed, dispatch_uid="accountability.coaching.alerts_changed")
