"""The API's numbers: my week, scorecard history, the team scorecard, wins since a time and
next week's commitments, each read only by whom the pages would show them to."""

import datetime as dt

import pytest
from django.utils import timezone

from accountability.models import Commitment, WeeklyScorecard
from salesculture.weeks import Week
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
    activity_type,
    stage,
)


def card(producer, week_start, **numbers) -> WeeklyScorecard:
    return WeeklyScorecard.objects.create(agency=producer.agency, producer=producer,
                                          week_start=week_start, computed_at=timezone.now(),
                                          **numbers)


@pytest.fixture
def this_week(agency) -> Week:
    return Week.current(agency)


# --- my week ----------------------------------------------------------------------------------

def test_my_week_counts_activities_wins_and_commitment_progress(api_as, agency, producer,
                                                                this_week):
    call = activity_type(agency)
    ActivityFactory(producer=producer, quantity=3)
    CommitmentFactory(producer=producer, week_start=this_week.start, kind="activity",
                      activity_type=call, target=5)
    StageAdvanceFactory(prospect=ProspectFactory(owner=producer))

    week = api_as(producer).get("/week").json()

    assert week["producer"]["name"] == "Pat Producer"
    assert week["week_start"] == this_week.start.isoformat()
    assert week["activities"] == [{"activity_type": {"id": call.pk, "name": "Call"},
                                   "count": 3}]
    assert (week["activities_total"], week["wins_total"]) == (3, 1)
    assert [(c["description"], c["actual"], c["target"], c["kept"])
            for c in week["commitments"]] == [("5 × Call", 3, 5, False)]


def test_a_producers_token_cannot_read_another_producers_week(api_as, agency, producer):
    colleague = ProducerFactory(agency=agency, team=producer.team)
    response = api_as(producer).get("/week", {"producer": colleague.pk})
    assert response.status_code == 404
    assert api_as(producer).get("/scorecards", {"producer": colleague.pk}).status_code == 404
    assert api_as(producer).get("/wins", {"producer": colleague.pk}).status_code == 404


def test_a_leader_reads_their_team_members_week_only(api_as, agency, producer, leader):
    elsewhere = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"))
    api = api_as(leader)
    assert api.get("/week", {"producer": producer.pk}).json()["producer"]["id"] == producer.pk
    assert api.get("/week", {"producer": elsewhere.pk}).status_code == 404


def test_another_agencys_producer_is_a_404_even_to_an_owner(api_as, owner, other_producer):
    assert api_as(owner).get("/week", {"producer": other_producer.pk}).status_code == 404


