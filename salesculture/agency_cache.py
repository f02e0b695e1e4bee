"""Figures computed from an agency's ledgers, kept between changes (leader alerts, role fit,
the lost-reason report).

Each is read far more often than what it is computed from changes: for an owner of 500
people it costs 15–45 ms to compute on every view. It is kept under a key that changes
whenever its inputs may have:

- the agency's `live_version`, which the scorecard job bumps on any change to a card (the
  rebuild and the judging of a week included);
- the agency's stamp, bumped on every write that changes an agency-week (`week_changed`:
  activities, stage advances, commitments, check-ins, imports) and on every save or delete of
  a model in `STAMPED` (connected by `accountability`, which names its own: one-on-ones,
  check-ins, plans, dismissals …) — before the write commits and again once it has, so a view
  that read between the two does not keep what it read;
- what the caller adds: the viewer's role and team, the agency's date, the period asked for.

What changes none of these — a bulk write outside the app's services (the nightly plans), a
person's user renamed — shows within KEPT_SECONDS, as on the boards. A cache that is away
costs only speed: the figure is computed, and a write never fails for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

from .jobs import week_changed
from .models import Agency, Producer, Team

logger = logging.getLogger(__name__)

KEPT_SECONDS = 60
T = TypeVar("T")


def _stamp_key(agency_id: int) -> str:
    return f"agency-stamp:{agency_id}"


def agency_cached(agency: Agency, parts: Iterable, compute: Callable[[], T]) -> T:
    """What `compute` returns for the agency and `parts` (everything else it depends on),
    from the cache while nothing it is computed from changed; computed and kept on a miss."""
    try:
        stamp = cache.get(_stamp_key(agency.pk))
        if stamp is None:
            stamp = _stamp_new(agency.pk)
        created = agency.created_at.timestamp() if agency.created_at else 0
        key = ":".join(map(str, ("kept", agency.pk, created, agency.live_version, stamp,
                                 *parts)))
        value = cache.get(key)
    except Exception:
        logger.warning("The cache is away; computing.", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, KEPT_SECONDS)
        except Exception:
            logger.warning("Could not keep a computed figure.", exc_info=True)
    return value


def _stamp_new(agency_id: int) -> int:
    """A fresh stamp: the clock's, so a stamp lost from the cache never comes back as one an
    old figure was kept under."""
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
        logger.warning("Could not mark agency %s as changed.", agency_id, exc_info=True)


def agency_changed(agency_id: int) -> None:
    """Something kept figures are computed from changed in the agency: they are stale now,
    and again once the writing transaction commits."""
    _stamp_bump(agency_id)
    transaction.on_commit(partial(_stamp_bump, agency_id))


def _on_write(sender, instance, **kwargs) -> None:
    agency_id = instance.pk if sender is Agency else getattr(instance, "agency_id", None)
    if agency_id is not None:
        agency_changed(agency_id)


def _on_week_changed(sender, *, agency_id: int, **kwargs) -> None:
    agency_changed(agency_id)


def connect(stamped: Iterable[type[models.Model]]) -> None:
    """Bump an agency's stamp on a save or delete of any of `stamped` (models with an
    `agency_id`), of its people, teams or itself, and on every `week_changed`."""
    for model in (*stamped, Producer, Team, Agency):
        uid = f"salesculture.agency_changed.{model._meta.label}"
        post_save.connect(_on_write, sender=model, dispatch_uid=uid + ".save")
        post_delete.connect(_on_write, sender=model, dispatch_uid=uid + ".delete")
    week_changed.connect(_on_week_changed, dispatch_uid="salesculture.agency_changed")
