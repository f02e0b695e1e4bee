"""The small reads a producer's My week makes of the pipeline's ledgers and prospects, as plain
SQL (`salesculture.raw.Read`), so that the page sends them together in one round trip
(`reads_run`) and builds no ORM query: each took 0.3–0.8 ms of Python to build and compile
and as much again to turn its rows into models, where PostgreSQL answered in 0.1–0.4 ms.

Each read returns what its ORM twin in `selectors` returned (models, with the related rows
that one's `select_related` would have joined), and each twin runs its read. The SQL runs as
is on PostgreSQL and SQLite.
"""

import datetime as dt

from django.utils import timezone

from salesculture.models import Agency, Producer
from salesculture.raw import Columns, Read, day, moments, related

from .models import Activity, ActivityType, Prospect, Stage, StageAdvance, StageWin
from .xdates import WINDOW_DAYS as XDATE_WINDOW_DAYS
from .xdates import xdate_days_away, xdate_needs_follow_up

# What a prospect listed for its producer to act on shows (My week's next steps and X-date
# chips, the morning list and its email) and `decorate_prospect` reads: the other columns
# (notes, amounts, timestamps) cost half the read for rows that never show them.
LISTED_FIELDS = ("agency_id", "owner_id", "name", "phone", "line_of_business", "current_carrier",
                 "current_premium", "x_date", "stage", "stage_entered_at", "next_step",
                 "next_step_due")

LISTED = Columns(Prospect, "p", LISTED_FIELDS)
STAGE = Columns(Stage, "s")
ACTIVITY = Columns(Activity, "a")
ACTIVITY_TYPE = Columns(ActivityType, "t")
MOVE = Columns(StageAdvance, "a")
# A win's line names its prospect, and links it unless it was deleted.
WON_PROSPECT = Columns(Prospect, "p", ("name", "deleted_at"))


def activity_counts_read(producer: Producer, start: dt.datetime,
                         end: dt.datetime) -> Read[dict[int, int]]:
    """{activity type id: quantity} of the producer in [start, end)."""
    sql = f"""
        SELECT activity_type_id, SUM(quantity) FROM {Activity._meta.db_table}
        WHERE producer_id = %s AND occurred_at >= %s AND occurred_at < %s
        GROUP BY activity_type_id"""
    return Read(sql, [producer.pk, *moments(start, end)], dict)


def stage_wins_read(producer: Producer, start: dt.datetime,
                    end: dt.datetime) -> Read[dict[str, int]]:
    """{stage id (as the scorecards key it): stages won} of the producer in [start, end)."""
    sql = f"""
        SELECT stage_id, COUNT(*) FROM {StageWin._meta.db_table}
        WHERE producer_id = %s AND occurred_at >= %s AND occurred_at < %s GROUP BY stage_id"""
    return Read(sql, [producer.pk, *moments(start, end)],
                lambda rows: {str(stage_id): n for stage_id, n in rows})


def win_moves_read(producer: Producer, start: dt.datetime,
                   end: dt.datetime) -> Read[list[StageAdvance]]:
    """The producer's moves that won stages in [start, end), newest first, each with its
    prospect (deleted ones too: the win happened) and the stage it went to."""
    sql = f"""
        SELECT {MOVE.sql}, {WON_PROSPECT.sql}, {STAGE.sql}
        FROM {StageAdvance._meta.db_table} a
        JOIN {Prospect._meta.db_table} p ON p.id = a.prospect_id
        JOIN {Stage._meta.db_table} s ON s.id = a.to_stage_id
        WHERE a.producer_id = %s AND a.is_win AND a.occurred_at >= %s AND a.occurred_at < %s
        ORDER BY a.occurred_at DESC, a.id DESC"""

    def moves(rows):
        after_move, after_prospect = MOVE.width, MOVE.width + WON_PROSPECT.width
        return [related(related(MOVE.instance(row), "prospect",
                                WON_PROSPECT.instance(row, after_move)),
                        "to_stage", STAGE.instance(row, after_prospect)) for row in rows]

    return Read(sql, [producer.pk, *moments(start, end)], moves)


def active_activity_types_read(agency: Agency) -> Read[list[ActivityType]]:
    sql = f"""
        SELECT {ACTIVITY_TYPE.sql} FROM {ActivityType._meta.db_table} t
        WHERE t.agency_id = %s AND t.is_active ORDER BY t.position, t.name"""
    return Read(sql, [agency.pk], lambda rows: [ACTIVITY_TYPE.instance(row) for row in rows])


def last_activity_read(producer: Producer, *, since: dt.datetime) -> Read[Activity | None]:
    """The producer's latest activity logged since `since`, with its type."""
    sql = f"""
        SELECT {ACTIVITY.sql}, {ACTIVITY_TYPE.sql} FROM {Activity._meta.db_table} a
        JOIN {ActivityType._meta.db_table} t ON t.id = a.activity_type_id
        WHERE a.producer_id = %s AND a.created_at >= %s
        ORDER BY a.created_at DESC, a.id DESC LIMIT 1"""
    return Read(sql, [producer.pk, moments(since, since)[0]],
                lambda rows: next((related(ACTIVITY.instance(row), "activity_type",
                                           ACTIVITY_TYPE.instance(row, ACTIVITY.width))
                                   for row in rows), None))


