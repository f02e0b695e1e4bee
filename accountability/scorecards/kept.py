"""What a worker keeps of an agency-week between the scorecard job's runs: the stored cards
it read (stored_cards.py) and the agency's funnel sum (funnel_sum.py). A few agency-weeks
at a time (a worker refreshes the current and the last week of a few agencies), the least
recently refreshed going first."""

from collections import OrderedDict
from typing import Generic, TypeVar

from salesculture.models import Agency

KEPT_WEEKS = 8
V = TypeVar("V")


def week_key(agency: Agency, week_start) -> tuple:
    """An agency-week's key. The agency's creation time is part of it: a test database that
    rolls back hands the same ids to the next test's agency."""
    return (agency.pk, agency.created_at, week_start)


class KeptWeeks(Generic[V]):
    """A value per agency-week, at most KEPT_WEEKS of them."""

    _every: list["KeptWeeks"] = []  # for `kept_forget`

    def __init__(self) -> None:
        self._weeks: OrderedDict[tuple, V] = OrderedDict()
        KeptWeeks._every.append(self)

    def take(self, key: tuple) -> V | None:
        """The value kept under `key`, no longer kept (None when there is none)."""
        return self._weeks.pop(key, None)

    def get(self, key: tuple) -> V | None:
        return self._weeks.get(key)

    def keep(self, key: tuple, value: V) -> None:
        self._weeks[key] = value
        self._weeks.move_to_end(key)
        while len(self._weeks) > KEPT_WEEKS:
            self._weeks.popitem(last=False)


def kept_forget() -> None:
    """Forget everything kept: the next run of every agency-week reads and adds it all."""
    for kept in KeptWeeks._every:
        kept._weeks.clear()
