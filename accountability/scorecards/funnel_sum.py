"""The agency's funnel week as the scorecard job sums it (refresh.py): the funnel fields of the
week's cards, added up, kept in the process from one run to the next.

Summing 500 cards' nested counts costs a refresh about 2 ms, and a refresh after a quick-log
changes one of them. So the process keeps the last sum with the counts it added (by card),
and the next sum of the same agency-week takes out the counts that left or changed and adds
the ones that came: the same numbers as adding everything again, as every count is at least 1
(an activity's quantity, a move, a win) and a card holds no empty part (funnel_tally.py adds
a stage's stays only with a stay in it), so a count or a part that falls to nothing was taken
out whole and its key goes, as a full sum would never have had it. The kept sum is arithmetic
over the counts it kept, never read from the database, so a refresh rolled back leaves it
right.
"""

from ..planning.funnel_weeks import STORED_FIELDS as FUNNEL_FIELDS
from ..planning.funnel_weeks import merge_counts
from .kept import KeptWeeks

# Past this share of the cards changed, adding everything again is as quick.
INCREMENTAL_SHARE = 0.25

Counts = tuple  # one card's funnel fields' values, in FUNNEL_FIELDS' order

# Per agency-week (kept.week_key), the sum and the counts it added, by producer.
_kept: KeptWeeks[tuple[dict, dict[int, Counts]]] = KeptWeeks()


def funnel_sum(key: tuple, counts: dict[int, Counts]) -> dict:
    """The sum of these cards' funnel fields (by producer), as {field: nested counts}. The
    caller does not change what it gets: it is kept for the next sum of `key`."""
    kept = _kept.take(key)
    if kept is None:
        numbers = _sum(counts.values())
    else:
        numbers, before = kept
        gone = [c for pid, c in before.items() if not _same(counts.get(pid), c)]
        came = [c for pid, c in counts.items() if not _same(before.get(pid), c)]
        if len(gone) + len(came) > INCREMENTAL_SHARE * max(len(counts), 1):
            numbers = _sum(counts.values())
        else:
            try:
                for card in gone:
                    for field, values in zip(FUNNEL_FIELDS, card, strict=True):
                        _take_out(numbers[field], values)
            except KeyError:  # not what was added: never so, but a sum must not go wrong
                numbers = _sum(counts.values())
            else:
                for card in came:
                    for field, values in zip(FUNNEL_FIELDS, card, strict=True):
                        merge_counts(numbers[field], values)
    _kept.keep(key, (numbers, counts))
    return numbers


def _same(a: Counts | None, b: Counts) -> bool:
    # The refresh hands the stored card's counts (the same objects run after run) for every
    # card that did not change, so identity settles nearly all.
    return a is b or a == b


def _sum(cards) -> dict:
    numbers = {field: {} for field in FUNNEL_FIELDS}
    for card in cards:
        for field, values in zip(FUNNEL_FIELDS, card, strict=True):
            merge_counts(numbers[field], values)
    return numbers


def _take_out(into: dict, counts: dict) -> None:
    """`merge_counts` backwards; a count (or a nested dict) that reaches nothing goes."""
    for key, value in counts.items():
        if isinstance(value, dict):
            inner = into[key]
            _take_out(inner, value)
            if not inner:
                del into[key]
        else:
            left = into[key] - value
            if left:
                into[key] = left
            else:
                del into[key]
