"""Figures computed from an agency's slower-moving rows, kept between changes: each of the
leader alerts' slower rules, role fit's listing, the lost-reason report's past days, the
morning list's team wins since the last working day.

Each is read far more often than what it is computed from changes: for an owner of 500 people
it costs 15–45 ms to compute on every view. It is kept under a key made of a stamp per topic
it reads (a figure reads as few as it can: a check-in recomputes the confidence rule alone),
and what the caller adds (the viewer's role and team, the agency's date, the period
asked for). A write bumps the stamp of its topic — before its transaction commits and again
once it has, so a view that read between the two does not keep what it read:

- PEOPLE, part of every key but those of figures kept for the whole agency a person at a time
  (`people=False`: each page picks the people it shows, read afresh): a person, a team or
  the agency itself saved or deleted, people imported;
- COMMITMENTS, CHECK_INS, ONE_ON_ONES, DISMISSALS: one of those saved or deleted (connected
  by accountability/apps.py); PLANS: a plan's steady pace changed (`goal_plan_store`);
- HISTORY: the cards of a finished week changed, or its commitments were judged anew (the
  scorecard job says so: a late log, a correction, the close of a week, the rebuild);
- PAST_MOVES: a stage move dated before the last hour (recorded late, undone or deleted after
  its day, judged again by the win rule), or a stage, saved or deleted (pipeline/apps.py);
  the move bumps the stamp of its week too (`past_week`), so a figure kept a week at a time
  (the lost-reason report's) counts again the week that changed alone; STAGES: a stage
  saved or deleted.

The topics keep the busiest writes out: a quick-log or a stage advance of this week, every few
seconds at an agency of 500, changes none of them, so a kept figure outlives them. Each app
connects its own models (`connect`). What bumps no stamp — a bulk write outside the app's
services, a person's user renamed — shows within KEPT_SECONDS, as on the boards. A cache that
is away costs only speed: the figure is computed, and a write never fails for it.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TypeVar

from django.core.cache import cache
from django.db import connection, models, transaction
from django.db.models.signals import post_delete, post_save

from .models import Agency, Producer, Team

logger = logging.getLogger(__name__)

KEPT_SECONDS = 60
# The kinds of write a kept figure can read (the module's docstring says who bumps which).
PEOPLE, HISTORY, PAST_MOVES = "people", "history", "past-moves"
COMMITMENTS, CHECK_INS, ONE_ON_ONES, PLANS, DISMISSALS, STAGES = (
    "commitments", "check-ins", "one-on-ones", "plans", "dismissals", "stages")
# A move's week in every time zone: its day is within 14 hours of its UTC moment's.
_ANY_ZONE = dt.timedelta(hours=14)
T = TypeVar("T")


def _stamp_key(agency_id: int, topic: str) -> str:
    return f"agency-stamp:{agency_id}:{topic}"


def agency_key(kind: str, agency: Agency, *parts) -> str:
    """A cache key of the agency's. The agency's creation time is part of it so a key never
    outlives its agency: a test database that rolls back hands the same ids to the next
    test's agency and teams, with versions and stamps starting afresh."""
    created = agency.created_at.timestamp() if agency.created_at else 0
    return ":".join(map(str, (kind, agency.pk, created, *parts)))


def past_week(day: dt.date) -> str:
    """The topic of the moves of the week (Monday to Sunday) holding `day`."""
    return f"{PAST_MOVES}@{day - dt.timedelta(days=day.weekday())}"


def past_move_topics(moment: dt.datetime | None) -> list[str]:
    """What a move at `moment` (before the last hour) changes: PAST_MOVES, and the week of
    its day, whatever the agency's time zone (the weeks of its UTC moment ± 14 hours: one,
    or two near a week's end)."""
    if moment is None:
        return [PAST_MOVES]
    return sorted({PAST_MOVES, *(past_week((moment + shift).astimezone(dt.UTC).date())
                                 for shift in (-_ANY_ZONE, _ANY_ZONE))})


