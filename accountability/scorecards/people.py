"""Who the scorecard job builds cards for, and what it finds stored of theirs: the selling
producers of an agency-week, each with their check-in, the stamp of their stored card and
their best earlier week, in one query (for the snapshot, snapshot.py).

Plain SQL rather than the ORM for the same reason as tallies.py: 500 rows, and the queryset
(two filtered relations, a subquery) with Django's converters over each row cost more Python
than the database took to answer (11 ms against 6).
"""

from django.contrib.auth import get_user_model
from django.db import connection

from salesculture.models import Agency, Producer
from salesculture.raw import Read, as_stored, converted, only
from salesculture.weeks import Week

from ..models import ConfidenceCheckIn, WeeklyScorecard
from .stored_cards import card_stamp_sql

OWN = ["id", "annual_goal", "joined", "user__first_name", "user__last_name", "user__username",
       "best"]
CHECK_IN_FIELDS = ["process", "pipeline", "team"]
_CHECK_IN_AT = len(OWN)
_CARD_AT = _CHECK_IN_AT + len(CHECK_IN_FIELDS)  # the stamp of the card (stored_cards.py)


def selling_producers_of_week_read(agency: Agency, week: Week,
                                   producer_ids=None) -> Read[dict[int, dict]]:
    """The selling producers, each with what is theirs alone in the week: their check-in and
    the stamp of their stored card (at most one of each, unique per producer and week; the
    card itself comes from stored_cards.py) and the most wins of any earlier week, read per
    producer through their (producer, ...) indexes rather than over every card the agency
    ever had. Under "check_in" and "card_stamp", None when there is none; "joined": whether
    they had joined by the week's end (said by the database: a timestamp costs Django's
    loader microseconds a row). In the order of their names."""
    return Read(*_sql(agency, week, producer_ids), _producers)


def _producers(rows: list[tuple]) -> dict[int, dict]:
    producers = {}
    for row in converted(rows, {OWN.index("annual_goal"): as_stored(Producer, "annual_goal")}):
        producer = dict(zip(OWN, row[:_CHECK_IN_AT], strict=True))
        check_in = row[_CHECK_IN_AT:_CARD_AT]
        producer["check_in"] = (dict(zip(CHECK_IN_FIELDS, check_in, strict=True))
                                if check_in[0] is not None else None)
        producer["card_stamp"] = row[_CARD_AT]
        producers[producer["id"]] = producer
    return producers


def _sql(agency: Agency, week: Week, producer_ids=None) -> tuple[str, list]:
    producer, user = Producer._meta.db_table, get_user_model()._meta.db_table
    check_in, card = ConfidenceCheckIn._meta.db_table, WeeklyScorecard._meta.db_table
    mine_only, their_ids = only("p.id", producer_ids)
    # "joined" comes back as the database says it (0 or 1 on SQLite): it is only tested. The
    # check-in's and the card's agency, though their producer says it already: without it
    # PostgreSQL reads the week's check-ins and cards of every agency (their (agency, week)
    # indexes answer with this agency's alone).
    sql = f"""
        SELECT p.id, p.annual_goal, p.created_at < %s, u.first_name, u.last_name, u.username,
               (SELECT b.wins FROM {card} b WHERE b.producer_id = p.id AND b.week_start < %s
                ORDER BY b.wins DESC LIMIT 1),
               ci.process, ci.pipeline, ci.team, {card_stamp_sql("c")}
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
