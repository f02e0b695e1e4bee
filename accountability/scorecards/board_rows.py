"""The team board's people, read as bare rows: each selling producer with their cards of the
board's week and the one before, and this year's plan, in one query (`board_people`).

A leader's board is 50 people, 100 cards of 33 columns and 50 plans. Read as model instances
(the people with their user and team, the cards and plans prefetched) they cost three queries
and more Python than the database took to answer; the board reads only a few attributes of
each (presenters.py, boards.py, `_board.html`), which these rows carry by the same names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db import connection

from salesculture.models import Agency, Producer, Team
from salesculture.raw import as_stored, converted, json_decoded, rows_of
from salesculture.selectors import person_name

from ..models import GoalPlan, WeeklyScorecard
from .stored_cards import CARD_JSON_FIELDS

# What the board reads of a card (presenters: the row's numbers, cells and production, last
# week's summary).
BOARD_CARD_FIELDS = (
    "producer_id", "week_start", "is_final", "wins", "activities_total", "commitments_kept",
    "commitments_total", "pipeline_open_count", "pipeline_open_value", "commitment_actuals",
    "activity_counts", "wins_by_stage", "bound", "premium_bound", "revenue_bound", "bound_mtd",
    "premium_mtd", "bound_ytd", "premium_ytd", "revenue_ytd", "bound_13w", "quoted_13w",
    "pace", "close_rate")
BoardCard = NamedTuple("BoardCard", [(name, object) for name in BOARD_CARD_FIELDS])

LABELS = dict(GoalPlan.Label.choices)
ROLES = dict(Producer.Role.choices)
LEADS = (Producer.Role.LEADER, Producer.Role.OWNER)


class BoardPlan(NamedTuple):
    """What the board shows of a producer's plan: its label (`_plan_label.html`)."""

    label: str
    label_reason: str

    def get_label_display(self) -> str:
        return LABELS.get(self.label, self.label)  # as a model's get_FOO_display


@dataclass(eq=False)
class BoardPerson:
    """What the board shows of a producer (`presenters.Row.producer`), with their
    `recent_cards` (the board's week and the one before), `trend_cards` (the weeks before
    those, wins only: selectors.py) and `year_plans` (this year's plan, or none)."""

    pk: int
    name: str
    role: str
    team_id: int | None
    created_at: dt.datetime
    recent_cards: list[BoardCard] = field(default_factory=list)
    trend_cards: list = field(default_factory=list)
    year_plans: list[BoardPlan] = field(default_factory=list)

    @property
    def is_leader(self) -> bool:
        return self.role in LEADS

    def get_role_display(self) -> str:
        return ROLES.get(self.role, self.role)


def board_people(agency: Agency, *, team: Team | None, no_team: bool, whole: list[dt.date],
                 year: int) -> list[BoardPerson]:
    """The selling producers of `team` (None: everyone; with `no_team`, the people on no
    team), leaders first then by name, as `selling_producers` orders them, each with their
    cards of the `whole` weeks (one or two: the board's week last) and this year's plan. One
    query, each card and plan found through its (producer, ...) unique index.

    Plain SQL, like people.py: its 60 columns cost the ORM more to compile (1.8 ms) than the
    database takes to answer."""
    weeks = list(dict.fromkeys(whole))
    producer, user = Producer._meta.db_table, get_user_model()._meta.db_table
    card, plan = WeeklyScorecard._meta.db_table, GoalPlan._meta.db_table
    columns = [WeeklyScorecard._meta.get_field(f).column for f in BOARD_CARD_FIELDS]
    person = ", ".join(_PERSON_COLUMNS)
    cards = ", ".join(f"c{n}.{column}" for n in range(len(weeks)) for column in columns)
    joins = "".join(f" LEFT JOIN {card} c{n} ON c{n}.producer_id = p.id AND c{n}.agency_id = %s"
                    f" AND c{n}.week_start = %s" for n in range(len(weeks)))
    ops = connection.ops
    params = [agency.pk, year]
    for week in weeks:
        params += [agency.pk, ops.adapt_datefield_value(week)]
    params += [agency.pk, Producer.Role.NON_PRODUCER.value]
    if team is not None:
        which = " AND p.team_id = %s"
        params.append(team.pk)
    else:
        which = " AND p.team_id IS NULL" if no_team else ""
    params += [Producer.Role.OWNER.value, Producer.Role.LEADER.value]
    sql = f"""
        SELECT {person}, {cards}
        FROM {producer} p JOIN {user} u ON u.id = p.user_id
        LEFT JOIN {plan} g ON g.producer_id = p.id AND g.agency_id = %s AND g.year = %s{joins}
        WHERE p.agency_id = %s AND p.is_active AND p.role <> %s{which}
        ORDER BY CASE p.role WHEN %s THEN 0 WHEN %s THEN 1 ELSE 2 END, u.first_name,
                 u.last_name, p.id"""
    return _people(_rows(sql, params, len(weeks)), len(weeks))


# The person's columns, ahead of the cards'.
_PERSON_COLUMNS = ("p.id", "u.first_name", "u.last_name", "u.username", "p.role", "p.team_id",
                   "p.created_at", "g.label", "g.label_reason")
_PERSON_WIDTH = len(_PERSON_COLUMNS)
_JOINED_AT = _PERSON_COLUMNS.index("p.created_at")
_CARD_CONVERTERS = {i: as_stored(WeeklyScorecard, f) for i, f in enumerate(BOARD_CARD_FIELDS)
                    if f not in CARD_JSON_FIELDS}
_CARD_JSON = [i for i, f in enumerate(BOARD_CARD_FIELDS) if f in CARD_JSON_FIELDS]


def _rows(sql: str, params: list, n_cards: int) -> list[list]:
    """The rows with each column as the ORM would have returned it (on SQLite a timestamp,
    a decimal or a boolean comes back as text, a float or a number; JSON as text on both)."""
    width = len(BOARD_CARD_FIELDS)
    starts = [_PERSON_WIDTH + n * width for n in range(n_cards)]
    rows = converted([list(row) for row in rows_of(sql, params)], {
        _JOINED_AT: as_stored(Producer, "created_at"),
        **{at + i: convert for at in starts for i, convert in _CARD_CONVERTERS.items()}})
    return json_decoded(rows, [at + i for at in starts for i in _CARD_JSON])


def _people(rows: list[list], n_cards: int) -> list[BoardPerson]:
    width, people = len(BOARD_CARD_FIELDS), []
    for row in rows:
        pk, first, last, username, role, team_id, joined, label, reason = row[:_PERSON_WIDTH]
        person = BoardPerson(pk, person_name(first, last, username), role, team_id, joined)
        if label is not None:
            person.year_plans.append(BoardPlan(label, reason))
        for at in range(_PERSON_WIDTH, _PERSON_WIDTH + n_cards * width, width):
            if row[at] is not None:  # the card's producer: none when there is no card
                person.recent_cards.append(BoardCard._make(row[at:at + width]))
        people.append(person)
    return people
