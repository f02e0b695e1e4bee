"""Choice fields and query parameters list and accept only the actor's own rows: their own
prospects, their agency's stages and activity types, the teams they lead, their team's
people. Another team's or agency's id is refused next to the field (or 404) and saves
nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from accountability.meetings.services import meeting_start
from accountability.models import Commitment, KioskLink, Meeting, MeetingTurn
from pipeline.models import Activity, Prospect, StageAdvance
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, ProspectFactory, TeamFactory, activity_type, stage


@pytest.fixture
def others(agency, team, other_agency):
    south = TeamFactory(agency=agency, name="Southside")
    southerner = ProducerFactory(agency=agency, team=south, user__first_name="Sunny")
    colleague = ProducerFactory(agency=agency, team=team, user__first_name="Colin")
    stranger = ProducerFactory(agency=other_agency, user__first_name="Stranger")
    return {
        "south": south, "southerner": southerner, "colleague": colleague,
        "colleague_prospect": ProspectFactory(owner=colleague, name="Colins Secret Co"),
        "south_prospect": ProspectFactory(owner=southerner, name="Southern Secret Co"),
        "their_type": activity_type(other_agency),
        "their_stage": stage(other_agency, "Contacted"),
        "stranger": stranger,
    }


def test_a_producers_forms_list_and_accept_only_their_own_prospects(client, producer, others):
    ProspectFactory(owner=producer, name="My Own Co")
    login(client, producer)
    for url in ("/week/", "/commitments/"):
        page = client.get(url).content.decode()
        assert "My Own Co" in page, url
        assert "Colins Secret Co" not in page and "Southern Secret Co" not in page, url

    theirs = others["colleague_prospect"]
    client.post("/week/log/", {"activity_type": activity_type(producer.agency).pk,
                               "prospect": theirs.pk, "detail": "1"})
    client.post("/week/log/", {"activity_type": others["their_type"].pk})
    response = client.post("/commitments/promise/", {"text": "Call them", "prospect": theirs.pk})
    assert "Choose one of your own prospects." in response.content.decode()
    assert not Activity.objects.filter(producer=producer).exists()
    assert not Commitment.objects.filter(producer=producer).exists()


def test_another_agencys_stage_is_refused_for_a_new_prospect_and_a_move(client, producer,
                                                                       others):
    login(client, producer)
    response = client.post("/pipeline/prospects/new/", {
        "name": "Acme", "line_of_business": "commercial", "estimated_revenue": "100",
        "stage": others["their_stage"].pk})
    assert "Choose a stage of your agency" in response.content.decode()
    assert not Prospect.objects.filter(owner=producer).exists()

    mine = ProspectFactory(owner=producer)
    response = client.post(reverse("pipeline:prospect_advance", args=[mine.pk]), {
        "to_stage": others["their_stage"].pk, "next_step": "Call",
        "next_step_due": (dt.date.today() + dt.timedelta(days=3)).isoformat()})
    assert response.status_code == 400
    assert not StageAdvance.objects.filter(prospect=mine).exists()


def test_a_leader_lists_and_runs_only_their_own_teams_meeting_and_tv_links(client, leader,
                                                                           others):
    login(client, leader)
    page = client.get("/meeting/").content.decode()
    assert "Southside" not in page

    south = others["south"].pk
    assert client.post("/meeting/start/", {"team": south,
                                           "week": Week.current(leader.agency).start.isoformat()}
                       ).status_code == 400
    assert client.post("/meeting/tv-links/", {"team": south}).status_code == 400
    assert not Meeting.objects.filter(team=others["south"]).exists()
    assert not KioskLink.objects.exists()


def test_the_meeting_accepts_only_its_teams_people_prospects_and_agencys_choices(
        client, agency, team, leader, producer, others):
    meeting = meeting_start(team=team, week_start=Week.current(agency).start, actor=leader)
    turn = meeting.turns.get(producer=producer)
    # Pat's turn is on the screen, where the commitment and late-turn forms show errors.
    Meeting.objects.filter(pk=meeting.pk).update(section=Meeting.Section.TURNS,
                                                 turn_index=turn.position)
    login(client, leader)
    before = MeetingTurn.objects.count()

    added = client.post(reverse("accountability:meeting_turn_add", args=[meeting.pk]),
                        {"producer": others["southerner"].pk})
    followed = client.post(reverse("accountability:meeting_follow_up", args=[meeting.pk]),
                           {"prospect": others["south_prospect"].pk})
    typed = client.post(reverse("accountability:meeting_turn_commitment",
                                args=[meeting.pk, turn.pk]),
                        {"kind": "activity", "target": 5,
                         "activity_type": others["their_type"].pk})
    staged = client.post(reverse("accountability:meeting_turn_commitment",
                                 args=[meeting.pk, turn.pk]),
                         {"kind": "stage_wins", "target": 2, "stage": others["their_stage"].pk})

    assert added.status_code == 400
    assert "Choose a producer of this team without a turn." in added.content.decode()
    assert followed.status_code == 404
    assert typed.status_code == 400 and "Choose one of the agency" in typed.content.decode()
    assert staged.status_code == 400 and "Choose one of the agency" in staged.content.decode()
    assert MeetingTurn.objects.count() == before
    assert not Commitment.objects.exists()


def test_a_leaders_pickers_list_only_their_team_and_refuse_another(client, leader, others):
    login(client, leader)
    board = client.get("/pipeline/").content.decode()
    funnel = client.get("/funnel/").content.decode()
    for page in (board, funnel):
        assert "Colin" in page
        assert "Sunny" not in page and "Stranger" not in page

    assert client.get(f"/pipeline/?producer={others['southerner'].pk}").status_code == 404
    assert client.get(f"/funnel/?scope=producer:{others['southerner'].pk}").status_code == 404
    assert client.get(f"/funnel/?scope=team:{others['south'].pk}").status_code == 404
    assert client.get(f"/live/wins/?v=0&producer={others['southerner'].pk}").status_code == 404
