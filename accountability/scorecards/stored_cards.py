"""The week's stored cards as the scorecard job compares its fresh cards with them
(snapshot.py), kept in the process between its refreshes of the same agency-week.

The job refreshes an agency-week again and again (every quick-log, the safety net), and
nearly every card it reads is the one it read last time: 500 cards of 30 columns, 2,000 JSON
documents to decode, about 5 ms of each run at 500 producers. So the snapshot reads each
card's stamp alone (its id and the time it was computed, which every write of a card sets
anew: `scorecards_refresh` is their one writer, and the admin shows them read-only), and
the columns only of the cards whose stamp this process does not hold: none when nothing
changed, the few another run wrote since, every card on a first run. A run forgets the cards
it wrote itself (its transaction may yet roll back, and a stopped clock would stamp them
alike); a card another process wrote has a new id or time.
"""

from collections import namedtuple

from django.db import connection

from salesculture.models import Agency
from salesculture.raw import among, as_stored, converted, json_decoded, rows_of
from salesculture.weeks import Week

from ..models import WeeklyScorecard
from .columns import SCORECARD_FIELDS
from .kept import KeptWeeks, week_key

CARD_FIELDS = ["is_final", *SCORECARD_FIELDS]
# The card's JSON columns, decoded all at once (`json_decoded`).
CARD_JSON_FIELDS = [f for f in SCORECARD_FIELDS
                    if WeeklyScorecard._meta.get_field(f).get_internal_type() == "JSONField"]

class StoredCard(namedtuple("StoredCard", CARD_FIELDS)):
    """A stored card's numbers, and whether its week was final when it was computed."""

    __slots__ = ()

    @property
    def numbers(self) -> tuple:
        """SCORECARD_FIELDS in their order, to compare with a fresh card's."""
        return self[1:]


def card_stamp_sql(alias: str) -> str:
    """The stamp of a stored card, as the snapshot's read of the producers selects it: the
    card's id and when it was computed, as text (the same on PostgreSQL and SQLite); NULL
    for no card."""
    return (f"CASE WHEN {alias}.id IS NOT NULL THEN "
            f"CAST({alias}.id AS TEXT) || ' ' || CAST({alias}.computed_at AS TEXT) END")


# Per agency-week, {producer: (stamp, StoredCard)}.
_kept: KeptWeeks[dict[int, tuple[str, StoredCard]]] = KeptWeeks()


def stored_cards(agency: Agency, week: Week, stamps: dict[int, str]) -> dict[int, StoredCard]:
    """The stored cards of these producers (by their stamps): the ones this process holds
    under the same stamp as kept, the others read in one query (none when all are held)."""
    key = week_key(agency, week.start)
    kept = _kept.take(key) or {}
    cards = {}
    for pid, stamp in stamps.items():
        held = kept.get(pid)
        if held is not None and held[0] == stamp:
            cards[pid] = held[1]
    missing = [pid for pid in stamps if pid not in cards]
    for pid, stamp, card in _cards_read(agency, week, missing):
        kept[pid] = (stamp, card)
        cards[pid] = card
    _kept.keep(key, kept)
    return cards


def kept_cards_drop(agency: Agency, week: Week, producer_ids) -> None:
    """Forget these producers' cards of the week: the next refresh reads them."""
    kept = _kept.get(week_key(agency, week.start))
    if kept:
        for pid in producer_ids:
            kept.pop(pid, None)


def _cards_read(agency: Agency, week: Week,
                producer_ids: list[int]) -> list[tuple[int, str, StoredCard]]:
    if not producer_ids:
        return []
    table = WeeklyScorecard._meta.db_table
    columns = ", ".join(f"c.{WeeklyScorecard._meta.get_field(f).column}" for f in CARD_FIELDS)
    theirs, their_ids = among("c.producer_id", producer_ids)
    rows = [list(row) for row in rows_of(f"""
        SELECT c.producer_id, {card_stamp_sql("c")}, {columns} FROM {table} c
        WHERE c.agency_id = %s AND c.week_start = %s AND {theirs}""",
        [agency.pk, connection.ops.adapt_datefield_value(week.start), *their_ids])]
    at = {f: 2 + i for i, f in enumerate(CARD_FIELDS)}
    rows = converted(rows, {at[f]: as_stored(WeeklyScorecard, f) for f in CARD_FIELDS
                            if f not in CARD_JSON_FIELDS})
    rows = json_decoded(rows, [at[f] for f in CARD_JSON_FIELDS])
    return [(pid, stamp, StoredCard._make(values)) for pid, stamp, *values in rows]
