"""The busiest reads of the scorecard job's snapshot (snapshot.py), each one query over the
agency-week: the activities per producer and type, the wins per producer, and the stored
earlier weeks' production each card's month, year and 13 weeks add up.

Raw SQL rather than the ORM: thousands of rows a refresh, and building the querysets (a
filtered count per stage), compiling them and running Django's converters over each row cost
the job more than the database took to answer (the wins: 7.6 ms of Python, 3.1 without).
The SQL is plain enough to run as is on PostgreSQL and SQLite.
"""

import datetime as dt
import functools
from collections import defaultdict

from django.db import connection

from pipeline.models import Activity, Prospect, Stage, StageAdvance, StageWin
from salesculture.models import Agency
from salesculture.raw import (
    Read,
    among,
    as_stored,
    converted,
    json_decoded,
    moment_of_text,
    moments,
    only,
    rows_of,
)
from salesculture.weeks import Week

from ..models import AgencyFunnelWeek, Celebration, Commitment, WeeklyScorecard
from ..planning.funnel_weeks import STORED_FIELDS as FUNNEL_FIELDS
from .celebrations import STREAK_LOOKBACK_WEEKS
from .columns import PRODUCED
from .production import close_rate_start, month_start, year_start


def activity_counts_read(agency: Agency, start: dt.datetime, end: dt.datetime,
                         producer_ids=None) -> Read[dict[int, dict[str, int]]]:
    """Per producer (of `producer_ids` when given), the week's activities by type: {activity
    type id (a string, as the card's JSON keys it): quantity}."""
    mine_only, their_ids = only("producer_id", producer_ids)
    sql = f"""
        SELECT producer_id, activity_type_id, SUM(quantity) FROM {Activity._meta.db_table}
        WHERE agency_id = %s AND occurred_at >= %s AND occurred_at < %s{mine_only}
        GROUP BY producer_id, activity_type_id"""
    return Read(sql, [agency.pk, *moments(start, end), *their_ids], _activity_counts)


def _activity_counts(rows: list[tuple]) -> dict[int, dict[str, int]]:
    counts: dict[int, dict[str, int]] = {}
    for pid, type_id, n in rows:
        mine = counts.get(pid)
        if mine is None:
            mine = counts[pid] = {}
        mine[str(type_id)] = n
    return counts


STREAK_LOOKBACK = dt.timedelta(weeks=STREAK_LOOKBACK_WEEKS)
COMMITMENT_FIELDS = ("id", "producer_id", "kind", "activity_type_id", "stage_id", "target",
                     "self_reported_done", "status", "actual")


def week_commitments_read(agency: Agency, week: Week, producer_ids=None) -> Read[list[dict]]:
    """The week's commitments (of `producer_ids` when given) as the rules read them: dicts of
    COMMITMENT_FIELDS. Some 1,700 at an agency of 500, which the ORM's values() took 15 ms to
    bring where the database answers in 6. In no order: each is looked up by its id."""
    mine_only, their_ids = only("producer_id", producer_ids)
    sql = f"""
        SELECT {", ".join(COMMITMENT_FIELDS)} FROM {Commitment._meta.db_table}
        WHERE agency_id = %s AND week_start = %s{mine_only}"""
    return Read(sql, [agency.pk, connection.ops.adapt_datefield_value(week.start), *their_ids],
                _commitments)


def _commitments(rows: list[tuple]) -> list[dict]:
    return [dict(zip(COMMITMENT_FIELDS, row, strict=True)) for row in rows]