def decorate_prospect(prospect: Prospect, *, now: dt.datetime, today: dt.date) -> Prospect:
    """Adds `days_in_stage`, `is_stale`, `due_state` (overdue/today/later/none), and
    `xdate_follow_up` (its X-date window is open and nobody has acted: pipeline/xdates.py)
    with `x_days`, the days left to the X-date."""
    prospect.days_in_stage = max((now - prospect.stage_entered_at).days, 0)
    prospect.is_stale = prospect.days_in_stage > prospect.stage.stale_after_days
    prospect.due_state = due_state(prospect, today)
    prospect.xdate_follow_up = xdate_needs_follow_up(prospect, today)
    prospect.x_days = xdate_days_away(prospect.x_date, today) if prospect.x_date else None
    return prospect


def due_state(prospect: Prospect, today: dt.date) -> str:
    if not prospect.next_step_due:
        return "none"
    if prospect.next_step_due < today:
        return "overdue"
    if prospect.next_step_due == today:
        return "today"
    return "later"


def _listed(rows) -> list[Prospect]:
    """Prospects of LISTED columns, each with its stage (the STAGE columns after them)."""
    return [related(LISTED.instance(row), "stage", STAGE.instance(row, LISTED.width))
            for row in rows]


# How many of a producer's open prospects are overdue, due today and without a next step,
# and all of them, with the date as its parameter, once for each of the three.
SUMMARY_NAMES = ("overdue", "today", "unscheduled", "open")
_SUMMARY = ("SUM(CASE WHEN p.next_step_due < %s THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN p.next_step_due = %s THEN 1 ELSE 0 END)",
            "SUM(CASE WHEN p.next_step_due IS NULL THEN 1 ELSE 0 END)", "COUNT(*)")
_OPEN_OF = f"""
    FROM {Prospect._meta.db_table} p JOIN {Stage._meta.db_table} s ON s.id = p.stage_id
    WHERE p.agency_id = %s AND p.owner_id = %s AND p.deleted_at IS NULL AND s.kind = 'open'"""


def next_steps_read(producer: Producer, *, today: dt.date, limit: int, only_today: bool = False,
                    summary: bool = False) -> Read[tuple[list[Prospect], dict[str, int] | None]]:
    """The producer's open prospects, most urgent first: due today, overdue, with no next step,
    later; at most `limit` (only today's with `only_today`). With `summary`, the counts of
    all of them, capped or not, ride on each row (a window aggregate), with no read of their
    own."""
    # The window counts only the rows the WHERE keeps: today's alone would be wrong counts.
    if only_today and summary:
        raise ValueError("The summary counts every open prospect; read it apart.")
    date = day(today)
    counts = ", ".join(f"{each} OVER ()" for each in _SUMMARY) if summary else "NULL"
    sql = f"""
        SELECT {LISTED.sql}, {STAGE.sql}, {counts} {_OPEN_OF}
        {"AND p.next_step_due = %s" if only_today else ""}
        ORDER BY CASE WHEN p.next_step_due = %s THEN 0 WHEN p.next_step_due < %s THEN 1
                      WHEN p.next_step_due IS NULL THEN 2 ELSE 3 END,
                 p.next_step_due, p.name, p.id
        LIMIT %s"""
    params = [*([date, date] if summary else []), producer.agency_id, producer.pk,
              *([date] if only_today else []), date, date, limit]

    def steps(rows):
        now = timezone.now()
        listed = [decorate_prospect(p, now=now, today=today) for p in _listed(rows)]
        if not summary:
            return listed, None
        # No row: no open prospect, so every count is nought.
        first = rows[0][LISTED.width + STAGE.width:] if rows else (0,) * len(SUMMARY_NAMES)
        return listed, dict(zip(SUMMARY_NAMES, map(int, first), strict=True))

    return Read(sql, params, steps)


def next_steps_summary_read(producer: Producer, *, today: dt.date) -> Read[dict[str, int]]:
    """The counts of `next_steps_read`'s summary, alone."""
    date = day(today)
    sql = f"SELECT {', '.join(_SUMMARY)} {_OPEN_OF}"
    return Read(sql, [date, date, producer.agency_id, producer.pk],
                lambda rows: dict(zip(SUMMARY_NAMES, (int(n or 0) for n in rows[0]),
                                      strict=True)))


def xdates_near_read(producer: Producer, *, today: dt.date) -> Read[list[Prospect]]:
    """The producer's prospects, the bound ones aside, whose X-date window is open today (the
    X-date from today to XDATE_WINDOW_DAYS ahead), in the X-date lists' order (X-date, name)."""
    sql = f"""
        SELECT {LISTED.sql}, {STAGE.sql}
        FROM {Prospect._meta.db_table} p JOIN {Stage._meta.db_table} s ON s.id = p.stage_id
        WHERE p.agency_id = %s AND p.owner_id = %s AND p.deleted_at IS NULL
          AND p.x_date >= %s AND p.x_date <= %s AND s.kind <> 'won'
        ORDER BY p.x_date, p.name, p.id"""
    return Read(sql, [producer.agency_id, producer.pk, day(today),
                      day(today + dt.timedelta(days=XDATE_WINDOW_DAYS))], _listed)
