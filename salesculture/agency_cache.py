"""Figures computed from an agency's slower-moving rows, kept between changes: the slower
rules of the leader alerts, role fit's listing, the lost-reason report.

Each is read far more often than what it is computed from changes: for an owner of 500 people
it costs 15–45 ms to compute on every view. It is kept under a key made of a stamp per topic
it reads, and what the caller adds (the viewer's role and team, the agency's date, the period
asked for). A write bumps the stamp of its topic — before its transaction commits and again
once it has, so a view that read between the two does not keep what it read:

- PEOPLE, part of every key: a person, a team or the agency itself saved or deleted;
- COACHING: a commitment, a check-in, a one-on-one, a plan, a dismissal saved or deleted;
- HISTORY: the cards of a finished week changed (the scorecard job says so: a late log, a
  correction, the judging of a week, the rebuild);
- LOSSES: a move into a Lost stage, or a stage, saved or deleted.

The topics keep the busiest writes out: a quick-log or a stage advance of this week, every few
seconds at an agency of 500, changes none of them, so a kept figure outlives them. Each app
connects its own models (`connect`). What bumps no stamp — a bulk write outside the app's
services, a person's user renamed — shows within KEPT_SECONDS, as on the boards. A cache that
is away costs only speed: the figure is computed, and a write never fails for it.
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

from .models import Agency, Producer, Team

logger = logging.getLogger(__name__)

KEPT_SECONDS = 60
PEOPLE, COACHING, HISTORY, LOSSES = "people", "coaching", "history", "losses"
T = TypeVar("T")


def _stamp_key(agency_id: int, topic: str) -> str:
    return f"agency-stamp:{agency_id}:{topic}"


def agency_cached(agency: Agency, topics: Iterable[str], parts: Iterable,
                  compute: Callable[[], T]) -> T:
    """What `compute` returns for the agency and `parts` (everything else it depends on but
    the `topics` it reads), from the cache while none of those topics changed; computed and
    kept on a miss."""
    topics = sorted({PEOPLE, *topics})
    keys = [_stamp_key(agency.pk, topic) for topic in topics]
    try:
        found = cache.get_many(keys)
        stamps = [found.get(key) or _stamp_new(key) for key in keys]
        created = agency.created_at.timestamp() if agency.created_at else 0
        key = ":".join(map(str, ("kept", agency.pk, created, *stamps, *parts)))
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


def _stamp_new(key: str) -> int:
    """A fresh stamp: the clock's, so a stamp lost from the cache never comes back as one an
    old figure was kept under."""
    stamp = time.time_ns()
    cache.set(key, stamp, None)
    return stamp


def _stamp_bump(agency_id: int, topic: str) -> None:
    key = _stamp_key(agency_id, topic)
    try:
        try:
            cache.incr(key)
        except ValueError:  # no stamp yet (or it was evicted)
            _stamp_new(key)
    except Exception:
        logger.warning("Could not mark %s of agency %s as changed.", topic, agency_id,
                       exc_info=True)


def agency_changed(agency_id: int, topic: str) -> None:
    """`topic` changed in the agency: what was kept from it is stale now, and again once the
    writing transaction commits."""
    _stamp_bump(agency_id, topic)
    transaction.on_commit(partial(_stamp_bump, agency_id, topic))


def connect(topic: str, stamped: Iterable[type[models.Model]],
            when: Callable[[models.Model], bool] | None = None) -> None:
    """Bump the agency's `topic` on a save or delete of any of `stamped` (models with an
    `agency_id`; the Agency itself by its id); with `when`, only of a row it says may
    change the topic."""
    def on_write(sender, instance, **kwargs) -> None:
        agency_id = instance.pk if sender is Agency else getattr(instance, "agency_id", None)
        if agency_id is not None and (when is None or when(instance)):
            agency_changed(agency_id, topic)

    for model in stamped:
        uid = f"salesculture.agency_changed.{topic}.{model._meta.label}"
        post_save.connect(on_write, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(on_write, sender=model, weak=False, dispatch_uid=uid + ".delete")


def connect_people() -> None:
    connect(PEOPLE, [Producer, Team, Agency])
