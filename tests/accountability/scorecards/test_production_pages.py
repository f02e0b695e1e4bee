"""The production numbers of the built week (test_production.py, counted by hand there) read
the same on every page that shows a scorecard: my week, the team scorecard, the drill-down,
the meeting turn (TV and phone) and the digest email; the board sorts by each; and the pages
read them from the stored cards, never the ledgers."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.services import meeting_start
from accountability.models import Meeting, MeetingTurn, WeeklyScorecard
from accountability.scorecards.digest import digest_message, weekly_digests
from accountability.scorecards.production import SORT_KEYS
from tests.accountability.scorecards.test_production import (
    BUILT,
    EXPECTED,
    _move,
    _prospect,
    at,
    build_history,
)
from tests.conftest import login
from tests.factories import ProducerFactory
from tests.pages import my_week_seen
from tests.queries import queries_of

FIGURE = re.compile(r'data-figure="(\w+)">(?:<b[^>]*>)?([^<]*)<')


def figures(html: str) -> dict[str, str]:
    return {key: value.strip() for key, value in FIGURE.findall(html)}


def row_of(html: str, producer) -> str:
    start = html.index(f'data-producer="{producer.pk}"')
    return html[start:html.index("</tr>", start)]


@pytest.fixture
def built(producer, leader):
    leader.created_at = producer.created_at = at(producer.agency, dt.date(2025, 12, 22))
    leader.save(update_fields=["created_at"])
    return build_history(producer)


def test_every_page_shows_the_hand_counted_numbers(built, client, producer, leader,
                                                   monkeypatch):
    week = {"week": built.isoformat()}
    login(client, leader)
    board = client.get(reverse("accountability:team"), week).content.decode()
    assert figures(row_of(board, producer)) == EXPECTED
    drill = client.get(reverse("accountability:drilldown", args=[producer.pk]), week)
    assert figures(drill.content.decode()) == EXPECTED

    meeting = meeting_start(team=producer.team, week_start=built, actor=leader)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    Meeting.objects.filter(pk=meeting.pk).update(section=Meeting.Section.TURNS,
                                                 turn_index=turn.position)
    screen = client.get(reverse("accountability:meeting", args=[meeting.pk])).content.decode()
    assert figures(screen) == EXPECTED

    digest = next(d for d in weekly_digests(agency=producer.agency, week_start=built)
                  if d.producer == producer)
    message = digest_message(digest)
    assert figures(message.alternatives[0][0]) == EXPECTED
    assert "Bound this week: 1 · $5,000" in message.body
    assert "Year to date: 3 · $7,400" in message.body
    assert "Pace to goal: 52% of pace" in message.body
    assert "Close rate, 13 weeks: 75% (3 of 4)" in message.body

    login(client, producer)
    phone = client.get(reverse("accountability:meeting_my_turn")).content.decode()
    assert figures(phone) == EXPECTED
    # My week is always this week: seen on a Thursday of the built week.
    thursday = at(producer.agency, built, 3, 12)
    monkeypatch.setattr(timezone, "now", lambda: thursday)
    mine = my_week_seen(client).content.decode()
    assert figures(mine) == EXPECTED


def _second_producer(producer):
    """Pat's teammate Quinn, who bound one bigger policy in the built week."""
    quinn = ProducerFactory(agency=producer.agency, team=producer.team, annual_goal=50_000,
                            user__first_name="Quinn", created_at=producer.created_at)
    big = _prospect(quinn, "Grove", BUILT, premium=20_000, revenue=2_000)
    _move(big, "Proposal presented", BUILT, 1)
    _move(big, "Bound", BUILT, 2)
    from accountability.scorecards.refresh import scorecards_refresh

    scorecards_refresh(agency=producer.agency, week_start=BUILT)
    return quinn


@pytest.mark.parametrize("key", SORT_KEYS)
def test_the_board_sorts_by_each_production_number(built, client, producer, leader, key):
    quinn = _second_producer(producer)
    cards = {c.producer_id: c for c in WeeklyScorecard.objects.filter(week_start=BUILT)}
    # Quinn: 1 bound, $20,000 this week and this year, pace 2000/50000 ÷ 13/48 = 14.8%,
    # close 1 of 1. Pat: 3 bound this year, $7,400, pace 51.7%, close 3 of 4.
    assert cards[quinn.pk].premium_ytd == 20_000 and cards[quinn.pk].close_rate == 100
    login(client, leader)
    order = {}
    for direction in ("asc", "desc"):
        html = client.get(reverse("accountability:team"), {
            "week": BUILT.isoformat(), "team": producer.team_id, "sort": key,
            "dir": direction}).content.decode()
        order[direction] = [int(pk) for pk in re.findall(r'<tr data-producer="(\d+)"', html)]
    bigger_is_quinn = {"bound": None, "premium": True, "bound_mtd": None, "premium_mtd": True,
                       "bound_ytd": False, "premium_ytd": True, "pace": False, "close": True}
    expected = bigger_is_quinn[key]
    if expected is None:  # 1 each: a tie keeps the board's order, either way
        assert order["asc"] == order["desc"]
    else:
        first = quinn.pk if expected else producer.pk
        assert order["desc"][0] == first and order["asc"][-1] == first


def test_a_producer_cannot_sort_colleagues_by_premium(built, client, producer):
    login(client, producer)
    html = client.get(reverse("accountability:team"), {
        "week": BUILT.isoformat(), "sort": "premium", "dir": "desc"}).content.decode()
    assert 'data-figure="premium"' not in html and "Premium YTD" not in html


def test_the_pages_read_production_from_the_cards_not_the_ledgers(built, client, producer,
                                                                  leader):
    """The wins feeds beside the numbers name the moves (a join to the ledger they always
    had); the production numbers themselves come from the cards: no stage win row and no
    prospect's premium is read, nothing is summed per view."""
    login(client, leader)
    week = {"week": BUILT.isoformat(), "team": producer.team_id}
    for url in (reverse("accountability:team"),
                reverse("accountability:drilldown", args=[producer.pk])):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, week).status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert not re.search(r'SUM\([^)]*\."premium"', sql) and "premium_bound" in sql, url
        assert '"pipeline_stagewin"' not in sql, url


def test_the_board_costs_the_same_with_more_producers(built, client, producer, leader):
    login(client, leader)
    url, params = reverse("accountability:team"), {"week": BUILT.isoformat(),
                                                   "team": producer.team_id, "sort": "pace"}
    small = queries_of(client.get, url, params)
    _second_producer(producer)
    _second_producer(producer)
    from django.core.cache import cache

    cache.clear()
    assert queries_of(client.get, url, params) == small
