"""Reads for the team scorecard, the producer drill-down and the live wins feed.

Everything here is read from the materialised `WeeklyScorecard` and `Celebration` rows (plus
the week's `Commitment` rows for their targets); the raw ledgers are never aggregated on a
page. Each function issues a fixed number of queries, whatever the number of producers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from django.db.models import Prefetch

from pipeline.selectors import stages_for
from salesculture.models import Agency, Producer, Team
from salesculture.selectors import selling_producers, teams_for
from salesculture.weeks import Week, local_now

from ..models import Celebration, Commitment, GoalPlan, WeeklyScorecard
from .board_rows import BoardPerson, board_people
from .drilldown import Drilldown, drilldown_build
from .feed import FEED_SHOWN
from .presenters import MOST_WINS_SHOWN, TeamScorecard, Viewer, board_fill, valid_sort
from .summary import AgencySummary, summary_fill
from .summary_rows import summary_sums

TREND_WEEKS = 13
# Weeks further than this from today show an empty state without touching the database
# (and without date arithmetic that could overflow near year 1 or 9999).
FAR_WEEKS = 52 * 5
FEED_LIMIT = FEED_SHOWN
# A past week's feed lists that week's wins; a leader reviewing it wants more than a glance.
WEEK_FEED_LIMIT = 30
DRILL_WINS = 12


def is_far(week: Week, *, this_week: Week) -> bool:
    return abs((week.start - this_week.start).days) > FAR_WEEKS * 7


# --- who sees what ----------------------------------------------------------------------------

def team_rows(agency: Agency, week_start: dt.date, *, team: Team | None = None) -> list[Producer]:
    """Selling producers, leaders first, each with `.card` (this week's scorecard or None).
    Two queries, whatever the number of producers."""
    producers = selling_producers(agency, team=team).prefetch_related(
        Prefetch("scorecards", queryset=WeeklyScorecard.objects.filter(week_start=week_start),
                 to_attr="week_cards"))
    rows = list(producers)
    for producer in rows:
        producer.card = producer.week_cards[0] if producer.week_cards else None
    return rows


# --- the team scorecard -----------------------------------------------------------------------

def team_scorecard(*, actor: Producer, week: dt.date, team: Team | None = None,
                   sort: str = "", desc: bool = False, no_team: bool = False,
                   personal: bool = True) -> TeamScorecard:
    """The board for one week: one row per selling producer of `team` (None: everyone; with
    `no_team`, the people on no team), leaders first. Not `personal`: as everyone with the
    actor's `Viewer` sees it, the actor's own row unmarked (a board to share).

    Four queries whatever the number of producers: teams, the people with their cards of this
    week and last and this year's plan (`board_rows`), the 11 weeks before as wins, and the
    week's commitments. On this week the board also sums up last week from the same cards.
    """
    agency = actor.agency
    shown, this_week = Week(week, agency.tz), Week.current(agency)
    prev_week, next_week = shown.shift(-1), shown.shift(1)
    board = TeamScorecard(
        week=shown.start, this_week=this_week.start,
        prev_week=prev_week.start if prev_week else None,
        next_week=next_week.start if next_week else None,
        team=team, teams=list(teams_for(agency)), sort=valid_sort(sort), desc=desc)
    if is_far(shown, this_week=this_week):
        board.is_far = True
        return board
    weeks = shown.trailing(TREND_WEEKS)
    # The week's and last week's cards are read whole; the weeks before only draw the trend
    # line, so they come as bare wins: a leader's board is 50 people × 13 weeks of cards.
    whole = [w.start for w in weeks[-2:]]
    producers = board_people(agency, team=team, no_team=no_team, whole=whole,
                             year=local_now(agency).year)
    _attach_trend_wins(agency, producers, weeks[0].start, whole[0])
    commitments = Commitment.objects.filter(
        agency=agency, week_start=shown.start, producer__is_active=True).exclude(
        producer__role=Producer.Role.NON_PRODUCER)
    if team is not None or no_team:
        commitments = commitments.filter(producer__team=team)
    return board_fill(board, actor=actor, producers=producers,
                      commitments=_board_commitments(commitments), weeks=weeks,
                      viewer=Viewer.of(actor, team=team, no_team=no_team), personal=personal)


class _Named(NamedTuple):
    name: str
    position: int


class BoardCommitment(NamedTuple):
    """What the board reads of a commitment (`presenters.board_fill`), read as bare rows: a
    leader's board has some 170 a week, and a model instance with its type and stage for
    each costs three times the query."""

    pk: int
    producer_id: int
    kind: str
    target: int | None
    activity_type_id: int | None
    stage_id: int | None
    activity_type: _Named | None
    stage: _Named | None


def _board_commitments(commitments) -> list[BoardCommitment]:
    return [BoardCommitment(pk, pid, kind, target, type_id, stage_id,
                            _Named(type_name, type_position) if type_id else None,
                            _Named(stage_name, stage_position) if stage_id else None)
            for pk, pid, kind, target, type_id, type_name, type_position, stage_id, stage_name,
            stage_position in commitments.order_by("id").values_list(
                "pk", "producer_id", "kind", "target", "activity_type_id", "activity_type__name",
                "activity_type__position", "stage_id", "stage__name", "stage__position")]


class TrendWeek(NamedTuple):
    week_start: dt.date
    wins: int


def _attach_trend_wins(agency: Agency, people: list[BoardPerson], first: dt.date,
                       before: dt.date) -> None:
    """Each person's `trend_cards`: the wins of the weeks from `first` up to `before`, all
    the trend line draws of them. Read as bare rows: a leader's board is 50 people × 11
    weeks. One query."""
    by_producer: dict[int, list[TrendWeek]] = {p.pk: p.trend_cards for p in people}
    for pid, week_start, wins in (WeeklyScorecard.objects
                                  .filter(agency=agency, producer_id__in=by_producer,
                                          week_start__gte=first, week_start__lt=before)
                                  .values_list("producer_id", "week_start", "wins")
                                  .order_by()):
        by_producer[pid].append(TrendWeek(week_start, wins))


# --- the whole agency, a line per team --------------------------------------------------------

def agency_summary(*, agency: Agency, week: dt.date,
                   teams: list[Team] | None = None) -> AgencySummary:
    """The whole agency's week, a line per team (and one for the people on no team), summed
    by the database: five queries however many producers (the agency's `teams` unless given,
    then summary_rows.py: people per team, card sums per team and week over 13 weeks, this
    week's cards counted by their numbers for the medians, last week's most stage wins)."""
    shown, this_week = Week(week, agency.tz), Week.current(agency)
    prev_week, next_week = shown.shift(-1), shown.shift(1)
    summary = AgencySummary(
        week=shown.start, this_week=this_week.start,
        prev_week=prev_week.start if prev_week else None,
        next_week=next_week.start if next_week else None,
        teams=list(teams_for(agency)) if teams is None else teams)
    if is_far(shown, this_week=this_week):
        summary.is_far = True
        return summary
    weeks = [w.start for w in shown.trailing(TREND_WEEKS)]
    people, per_week, spread, most_wins = summary_sums(
        agency, weeks=weeks, last_ended=shown.shift(-1).ends,
        most_wins_of=weeks[-2] if shown == this_week and len(weeks) > 1 else None,
        most_wins_shown=MOST_WINS_SHOWN)
    return summary_fill(summary, weeks=weeks, people=people, per_week=per_week,
                        spread=spread, most_wins=most_wins)


# --- the wins feed ----------------------------------------------------------------------------

# What a feed shows of a win (`components/wins_feed.html`, `feed.win_text`): a fifth of the
# columns of the four rows it joins (the user's password hash, the move's every field).
FEED_FIELDS = ("id", "kind", "title", "detail", "occurred_at", "producer_id", "stage_advance_id",
               "producer__user_id", "producer__user__first_name", "producer__user__last_name",
               "producer__user__username", "stage_advance__to_stage_id",
               "stage_advance__to_stage__name")


def wins_feed(agency: Agency, *, producer: Producer | None = None, team: Team | None = None,
              week: dt.date | None = None, limit: int = FEED_LIMIT,
              no_team: bool = False) -> list[Celebration]:
    """Newest celebrations (of one week, when given), one query. `stage_advance__to_stage` is
    joined so a feed shown to a producer can name the stage without the colleague's
    prospect."""
    qs = (Celebration.objects.filter(agency=agency)
          .select_related("producer__user", "stage_advance__to_stage").only(*FEED_FIELDS))
    if producer is not None:
        qs = qs.filter(producer=producer)
    if team is not None or no_team:
        qs = qs.filter(producer__team=team)
    if week is not None:
        qs = qs.filter(week_start=week)
    return list(qs.order_by("-occurred_at", "-id")[:limit])


def team_wins_feed(agency: Agency, week: Week, team: Team | None,
                   no_team: bool = False) -> tuple[list[Celebration], dt.date | None]:
    """This week: the newest wins (live). Another week: that week's wins, so what the feed
    shows always belongs to the board beside it. Returns (celebrations, the feed's week or
    None for "newest")."""
    this_week = Week.current(agency)
    if week == this_week:
        return wins_feed(agency, team=team, no_team=no_team), None
    if is_far(week, this_week=this_week):
        return [], week.start
    return wins_feed(agency, team=team, week=week.start, limit=WEEK_FEED_LIMIT,
                     no_team=no_team), week.start


# --- the producer drill-down ------------------------------------------------------------------

def producer_drilldown(*, producer: Producer, week: Week, this_week: Week,
                       also_weeks: Sequence[dt.date] = ()) -> Drilldown | None:
    """13 weeks ending at `week`, newest last. Five queries however long the history; none
    (and None) for a week too far from `this_week` to have any. The cards of `also_weeks`
    are read with the lines' (`Drilldown.cards`), for role fit beside them."""
    if is_far(week, this_week=this_week):
        return None
    agency = producer.agency
    weeks = week.trailing(TREND_WEEKS)
    first, last = weeks[0].start, week.start
    cards = {c.week_start: c for c in WeeklyScorecard.objects.filter(
        producer=producer, week_start__gte=min([first, *also_weeks]),
        week_start__lte=max([last, *also_weeks]))}
    # What a commitment says names its type or stage, never its prospect; a win is told in
    # its own words (no advance, no prospect: the drill-down hides no one's prospects).
    commitments = list(
        Commitment.objects.filter(producer=producer, week_start__gte=first, week_start__lte=last)
        .select_related("activity_type", "stage").order_by("week_start", "id"))
    wins = list(Celebration.objects.filter(producer=producer, occurred_at__gte=weeks[0].begins,
                                           week_start__lte=last)
                .order_by("-occurred_at", "-id")[:DRILL_WINS])
    return drilldown_build(
        producer=producer, weeks=weeks, this_week=this_week, cards=cards,
        commitments=commitments, wins=wins, stages=list(stages_for(agency)),
        plan=GoalPlan.objects.filter(producer=producer, year=local_now(agency).year).first())