def wins_tally_read(agency: Agency, stages: dict[int, str], start: dt.datetime,
                    end: dt.datetime, producer_ids=None
                    ) -> Read[tuple[dict[int, dict[str, int]], dict[int, dict], dict[int, dict]]]:
    """Per producer: the stages won, by stage; the winning moves, how many followed the
    process (the stage's definition of done confirmed and the next step scheduled; a closed
    prospect needs none) and when the latest was; and the policies bound (wins into a Won
    stage) with their prospects' premium and revenue, a missing premium adding $0
    (production.py). One aggregate over the week's StageWin rows, a row per producer: a
    winning move always wins the stage it moves to (pipeline/wins.py), so counting the wins
    of that stage counts each move once, a skip too. Also how many of the moves have no
    celebration yet: only then are their details read. A prospect is read only for a win
    that bound it, one lookup each, rather than joined to every win.

    A win happens at its move's moment (pipeline/services.py), so the move lies in the same
    bounds: said too, the database reaches the week's moves through their (agency,
    occurred_at) index instead of scanning every move ever made."""
    win, advance = StageWin._meta.db_table, StageAdvance._meta.db_table
    celebration, prospect = Celebration._meta.db_table, Prospect._meta.db_table
    # The stages' kinds as lists of ids rather than two joins on the stage table: a thousand
    # wins a week each looked up their two stages (3 of the query's 10 ms).
    open_ids = [pk for pk, kind in stages.items() if kind == Stage.Kind.OPEN]
    won_ids = [pk for pk, kind in stages.items() if kind == Stage.Kind.WON]
    move = "w.stage_id = a.to_stage_id"
    opened, opened_ids = among("a.to_stage_id", open_ids)
    bound, bound_ids = among("w.stage_id", won_ids)
    mine_only, their_ids = only("w.producer_id", producer_ids)
    per_stage = "".join(", SUM(CASE WHEN w.stage_id = %s THEN 1 ELSE 0 END)" for _ in stages)
    sql = f"""
        SELECT w.producer_id,
               SUM(CASE WHEN {move} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {move} AND a.definition_confirmed
                         AND (NOT ({opened}) OR (a.next_step <> ''
                                                 AND a.next_step_due IS NOT NULL))
                        THEN 1 ELSE 0 END),
               SUM(CASE WHEN {move} AND NOT EXISTS (
                            SELECT 1 FROM {celebration} c
                            WHERE c.stage_advance_id = w.advance_id)
                        THEN 1 ELSE 0 END),
               CAST(MAX(w.occurred_at) AS TEXT),
               SUM(CASE WHEN {bound} THEN 1 ELSE 0 END),
               SUM(CASE WHEN {bound} THEN (SELECT COALESCE(p.premium, 0) FROM {prospect} p
                                           WHERE p.id = w.prospect_id) END),
               SUM(CASE WHEN {bound} THEN (SELECT p.estimated_revenue FROM {prospect} p
                                           WHERE p.id = w.prospect_id) END){per_stage}
        FROM {win} w
        JOIN {advance} a ON a.id = w.advance_id
        WHERE w.agency_id = %s AND w.occurred_at >= %s AND w.occurred_at < %s
          AND a.agency_id = %s AND a.occurred_at >= %s AND a.occurred_at < %s{mine_only}
        GROUP BY w.producer_id"""
    week = moments(start, end)
    return Read(sql, [*opened_ids, *bound_ids, *bound_ids, *bound_ids, *stages, agency.pk,
                      *week, agency.pk, *week, *their_ids],
                functools.partial(_wins_tally, list(stages)))


def _wins_tally(stages: list[int], rows: list[tuple]
                ) -> tuple[dict[int, dict[str, int]], dict[int, dict], dict[int, dict]]:
    rows = converted(rows, {4: moment_of_text,
                            6: as_stored(Prospect, "premium"),
                            7: as_stored(Prospect, "estimated_revenue")})
    wins_by_stage: dict[int, dict[str, int]] = {}
    moves: dict[int, dict] = {}
    bound_by: dict[int, dict] = {}
    for pid, n_moves, adherent, uncelebrated, latest, n_bound, premium, revenue, *by_stage in (
            rows):
        wins_by_stage[pid] = {str(pk): n for pk, n in zip(stages, by_stage, strict=True) if n}
        moves[pid] = {"moves": n_moves, "adherent": adherent, "uncelebrated": uncelebrated,
                      "latest": latest}
        bound_by[pid] = {"n": n_bound, "premium": premium, "revenue": revenue}
    return wins_by_stage, moves, bound_by


def kept_weeks_before(agency: Agency, week: Week,
                      producer_ids: list[int]) -> dict[int, set[dt.date]]:
    """The earlier judged weeks (within the streak's look-back) in which each of these
    producers kept every commitment; no query for nobody. Only the kept weeks come back (of
    13 weeks of cards), read from the (agency, week) index alone."""
    earlier: dict[int, set[dt.date]] = defaultdict(set)
    if not producer_ids:
        return earlier
    day = connection.ops.adapt_datefield_value
    mine_only, their_ids = only("producer_id", producer_ids)
    sql = f"""
        SELECT producer_id, week_start FROM {WeeklyScorecard._meta.db_table}
        WHERE agency_id = %s AND week_start >= %s AND week_start < %s AND is_final
          AND commitments_total > 0 AND commitments_kept = commitments_total{mine_only}"""
    monday = as_stored(WeeklyScorecard, "week_start")
    for pid, start in rows_of(sql, [agency.pk, day(week.start - STREAK_LOOKBACK), day(week.start),
                                    *their_ids]):
        earlier[pid].add(monday(start) if monday else start)
    return earlier