def agency_cached(agency: Agency, topics: Iterable[str], parts: Iterable,
                  compute: Callable[[], T], *, seconds: int = KEPT_SECONDS,
                  people: bool = True) -> T:
    """What `compute` returns for the agency and `parts` (everything else it depends on but
    the `topics` it reads), from the cache while none of those topics changed; computed and
    kept on a miss, for `seconds` at most. `people=False`: the figure does not change when a
    person does (it is the agency's whole, by person id), so PEOPLE is not one of its topics."""
    return agency_cached_many(agency, {"": (topics, parts, compute)}, seconds=seconds,
                              people=people)[""]


def agency_cached_many(agency: Agency, wanted: dict[str, tuple[Iterable[str], Iterable,
                                                                Callable[[], object] | None]],
                       *, seconds: int = KEPT_SECONDS,
                       missing: Callable[[list[str]], dict[str, object]] | None = None,
                       people: bool = True) -> dict:
    """`agency_cached` for several figures at once, each (topics, parts, compute) by name:
    two reads of the cache in all, and one write of those computed. `missing`, when given,
    computes all the figures not kept in one call ({name: value} of the names it is given),
    in place of each one's own `compute`."""
    always = {PEOPLE} if people else set()
    wanted = {name: (sorted({*always, *topics}), tuple(parts), compute)
              for name, (topics, parts, compute) in wanted.items()}
    stamp_keys = {t: _stamp_key(agency.pk, t) for topics, _, _ in wanted.values()
                  for t in topics}

    def computed(names: list[str]) -> dict[str, object]:
        if missing is not None:
            return missing(names) if names else {}
        return {name: wanted[name][2]() for name in names}

    try:
        found = cache.get_many(list(stamp_keys.values()))
        stamps = {t: found.get(key) or _stamp_new(key) for t, key in stamp_keys.items()}
        keys = {name: agency_key("kept", agency, *(stamps[t] for t in topics), *parts)
                for name, (topics, parts, _) in wanted.items()}
        kept = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("The cache is away; computing.", exc_info=True)
        return computed(list(wanted))
    new = computed([name for name in wanted if kept.get(keys[name]) is None])
    if new:
        try:
            cache.set_many({keys[name]: value for name, value in new.items()}, seconds)
        except Exception:
            logger.warning("Could not keep a computed figure.", exc_info=True)
    return {name: new[name] if name in new else kept[keys[name]] for name in wanted}


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
    writing transaction commits (the second bump asked for once a transaction, however many
    rows it writes)."""
    _stamp_bump(agency_id, topic)
    if not connection.in_atomic_block:
        return  # written and committed already
    again = partial(_stamp_bump, agency_id, topic)
    # The open transaction's callbacks are (savepoints, callable, robust) each.
    if not any(getattr(entry[1], "args", None) == again.args
               and getattr(entry[1], "func", None) is _stamp_bump
               for entry in connection.run_on_commit):
        transaction.on_commit(again)


def connect(topic: str | Callable[[models.Model], Iterable[str]],
            stamped: Iterable[type[models.Model]],
            when: Callable[[models.Model], bool] | None = None) -> None:
    """Bump the agency's `topic` (or the topics it names for the row written) on a save or
    delete of any of `stamped` (models with an `agency_id`; the Agency itself by its id);
    with `when`, only of a row it says may change the topic."""
    def on_write(sender, instance, **kwargs) -> None:
        agency_id = instance.pk if sender is Agency else getattr(instance, "agency_id", None)
        if agency_id is not None and (when is None or when(instance)):
            for each in topic(instance) if callable(topic) else [topic]:
                agency_changed(agency_id, each)

    for model in stamped:
        name = getattr(topic, "__name__", topic)
        uid = f"salesculture.agency_changed.{name}.{model._meta.label}"
        post_save.connect(on_write, sender=model, weak=False, dispatch_uid=uid + ".save")
        post_delete.connect(on_write, sender=model, weak=False, dispatch_uid=uid + ".delete")


def connect_people() -> None:
    connect(PEOPLE, [Producer, Team, Agency])