def test_a_bad_week_says_so(api_as, producer):
    response = api_as(producer).get("/week", {"week": "last tuesday"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "week": ["“last tuesday” is not a week. Use a date like 2026-11-23."]}


# --- scorecards -------------------------------------------------------------------------------

def test_scorecard_history_is_newest_first_and_filtered_by_week(api_as, producer, this_week):
    for weeks_back, wins in ((1, 3), (2, 1), (5, 4)):
        card(producer, this_week.shift(-weeks_back).start, wins=wins, activities_total=10)
    api = api_as(producer)

    history = api.get("/scorecards").json()
    recent = api.get("/scorecards", {"since": this_week.shift(-3).start.isoformat()}).json()

    assert [c["wins"] for c in history["items"]] == [3, 1, 4]
    assert [c["wins"] for c in recent["items"]] == [3, 1]


def test_the_team_scorecard_shows_the_leaders_own_team(api_as, agency, producer, leader,
                                                       this_week):
    south = TeamFactory(agency=agency, name="South")
    stranger = ProducerFactory(agency=agency, team=south)
    card(producer, this_week.start, wins=2)
    api = api_as(leader)

    board = api.get("/team-scorecard").json()

    assert board["team"]["name"] == "North"
    rows = {row["producer"]["name"]: row for row in board["rows"]}
    assert set(rows) == {"Lee Leader", "Pat Producer"}
    assert rows["Pat Producer"]["card"]["wins"] == 2
    assert rows["Lee Leader"]["card"] is None
    assert api.get("/team-scorecard", {"team": south.pk}).status_code == 404
    assert stranger.name not in rows


def test_an_owner_reads_any_team_or_the_whole_agency(api_as, agency, owner, producer):
    south = TeamFactory(agency=agency, name="South")
    ProducerFactory(agency=agency, team=south, user__first_name="Sam")
    api = api_as(owner)
    whole = api.get("/team-scorecard").json()
    assert whole["team"] is None and len(whole["rows"]) == 3
    one = api.get("/team-scorecard", {"team": south.pk}).json()
    assert [row["producer"]["name"] for row in one["rows"]] == ["Sam Person"]


def test_the_team_scorecard_is_not_for_producers_nor_another_agencys_team(api_as, owner,
                                                                          producer, other_agency):
    foreign = TeamFactory(agency=other_agency)
    assert api_as(producer).get("/team-scorecard").status_code == 404
    assert api_as(owner).get("/team-scorecard", {"team": foreign.pk}).status_code == 404


# --- wins -------------------------------------------------------------------------------------

def test_wins_since_a_time_are_the_visible_peoples(api_as, agency, producer, leader,
                                                   other_producer):
    now = timezone.now()
    StageAdvanceFactory(prospect=ProspectFactory(owner=producer, name="Old"),
                        occurred_at=now - dt.timedelta(days=2))
    StageAdvanceFactory(prospect=ProspectFactory(owner=producer, name="New"),
                        to_stage=stage(agency, "Appointment set"))
    StageAdvanceFactory(prospect=ProspectFactory(owner=other_producer, name="Foreign"))

    since = (now - dt.timedelta(days=1)).isoformat()
    wins = api_as(leader).get("/wins", {"since": since}).json()["items"]

    assert [(w["prospect"]["name"], w["wins"]) for w in wins] == [("New", 2)]
    assert [s["name"] for s in wins[0]["stages_won"]] == ["Contacted", "Appointment set"]
    everything = api_as(producer).get("/wins").json()
    assert [w["prospect"]["name"] for w in everything["items"]] == ["New", "Old"]


# --- commitments ------------------------------------------------------------------------------

def test_setting_next_weeks_commitments(api_as, agency, producer, this_week):
    call = activity_type(agency)
    api = api_as(producer)

    response = api.put("/commitments", {"activities": {str(call.pk): 25},
                                        "stage_wins": {"any": 3}})

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["week_start"] == this_week.next.start.isoformat()
    assert (answer["added"], answer["changed"], answer["removed"]) == (2, 0, 0)
    assert sorted(c["description"] for c in answer["commitments"]) == [
        "25 × Call", "3 stage wins"]
    assert all(c["planned_ahead"] for c in answer["commitments"])
    # Measures not sent keep their numbers; 0 removes one.
    again = api.put("/commitments", {"stage_wins": {"any": 0}}).json()
    assert [c["description"] for c in again["commitments"]] == ["25 × Call"]
    assert again["removed"] == 1


def test_commitments_refuse_other_agencies_types_and_numbers_out_of_range(
        api_as, agency, producer, other_agency):
    foreign = activity_type(other_agency)
    call = activity_type(agency)
    response = api_as(producer).put("/commitments", {
        "activities": {str(foreign.pk): 5, str(call.pk): 9999}, "stage_wins": {"soon": 2}})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "wins_soon": ["Choose one of your agency's stages (not Lost), or \"any\"."]}
    response = api_as(producer).put("/commitments", {
        "activities": {str(foreign.pk): 5, str(call.pk): 9999}})
    assert response.json()["errors"] == {
        f"activity_{foreign.pk}": ["Choose one of your agency's activity types."],
        f"activity_{call.pk}": ["Enter a number between 1 and 500."]}
    assert not Commitment.objects.exists()


def test_a_started_weeks_commitment_stands(api_as, agency, producer, this_week):
    call = activity_type(agency)
    CommitmentFactory(producer=producer, week_start=this_week.start, kind="activity",
                      activity_type=call, target=5)
    response = api_as(producer).put("/commitments", {"week": "this",
                                                     "activities": {str(call.pk): 2}})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        f"activity_{call.pk}": ["The week has started; your commitment of 5 stands."]}


def test_ids_beyond_any_integer_column_are_refused_not_a_crash(api_as, producer):
    big = str(2**70)
    response = api_as(producer).put("/commitments", {"activities": {big: 1},
                                                     "stage_wins": {big: 1}})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {f"activity_{big}", f"wins_{big}"}
    for path, params in (("/week", {"producer": big}), ("/prospects", {"owner": big}),
                         ("/prospects", {"stage": big}), ("/team-scorecard", {"team": big})):
        response = api_as(producer).get(path, params)
        assert response.status_code == 400, path
        assert list(response.json()["errors"]) == list(params)
