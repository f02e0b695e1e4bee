"""Who the scorecard job builds cards for, and what it finds stored of theirs: the selling
producers of an agency-week, each with their check-in, their stored card and their best
earlier week, in one query (for the snapshot, snapshot.py).

Plain SQL rather than the ORM for the same reason as tallies.py: 500 rows of 40 columns, and
the queryset (two filtered relations, a subquery) with Django's converters over each row cost
more Python than the database took to answer (11 ms against 6).
"""

from django.contrib.auth import get_user_model
from django.db import connection

from salesculture.models import Agency, Producer
from salesculture.weeks import Week

from ..models import ConfidenceCheckIn, WeeklyScorecard
from .columns import SCORECARD_FIELDS
from .raw import Read, as_stored, converted, json_decoded, only

OWN = ["id", "annual_goal", "joined", "user__first_name", "user__last_name", "user__username",
       "best"]
CHECK_IN_FIELDS = ["process", "pipeline", "team"]
CARD_FIELDS = ["is_final", *SCORECARD_FIELDS]
# The card's JSON columns, decoded all at once (`json_decoded`).
CARD_JSON_FIELDS = [f for f in SCORECARD_FIELDS
                    if WeeklyScorecard._meta.get_field(f).get_internal_type() == "JSONField"]
_CHECK_IN_AT = len(OWN)
_CARD_AT = _CHECK_IN_AT + len(CHECK_IN_FIELDS)  # the card's id, then CARD_FIELDS


def selling_producers_of_week_read(agency: Agency, week: Week,
                                   producer_ids=None) -> Read[dict[int, dict]]:
    """The selling producers, each with what is theirs alone in the week: their check-in and
    their stored card (at most one of each, unique per producer and week) and the most wins
    of any earlier week, read per producer through their (producer, ...) indexes rather than
    over every card the agency ever had. Under "check_in" and "card", None when there is
    none; "joined": whether they had joined by the week's end (said by the database: a
    timestamp costs Django's loader microseconds a row). In the order of their names."""
    return Read(*_sql(agency, week, producer_ids), _producers)


def _producers(rows: list[tuple]) -> dict[int, dict]:
    producers = {}
    for row in _decoded(rows):
        producer = dict(zip(OWN, row[:_CHECK_IN_AT], strict=True))
        check_in = row[_CHECK_IN_AT:_CARD_AT]
        producer["check_in"] = (dict(zip(CHECK_IN_FIELDS, check_in, strict=True))
                                if check_in[0] is not None else None)
        producer["card"] = (dict(zip(CARD_FIELDS, row[_CARD_AT + 1:], strict=True))
                            if row[_CARD_AT] is not None else None)
        producers[producer["id"]] = producer
    return producers


def _sql(agency: Agency, week: Week, producer_ids=None) -> tuple[str, list]:
    producer, user = Producer._meta.db_table, get_user_model()._meta.db_table
    check_in, card = ConfidenceCheckIn._meta.db_table, WeeklyScorecard._meta.db_table
    mine_only, their_ids = only("p.id", producer_ids)
    cards = ", ".join(f"c.{WeeklyScorecard._meta.get_field(f).column}" for f in CARD_FIELDS)
    # "joined" comes back as the database says it (0 or 1 on SQLite): it is only tested. The
    # check-in's and the card's agency, though their producer says it already: without it
    # PostgreSQL reads the week's check-ins and cards of every agency (their (agency, week)
    # indexes answer with this agency's alone).
    sql = f"""
        SELECT p.id, p.annual_goal, p.created_at < %s, u.first_name, u.last_name, u.username,
               (SELECT b.wins FROM {card} b WHERE b.producer_id = p.id AND b.week_start < %s
                ORDER BY b.wins DESC LIMIT 1),
               ci.process, ci.pipeline, ci.team, c.id, {cards}
        FROM {producer} p
        JOIN {user} u ON u.id = p.user_id
        LEFT JOIN {check_in} ci ON ci.producer_id = p.id AND ci.week_start = %s
                                AND ci.agency_id = %s
        LEFT JOIN {card} c ON c.producer_id = p.id AND c.week_start = %s AND c.agency_id = %s
        WHERE p.agency_id = %s AND p.is_active AND p.role <> %s{mine_only}
        ORDER BY u.first_name, u.last_name"""
    ops = connection.ops
    monday = ops.adapt_datefield_value(week.start)
    return sql, [ops.adapt_datetimefield_value(week.ends), monday, monday, agency.pk, monday,
                 agency.pk, agency.pk, Producer.Role.NON_PRODUCER.value, *their_ids]


def _decoded(rows: list[tuple]) -> list[list]:
    rows = [list(row) for row in rows]
    at = {f: _CARD_AT + 1 + i for i, f in enumerate(CARD_FIELDS)}
    rows = converted(rows, {
        OWN.index("annual_goal"): as_stored(Producer, "annual_goal"),
        **{at[f]: as_stored(WeeklyScorecard, f) for f in CARD_FIELDS
           if f not in CARD_JSON_FIELDS}})
    return json_decoded(rows, [at[f] for f in CARD_JSON_FIELDS])