# Each running figure of a card: the stored weekly column it sums, and since when.
EARLIER_SUMS = [("bound_mtd", "bound", "month"), ("premium_mtd", "premium_bound", "month"),
                ("revenue_mtd", "revenue_bound", "month"), ("bound_ytd", "bound", "year"),
                ("premium_ytd", "premium_bound", "year"), ("revenue_ytd", "revenue_bound", "year"),
                ("bound_13w", "bound", "13w"), ("quoted_13w", "quoted", "13w")]


def earlier_production_read(agency: Agency, week: Week,
                            producer_ids=None) -> Read[dict[int, dict]]:
    """Per producer, the production of the stored weeks before this one that count towards
    its month, year and 13 weeks (production.py): one grouped query over the cards, never
    the ledgers, so a year to date costs the same in December as in January. Only the weeks
    that produced something are read, with the condition of their own index
    (`scorecard_agency_produced`, PRODUCED), from that index alone: the others add zero."""
    since = {"month": month_start(week.start), "year": year_start(week.start),
             "13w": close_rate_start(week.start)}
    produced, produced_params = _produced_sql(connection.vendor)
    sums = ", ".join(f"SUM(CASE WHEN week_start >= %s THEN {column} ELSE 0 END)"
                     for _, column, _ in EARLIER_SUMS)
    card = WeeklyScorecard._meta.db_table
    mine_only, their_ids = only("producer_id", producer_ids)
    sql = f"""
        SELECT producer_id, {sums} FROM {card}
        WHERE agency_id = %s AND week_start >= %s AND week_start < %s AND {produced}{mine_only}
        GROUP BY producer_id"""
    day = connection.ops.adapt_datefield_value
    return Read(sql, [*(day(since[period]) for _, _, period in EARLIER_SUMS), agency.pk,
                      day(min(since["year"], since["13w"])), day(week.start),
                      *produced_params, *their_ids], _earlier_production)


def _earlier_production(rows: list[tuple]) -> dict[int, dict]:
    rows = converted(rows, {1 + i: as_stored(WeeklyScorecard, column)
                            for i, (_, column, _) in enumerate(EARLIER_SUMS)})
    names = [name for name, _, _ in EARLIER_SUMS]
    return {pid: dict(zip(names, values, strict=True)) for pid, *values in rows}


@functools.cache
def _produced_sql(vendor: str) -> tuple[str, tuple]:
    """PRODUCED as SQL over the cards' table, compiled once a process: the index's condition
    word for word, as PostgreSQL needs it to read the index."""
    query = WeeklyScorecard.objects.filter(PRODUCED).query
    return query.where.as_sql(query.get_compiler(connection=connection), connection)


def funnel_week_read(agency: Agency, week: Week) -> Read[dict | None]:
    """The agency's funnel week as it is stored (None: not yet), which the job rewrites only
    when its sum of the cards differs."""
    columns = ", ".join(FUNNEL_FIELDS)
    return Read(f"SELECT {columns} FROM {AgencyFunnelWeek._meta.db_table} "
                "WHERE agency_id = %s AND week_start = %s",
                [agency.pk, connection.ops.adapt_datefield_value(week.start)], _funnel_week)


def _funnel_week(rows: list[tuple]) -> dict | None:
    if not rows:
        return None
    (row,) = json_decoded([list(rows[0])], list(range(len(FUNNEL_FIELDS))))
    return dict(zip(FUNNEL_FIELDS, row, strict=True))


def celebrated_read(agency: Agency, week: Week, producer_ids=None) -> Read[dict[str, tuple]]:
    """The week's celebrations other than wins (of `producer_ids` when given), by source key:
    (id, title, detail), for the job to make only the new ones and reword the changed. A
    win's is made once, by its move, and never read again."""
    mine_only, their_ids = only("producer_id", producer_ids)
    return Read(f"""
        SELECT source_key, id, title, detail FROM {Celebration._meta.db_table}
        WHERE agency_id = %s AND week_start = %s AND kind <> %s{mine_only}""",
        [agency.pk, connection.ops.adapt_datefield_value(week.start),
         Celebration.Kind.ADVANCE.value, *their_ids],
        lambda rows: {key: tuple(known) for key, *known in rows})
