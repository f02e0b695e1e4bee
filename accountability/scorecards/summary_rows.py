"""The whole-agency board's sums, read as plain SQL (`summary_sums`): its people per team, the
cards summed per team and week, the board's week counted by numbers for the medians, and last
week's most stage wins — the grouped rows `summary.summary_fill` reads, in the shape the ORM
gave them.

Plain SQL for the reason board_rows.py gives: compiled by the ORM, these four grouped
queries cost more (4 ms) than the database took to answer them. And the 13 weeks are summed
in two parts: the board's week and the one before in full (their numbers, coverage and
counts), the eleven before only their wins, all the trend line draws of them — the numeric
sums over 6,500 cards of an agency of 500 were half of the time of the read.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import connection

from salesculture.models import Agency, Producer
from salesculture.raw import as_stored, converted, rows_of
from salesculture.selectors import person_name

from ..models import WeeklyScorecard
from .board_rows import LEADS

# The full sums of a team's week, by the names summary_fill reads; the older weeks bring wins.
_SUMS = ("cards", "wins", "activities", "kept", "kept_of", "open_count", "open_value",
         "covered_value", "goals", "final", "judged", "kept_all")
_SUMS_SQL = """COUNT(c.week_start), SUM(c.wins), SUM(c.activities_total),
    SUM(c.commitments_kept), SUM(c.commitments_total), SUM(c.pipeline_open_count),
    SUM(c.pipeline_open_value), SUM(CASE WHEN p.annual_goal > 0 THEN c.pipeline_open_value END),
    SUM(CASE WHEN p.annual_goal > 0 THEN p.annual_goal END),
    SUM(CASE WHEN c.is_final THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.commitments_total > 0 THEN 1 ELSE 0 END),
    SUM(CASE WHEN c.commitments_total > 0 AND c.commitments_kept >= c.commitments_total
             THEN 1 ELSE 0 END)"""
_WINS_ONLY_SQL = ", ".join("SUM(c.wins)" if name == "wins" else "NULL" for name in _SUMS)


def _tables() -> dict[str, str]:
    return {"card": WeeklyScorecard._meta.db_table, "producer": Producer._meta.db_table,
            "user": get_user_model()._meta.db_table}


def _selling(agency: Agency) -> tuple[str, list]:
    """Whose cards count: the agency's active people who sell (`selling_producers`)."""
    return "p.agency_id = %s AND p.is_active AND p.role <> %s", [
        agency.pk, Producer.Role.NON_PRODUCER.value]


def summary_sums(agency: Agency, *, weeks: list[dt.date], last_ended: dt.datetime,
                 most_wins_of: dt.date | None, most_wins_shown: int
                 ) -> tuple[list[dict], list[dict], list[dict], list[tuple[str, int]]]:
    """(people, per_week, spread, most_wins) for summary_fill over `weeks` (oldest first,
    the board's last); `most_wins_of`: the week whose most stage wins are listed, if any."""
    t, ops = _tables(), connection.ops
    selling, selling_params = _selling(agency)
    leads = [role.value for role in LEADS]
    people = [{"team_id": team_id, "n": n, "leads": lead_count, "joined": joined}
              for team_id, n, lead_count, joined in rows_of(f"""
        SELECT p.team_id, COUNT(*), SUM(CASE WHEN p.role IN (%s, %s) THEN 1 ELSE 0 END),
               SUM(CASE WHEN p.created_at < %s THEN 1 ELSE 0 END)
        FROM {t['producer']} p WHERE {selling} GROUP BY p.team_id""",
        [*leads, ops.adapt_datetimefield_value(last_ended), *selling_params])]
    week = ops.adapt_datefield_value(weeks[-1])
    recent = ops.adapt_datefield_value(weeks[-2] if len(weeks) > 1 else weeks[-1])
    cards = f"FROM {t['card']} c JOIN {t['producer']} p ON p.id = c.producer_id"
    sums = rows_of(f"""
        SELECT p.team_id, c.week_start, {_SUMS_SQL} {cards}
        WHERE c.agency_id = %s AND c.week_start >= %s AND c.week_start <= %s AND {selling}
        GROUP BY p.team_id, c.week_start
        UNION ALL
        SELECT p.team_id, c.week_start, {_WINS_ONLY_SQL} {cards}
        WHERE c.agency_id = %s AND c.week_start >= %s AND c.week_start < %s AND {selling}
        GROUP BY p.team_id, c.week_start""",
        [agency.pk, recent, week, *selling_params,
         agency.pk, ops.adapt_datefield_value(weeks[0]), recent, *selling_params])
    money = as_stored(WeeklyScorecard, "pipeline_open_value")
    goal = as_stored(Producer, "annual_goal")
    day = as_stored(WeeklyScorecard, "week_start")
    per_week = [{"producer__team_id": row[0], "week_start": row[1],
                 **dict(zip(_SUMS, row[2:], strict=True))}
                for row in converted(sums, {1: day, 8: money, 9: money, 10: goal})]
    spread = [{"lead": bool(lead), "wins": wins, "commitments_kept": kept,
               "commitments_total": total, "n": n}
              for lead, wins, kept, total, n in rows_of(f"""
        SELECT CASE WHEN p.role IN (%s, %s) THEN 1 ELSE 0 END, c.wins, c.commitments_kept,
               c.commitments_total, COUNT(c.week_start) {cards}
        WHERE c.agency_id = %s AND c.week_start = %s AND {selling}
        GROUP BY 1, c.wins, c.commitments_kept, c.commitments_total""",
        [*leads, agency.pk, week, *selling_params])]
    most_wins = []
    if most_wins_of is not None:
        # Names and wins only, so the cards are read from their covering index.
        most_wins = [(person_name(first, last, username), wins)
                     for first, last, username, wins in rows_of(f"""
            SELECT u.first_name, u.last_name, u.username, c.wins {cards}
            JOIN {t['user']} u ON u.id = p.user_id
            WHERE c.agency_id = %s AND c.week_start = %s AND c.wins > 0 AND {selling}
            ORDER BY c.wins DESC, u.first_name, u.last_name, c.producer_id LIMIT %s""",
            [agency.pk, ops.adapt_datefield_value(most_wins_of), *selling_params,
             most_wins_shown])]
    return people, per_week, spread, most_wins
