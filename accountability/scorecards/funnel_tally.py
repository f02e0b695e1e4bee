"""The funnel's evidence of an agency-week, per producer (the card's `funnel`), for the
scorecard job's snapshot (snapshot.py): the prospects created in each stage, the moves out of
each stage, and how long each stay lasted."""

import datetime as dt

from django.db import connection

from pipeline.models import StageAdvance
from salesculture.models import Agency
from salesculture.raw import Read, only


def funnel_tally_read(agency: Agency, start: dt.datetime, end: dt.datetime,
                      producer_ids=None) -> Read[dict[int, dict]]:
    """Per producer, the funnel's evidence of the week (the card's `funnel`): the prospects
    created in each stage, the moves out of each stage (forward, back or lost) and, for each
    move out, how many whole days the prospect had stayed in that stage since the move before
    it, whenever that was (the move's `from_stage_entered_at`). One query over the week's
    moves, counted by the database (a row per producer, stage and day, not per move).

    Raw SQL because the whole days are the one expression PostgreSQL and SQLite say apart."""
    advance = StageAdvance._meta.db_table
    mine_only, their_ids = only("producer_id", producer_ids)
    ops = connection.ops
    if connection.vendor == "postgresql":
        days = "FLOOR(EXTRACT(EPOCH FROM (occurred_at - from_stage_entered_at)) / 86400)::int"
    else:
        days = ("(CAST(strftime('%%s', occurred_at) AS INTEGER)"
                " - CAST(strftime('%%s', from_stage_entered_at) AS INTEGER)) / 86400")
    # The stages and the days as text, as the card's JSON keys them: the database spells
    # them, not str() on each of thousands of rows.
    sql = f"""
        SELECT producer_id, CAST(from_stage_id AS TEXT),
               CAST(CASE WHEN from_stage_id IS NULL THEN to_stage_id END AS TEXT),
               CAST({days} AS TEXT), COUNT(*)
        FROM {advance}
        WHERE agency_id = %s AND occurred_at >= %s AND occurred_at < %s{mine_only}
        GROUP BY 1, 2, 3, 4"""
    return Read(sql, [agency.pk, ops.adapt_datetimefield_value(start),
                      ops.adapt_datetimefield_value(end), *their_ids], _funnel_counts)


def _funnel_counts(rows: list[tuple]) -> dict[int, dict]:
    """The funnel query's rows (producer, stage moved out of or None, stage created in, whole
    days stayed, moves; the stages and days as text) as each producer's `funnel`. Thousands
    of rows a week: each part is looked up before it is made (`setdefault` would build an
    empty dict a row)."""
    tally: dict[int, dict] = {}
    for pid, from_key, created_key, stayed, n in rows:
        mine = tally.get(pid)
        if mine is None:
            mine = tally[pid] = {}
        if from_key is None:
            created = mine.get("created")
            if created is None:
                created = mine["created"] = {}
            created[created_key] = created.get(created_key, 0) + n
            continue
        out = mine.get("out")
        if out is None:
            out = mine["out"] = {}
        out[from_key] = out.get(from_key, 0) + n
        if stayed is not None:
            stays = mine.get("stays")
            if stays is None:
                stays = mine["stays"] = {}
            days = stays.get(from_key)
            if days is None:
                days = stays[from_key] = {}
            days[stayed] = days.get(stayed, 0) + n
    return tally
