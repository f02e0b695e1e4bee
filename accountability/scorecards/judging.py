"""A judged week's commitments, kept or missed, from the actuals on the cards the scorecard job
(refresh.py) just built."""

import datetime as dt

from django.db import connection

from ..commitments.rules import commitment_target
from ..models import Commitment, WeeklyScorecard


def commitments_judge(commitments: list[dict], cards: list[WeeklyScorecard],
                       now: dt.datetime) -> int:
    """Kept or missed, from the actuals on the cards; a commitment of someone who no longer
    sells has no card, so it counts nothing done. Returns how many were judged anew."""
    actuals = {int(key): actual for card in cards
               for key, actual in card.commitment_actuals.items()}
    judged = []
    for c in commitments:
        actual = actuals.get(c["id"], 0)
        status = (Commitment.Status.KEPT if actual >= commitment_target(c)
                  else Commitment.Status.MISSED)
        if c["status"] != status or c["actual"] != actual:
            judged.append((c["id"], str(status), actual))
    for start in range(0, len(judged), JUDGED_PER_UPDATE):
        _commitments_update(judged[start:start + JUDGED_PER_UPDATE], now)
    return len(judged)


# Three parameters a commitment: well within what SQLite takes in one statement.
JUDGED_PER_UPDATE = 2000


def _commitments_update(judged: list[tuple[int, str, int]], now: dt.datetime) -> None:
    """One UPDATE ... FROM (VALUES ...) for many commitments (PostgreSQL, and SQLite since
    3.33): `bulk_update` spells the same as a CASE per field and commitment, and building that
    cost a closing week's job most of its time."""
    table = Commitment._meta.db_table
    rows = ", ".join(["(%s, %s, %s)"] * len(judged))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = judged.column2, actual = judged.column3, "
            f"judged_at = %s FROM (VALUES {rows}) AS judged "
            f"WHERE {table}.id = judged.column1",
            [connection.ops.adapt_datetimefield_value(now),
             *(value for row in judged for value in row)])
