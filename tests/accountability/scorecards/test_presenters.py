"""The pure pieces of the scorecards slice: the shared numbers, the board's cells and links,
the wins feed's fold and the celebrations a week earns. No database."""

import datetime as dt
import zoneinfo
from decimal import Decimal
from types import SimpleNamespace

from accountability.models import Celebration, WeeklyScorecard
from accountability.scorecards.celebrations import (
    kept_week_celebrations,
    personal_best_celebrations,
)
from accountability.scorecards.feed import FEED_SHOWN, FeedPage, win_text
from accountability.scorecards.links import board_links
from accountability.scorecards.numbers import CardNumbers
from accountability.scorecards.presenters import (
    MET,
    MISSED,
    NONE,
    OPEN,
    Cell,
    Measure,
    TeamScorecard,
    cell_status,
)
from salesculture.models import Agency
from salesculture.weeks import Week

TZ = zoneinfo.ZoneInfo("America/Chicago")
WEEK = Week(dt.date(2026, 11, 16), TZ)


def card(**fields) -> WeeklyScorecard:
    return WeeklyScorecard(week_start=WEEK.start, **fields)


# --- CardNumbers ----------------------------------------------------------------------------

def test_no_scorecard_reads_as_zeros_with_no_kept_rate():
    numbers = CardNumbers.of(None)
    assert (numbers.wins, numbers.activities, numbers.kept, numbers.kept_of) == (0, 0, 0, 0)
    assert numbers.open_value == Decimal(0)
    assert numbers.kept_pct is None and numbers.kept_all is None and numbers.kept_text == "–"


def test_numbers_of_a_card_and_their_total():
    a = CardNumbers.of(card(wins=3, activities_total=20, commitments_kept=1, commitments_total=3,
                            pipeline_open_count=2, pipeline_open_value=Decimal("1500")))
    b = CardNumbers.of(card(wins=1, activities_total=5, commitments_kept=2, commitments_total=2,
                            pipeline_open_count=1, pipeline_open_value=Decimal("500")))
    assert (a.kept_pct, a.kept_all, a.kept_text) == (33, False, "1/3")
    assert (b.kept_pct, b.kept_all, b.kept_text) == (100, True, "2/2")
    total = CardNumbers.total([a, b, CardNumbers.of(None)])
    assert (total.wins, total.activities, total.kept, total.kept_of) == (4, 25, 3, 5)
    assert (total.open_count, total.open_value, total.kept_pct) == (3, Decimal("2000"), 60)


def test_kept_is_green_when_all_kept_and_red_only_once_a_low_week_is_judged():
    assert CardNumbers(kept=2, kept_of=2).kept_class(judged=False) == "good"
    assert CardNumbers(kept=1, kept_of=3).kept_class(judged=False) == ""
    assert CardNumbers(kept=1, kept_of=3).kept_class(judged=True) == "bad"
    assert CardNumbers(kept=1, kept_of=2).kept_class(judged=True) == ""  # 50% is not below half
    assert CardNumbers().kept_class(judged=True) == ""


# --- the board ------------------------------------------------------------------------------

def test_cell_status_is_open_not_missed_while_the_week_runs():
    assert cell_status(4, 10, 1, ended=False) == OPEN
    assert cell_status(4, 10, 1, ended=True) == MISSED
    assert cell_status(10, 10, 1, ended=False) == MET
    assert cell_status(3, 0, 1) == NONE and cell_status(3, 5, 0) == NONE
    assert Cell(done=4, committed=10, status=OPEN, count=1).title.endswith("so far")
    assert (Cell(status=MET).mark, Cell(status=MISSED).mark, Cell(status=OPEN).mark) == (
        "✓", "✗", "")


def test_sort_links_keep_week_and_team_and_turn_the_order_around():
    board = TeamScorecard(week=WEEK.start, this_week=WEEK.start, prev_week=WEEK.previous.start,
                          next_week=None, team=None, teams=[], sort="wins", desc=True,
                          measures=[Measure(key="a7", label="Call", order=(0,))])
    links = board_links(board, "all")
    assert links.sorts["wins"].href == "?week=2026-11-16&team=all&sort=wins&dir=asc"
    assert links.sorts["wins"].aria == "descending"
    assert links.sorts["name"].href.endswith("sort=name&dir=asc")  # text: A to Z first
    assert links.sorts["open"].href.endswith("sort=open&dir=desc")  # numbers: most first
    assert links.measure_columns[0][1].href.endswith("sort=m%3Aa7&dir=desc")
    assert links.prev == "?week=2026-11-09&team=all&sort=wins&dir=desc"
    assert links.next == ""
    assert links.state_query == "week=2026-11-16&team=all&sort=wins&dir=desc"


# --- the wins feed --------------------------------------------------------------------------

def test_a_long_feed_folds_the_rest_away():
    page = FeedPage.of(list(range(FEED_SHOWN + 3)))
    assert len(page.shown) == FEED_SHOWN and page.rest == [FEED_SHOWN, FEED_SHOWN + 1,
                                                            FEED_SHOWN + 2]
    assert FeedPage.of([]).rest == []


def test_a_producer_reads_the_stage_not_a_colleagues_prospect():
    win = SimpleNamespace(title="Sam moved Acme to Quoted", stage_advance_id=1, producer_id=2,
                          producer=SimpleNamespace(name="Sam"),
                          stage_advance=SimpleNamespace(to_stage=SimpleNamespace(name="Quoted")))
    me, sam = SimpleNamespace(pk=1), SimpleNamespace(pk=2)
    assert win_text(win, hide_prospects=True, viewer=me) == "Sam moved a prospect to Quoted"
    assert win_text(win, hide_prospects=True, viewer=sam) == "Sam moved Acme to Quoted"
    assert win_text(win, hide_prospects=False, viewer=me) == "Sam moved Acme to Quoted"


# --- celebrations ---------------------------------------------------------------------------

PRODUCERS = {7: {"user__first_name": "Pat", "user__last_name": "Producer",
                 "user__username": "pat"}}


def test_a_personal_best_needs_an_earlier_best_beaten_and_two_wins():
    at = WEEK.begins + dt.timedelta(days=1)
    wins = [{"producer_id": 7, "occurred_at": at}]
    agency = Agency(pk=1, name="Summit")

    def best(wins_now: int, before: dict) -> list[Celebration]:
        return personal_best_celebrations(agency, WEEK, [card(producer_id=7, wins=wins_now)],
                                          wins, PRODUCERS, before)

    assert [c.source_key for c in best(3, {7: 2})] == ["best:7:2026-11-16"]
    assert best(1, {}) == [] and best(2, {}) == []  # no earlier week to beat
    assert best(2, {7: 2}) == []  # a tie is no best
    assert best(1, {7: 0}) == []  # a single win is too small


def test_a_kept_week_makes_a_streak_with_two_kept_weeks_before_it():
    kept = card(producer_id=7, commitments_kept=2, commitments_total=2)
    agency = Agency(pk=1, name="Summit")
    two_before = {7: {WEEK.previous.start, WEEK.previous.previous.start}}
    kinds = [c.kind for c in kept_week_celebrations(agency, WEEK, [kept], PRODUCERS, two_before)]
    assert kinds == [Celebration.Kind.KEPT_WEEK, Celebration.Kind.STREAK]
    gap = {7: {WEEK.previous.previous.start}}
    kinds = [c.kind for c in kept_week_celebrations(agency, WEEK, [kept], PRODUCERS, gap)]
    assert kinds == [Celebration.Kind.KEPT_WEEK]
