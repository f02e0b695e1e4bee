"""The weekly scorecards' CSV export: streamed, scoped like every export, a column per
activity type and stage, only the weeks of the chosen period."""

import csv
import datetime as dt
import io

import pytest

from accountability.scorecards.refresh import scorecards_refresh
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ActivityFactory, ProducerFactory, activity_type
from tests.queries import queries_of


def _rows(response):
    assert response.status_code == 200 and response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def cards(agency, producer, leader, owner, other_agency):
    """Scorecards of this week and last week for everyone, and another agency's."""
    outsider = ProducerFactory(agency=agency, team=None, user__first_name="Outa")
    stranger = ProducerFactory(agency=other_agency, user__first_name="Stran")
    week = Week.current(agency)
    for person in (producer, leader, owner, outsider, stranger):
        ActivityFactory(producer=person, quantity=3,
                        activity_type=activity_type(person.agency, "Call"),
                        occurred_at=week.previous.begins + dt.timedelta(hours=30))
    for a in (agency, other_agency):
        for w in (week.previous, week):
            scorecards_refresh(agency=a, week_start=w.start)
    return week


def _period(week):
    sunday = week.previous.start + dt.timedelta(days=6)
    return {"start": week.previous.start.isoformat(), "end": sunday.isoformat()}


@pytest.mark.parametrize(("who", "people"), [
    ("producer", {"Pat Producer"}),
    ("leader", {"Pat Producer", "Lee Leader", "Olive Owner"}),
])
def test_the_scorecards_export_holds_what_the_person_may_see(client, cards, who, people,
                                                             request):
    login(client, request.getfixturevalue(who))

    header, *rows = _rows(client.get("/export/scorecards.csv", _period(cards)))

    assert {row[2] for row in rows} == people
    assert {row[0] for row in rows} == {cards.previous.start.isoformat()}  # only that week
    assert header[5] == "Call"
    assert {row[5] for row in rows} == {"3"} and {row[4] for row in rows} == {"3"}


def test_the_owner_exports_the_whole_agency_and_nothing_else(client, owner, cards):
    login(client, owner)
    _, *rows = _rows(client.get("/export/scorecards.csv", _period(cards)))
    assert len(rows) == 4 and not any("Stran" in row[2] for row in rows)


def test_a_bad_period_is_answered_on_the_export_page(producer_client):
    response = producer_client.get("/export/scorecards.csv", {"start": "x", "end": ""})
    assert response.status_code == 400
    assert "Enter a date like 2025-01-31." in response.content.decode()
    assert "Choose the last day." in response.content.decode()


def test_its_queries_do_not_grow_with_the_cards(client, owner, cards, agency):
    login(client, owner)
    url = "/export/scorecards.csv"
    wide = {"start": cards.previous.start.isoformat(), "end": cards.start.isoformat()}

    def consumed():
        response = client.get(url, wide)
        b"".join(response.streaming_content)
        return response

    few = queries_of(consumed)
    for person in [ProducerFactory(agency=agency) for _ in range(5)]:
        ActivityFactory(producer=person, occurred_at=cards.begins)
    scorecards_refresh(agency=agency, week_start=cards.start)
    assert queries_of(consumed) == few
