"""The wins reel of a big week (the biggest wins one by one, then one wall of them all), a
late turn for someone who joined after the start, and minutes that list who left with what."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accountability.meetings.agenda import REEL_SPOTLIGHT, position_key
from accountability.meetings.services import (
    meeting_end,
    meeting_move,
    meeting_start,
)
from accountability.models import Commitment, Meeting, MeetingTurn
from accountability.scorecards.refresh import scorecards_refresh
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import (
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
    stage,
)
from tests.queries import queries_of

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def last_week(agency):
    return Week.current(agency).start - dt.timedelta(days=7)


def url(name, *args):
    return reverse(f"accountability:{name}", args=args)


def wins(person, week, n, *, to="Contacted", start_hour=0):
    """`n` stage wins by `person` in `week`, celebrated by the scorecard job."""
    start, _ = Week(week, person.agency.tz).bounds
    for i in range(n):
        prospect = ProspectFactory(owner=person, name=f"{to} {person.pk}-{start_hour + i}")
        StageAdvanceFactory(prospect=prospect, to_stage=stage(person.agency, to),
                            occurred_at=start + dt.timedelta(hours=start_hour + i))


def celebrate(agency, week):
    scorecards_refresh(agency=agency, week_start=week, final=True)


def walk(meeting, actor, steps):
    for _ in range(steps):
        meeting.refresh_from_db()
        meeting_move(meeting=meeting, actor=actor, direction="next", seen=position_key(meeting))
    meeting.refresh_from_db()


def reel_text(html: str) -> str:
    return re.search(r'class="reel-count">([^<]*)<', html).group(1)


def test_a_small_week_shows_every_win_one_by_one_bound_first(
        leader_client, agency, team, leader, producer, last_week):
    # given two ordinary wins, then a bound client later in the week
    wins(producer, last_week, 2, to="Contacted")
    wins(leader, last_week, 1, to="Bound", start_hour=30)
    celebrate(agency, last_week)
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    # then the bound client opens the reel, and every win has its own slide; the caption says
    # what it counts: 3 celebrations, and 8 stage wins (the bound client went from Lead
    # straight to Bound, reaching six stages for the first time)
    page = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert reel_text(page) == "1 of 3 celebrations · 8 stage wins"
    assert "Bound" in page and leader.name in page
    walk(meeting, leader, 2)
    assert (meeting.section, meeting.win_index) == ("wins", 2)
    assert reel_text(leader_client.get(url("meeting", meeting.pk)).content.decode()) == \
        "3 of 3 celebrations · 8 stage wins"
    walk(meeting, leader, 1)
    assert meeting.section == "turns"


def test_a_big_week_spotlights_the_biggest_wins_then_shows_them_all_on_one_wall(
        leader_client, agency, team, leader, producer, last_week):
    # given 43 wins: 3 bound, 8 proposals, 32 first contacts
    wins(producer, last_week, 30, to="Contacted")
    wins(leader, last_week, 2, to="Contacted", start_hour=40)
    wins(producer, last_week, 8, to="Proposal presented", start_hour=50)
    wins(leader, last_week, 3, to="Bound", start_hour=60)
    celebrate(agency, last_week)
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    total = meeting.agency.celebrations.filter(week_start=last_week).count()
    assert total >= 43  # every advance, plus any personal best the job found

    other = total - 43  # personal bests etc. are celebrated, but are not moves
    more = f" and {other} more celebration{'s' if other > 1 else ''}" if other else ""
    first = leader_client.get(url("meeting", meeting.pk)).content.decode()
    # 43 moves from Lead: 32 × 1 stage (Contacted) + 8 × 5 (to Proposal presented)
    # + 3 × 6 (to Bound) = 90 stages reached for the first time
    assert reel_text(first) == f"Top win 1 of {REEL_SPOTLIGHT} · 90 stage wins{more}"
    assert "then all of them on one screen" in first
    # the spotlight is the bound clients first, then the proposals; no first contact in it
    seen = []
    for _ in range(REEL_SPOTLIGHT):
        html = leader_client.get(url("meeting", meeting.pk)).content.decode()
        seen.append(re.search(r'class="reel-stage[^"]*">([^<]*)<', html)
                    or re.search(r'class="reel-what"><strong>([^<]*)<', html))
        walk(meeting, leader, 1)
    stages = [m.group(1) for m in seen]
    assert stages[:3] == ["Bound"] * 3
    assert "Contacted" not in stages
    # the last slide of the reel is the wall: every win, per producer and stage
    assert (meeting.section, meeting.win_index) == ("wins", REEL_SPOTLIGHT)
    wall = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert f"All 43 stage wins{more}" in wall and 'id="wins-wall"' in wall
    row = re.search(rf"<th scope=\"row\">{producer.name}</th>(.*?)</tr>", wall).group(1)
    assert re.search(r'class="num wall-total">(\d+)<', row).group(1) == "38"
    assert 'data-last-win="1"' in wall  # the reel's autoplay stops here
    # and the next press leaves the reel: 11 slides for 43 wins, not 43
    walk(meeting, leader, 1)
    assert meeting.section == "turns"
    # back from the turns lands on the wall again
    meeting_move(meeting=meeting, actor=leader, direction="prev", seen=position_key(meeting))
    meeting.refresh_from_db()
    assert (meeting.section, meeting.win_index) == ("wins", REEL_SPOTLIGHT)


def test_the_wall_costs_the_same_for_fifteen_and_sixty_wins(client, agency, last_week):
    costs = []
    for size, n in ((2, 8), (6, 10)):
        team = TeamFactory(agency=agency, name=f"Team of {size}")
        boss = ProducerFactory(agency=agency, team=team, role="leader")
        people = [ProducerFactory(agency=agency, team=team) for _ in range(size)]
        for i, person in enumerate(people):
            wins(person, last_week, n, to=["Contacted", "Appointment set"][i % 2])
        celebrate(agency, last_week)
        meeting = meeting_start(team=team, week_start=last_week, actor=boss)
        Meeting.objects.filter(pk=meeting.pk).update(win_index=REEL_SPOTLIGHT)
        login(client, boss)
        page = client.get(url("meeting", meeting.pk)).content.decode()
        assert 'id="wins-wall"' in page
        costs.append({
            "wall": queries_of(client.get, url("meeting", meeting.pk), ok=(200, 204)),
            "wall-poll": queries_of(client.get, url("meeting_poll", meeting.pk) + "?v=0", **HX,
                                    ok=(200, 204))})
    print(costs)
    assert costs[0] == costs[1]


# --- late turns -------------------------------------------------------------------------------

@pytest.fixture
def meeting(team, producer, leader, last_week):
    return meeting_start(team=team, week_start=last_week, actor=leader)


def test_a_leader_gives_a_late_turn_to_someone_who_joined_after_the_start(
        client, leader_client, meeting, team, agency, leader, producer):
    # given someone joins the team once the meeting is running
    late = ProducerFactory(agency=agency, team=team, user__first_name="Lara",
                           user__last_name="Late")
    meeting.refresh_from_db()
    Meeting.objects.filter(pk=meeting.pk).update(section="turns", turn_index=0)
    page = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "Add a late turn" in page and "Lara Late" in page
    # when the leader adds her turn
    response = leader_client.post(url("meeting_turn_add", meeting.pk),
                                  {"producer": late.pk}, **HX)
    # then she is last in the rail, and the TV (any follower) sees a new version
    assert response.status_code == 200
    turns = list(MeetingTurn.objects.filter(meeting=meeting).order_by("position"))
    assert turns[-1].producer == late and len(turns) == 3
    assert "Lara Late has a turn" in response["HX-Trigger"]
    html = response.content.decode()
    assert html.index("Lara Late") > html.index(producer.name)
    assert Meeting.objects.get(pk=meeting.pk).version > meeting.version
    # and when her turn comes up she adds her own commitment from her phone
    Meeting.objects.filter(pk=meeting.pk).update(turn_index=2, version=99)
    login(client, late)
    my_turn = client.get(url("meeting_my_turn")).content.decode()
    assert "It's your turn" in my_turn


def test_a_late_turn_for_someone_who_has_one_or_is_not_on_the_team_is_refused(
        leader_client, meeting, agency, producer, other_producer):
    Meeting.objects.filter(pk=meeting.pk).update(section="turns")
    outsider = ProducerFactory(agency=agency, team__name="South")
    before = MeetingTurn.objects.filter(meeting=meeting).count()
    for who in (producer, outsider, other_producer):
        response = leader_client.post(url("meeting_turn_add", meeting.pk), {"producer": who.pk},
                                      **HX)
        assert response.status_code == 400
        assert "Choose a producer of this team without a turn." in response.content.decode()
    empty = leader_client.post(url("meeting_turn_add", meeting.pk), {"producer": ""}, **HX)
    assert "Choose who gets the turn." in empty.content.decode()
    assert MeetingTurn.objects.filter(meeting=meeting).count() == before


def test_late_turns_are_for_drivers_of_this_meeting_only(
        client, producer_client, meeting, agency, team, other_agency):
    late = ProducerFactory(agency=agency, team=team)
    assert producer_client.post(url("meeting_turn_add", meeting.pk),
                                {"producer": late.pk}).status_code == 404
    stranger = ProducerFactory(agency=other_agency, role="owner")
    login(client, stranger)
    assert client.post(url("meeting_turn_add", meeting.pk),
                       {"producer": late.pk}).status_code == 404
    assert not MeetingTurn.objects.filter(producer=late).exists()


def test_the_tv_view_never_shows_the_late_turn_form(leader_client, meeting, agency, team):
    ProducerFactory(agency=agency, team=team, user__first_name="Lara")
    Meeting.objects.filter(pk=meeting.pk).update(section="turns")
    tv = leader_client.get(url("meeting", meeting.pk) + "?view=tv").content.decode()
    assert "Add a late turn" not in tv


def test_a_late_turn_after_the_end_goes_to_the_minutes(leader_client, meeting, leader, agency,
                                                       team):
    late = ProducerFactory(agency=agency, team=team)
    meeting_end(meeting=meeting, actor=leader)
    response = leader_client.post(url("meeting_turn_add", meeting.pk), {"producer": late.pk})
    assert response.status_code == 302
    assert not MeetingTurn.objects.filter(producer=late).exists()


# --- minutes ---------------------------------------------------------------------------------

def test_minutes_list_each_turns_commitments_and_mark_the_ones_made_in_the_meeting(
        leader_client, meeting, leader, producer, agency):
    week = Week.current(agency).start
    CommitmentFactory(producer=producer, week_start=week, target=25)
    Meeting.objects.filter(pk=meeting.pk).update(section="turns", turn_index=1)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    leader_client.post(url("meeting_turn_commitment", meeting.pk, turn.pk),
                       {"kind": "specific", "text": "Call Acme back"}, **HX)
    meeting_end(meeting=meeting, actor=leader)
    minutes = leader_client.get(url("meeting", meeting.pk)).content.decode()
    block = minutes[minutes.index(f"<strong>{producer.name}</strong>"):]
    assert "Call Acme back <span class=\"pill pill-good\">made in the meeting</span>" in block
    assert "25 ×" in block  # made before the meeting, still listed
    leader_block = minutes[minutes.index(f"<strong>{leader.name}</strong>"):
                           minutes.index(f"<strong>{producer.name}</strong>")]
    assert "No commitments for that week." in leader_block
    assert Commitment.objects.filter(meeting=meeting).count() == 1


# --- empty states ----------------------------------------------------------------------------

def test_an_agency_without_teams_gets_a_plain_explanation_not_an_empty_form(client, agency):
    owner = ProducerFactory(agency=agency, team=None, role="owner")
    login(client, owner)
    page = client.get(url("meetings")).content.decode()
    assert "Your agency has no team yet." in page
    assert 'id="meeting-start"' not in page
    assert "No meetings yet." in page


def test_a_leader_without_a_team_is_told_so(client, agency):
    leader = ProducerFactory(agency=agency, team=None, role="leader")
    login(client, leader)
    page = client.get(url("meetings")).content.decode()
    assert "You do not lead a team yet." in page
    assert 'id="meeting-start"' not in page


# --- the producer's phone ---------------------------------------------------------------------

def test_the_phone_says_how_many_turns_are_before_yours_and_when_yours_has_passed(
        client, agency, team, leader, producer):
    # given a team of leader, Paula (producer), Quinn and Rita: Rita's turn is last
    ProducerFactory(agency=agency, team=team, user__first_name="Quinn")
    rita = ProducerFactory(agency=agency, team=team, user__first_name="Rita",
                           user__last_name="Last")
    meeting = meeting_start(team=team, week_start=Week.current(agency).start - dt.timedelta(days=7),
                            actor=leader)
    assert MeetingTurn.objects.get(meeting=meeting, producer=rita).position == 3
    login(client, rita)
    page = client.get(url("meeting_my_turn")).content.decode()
    assert "3 turns before yours." in page  # still in the wins reel
    Meeting.objects.filter(pk=meeting.pk).update(section="turns", turn_index=2)
    page = client.get(url("meeting_my_turn")).content.decode()
    assert "Your turn is next." in page
    assert "Wait for your turn" in page
    # once it has passed, the page says where to add more instead of "wait"
    login(client, producer)
    page = client.get(url("meeting_my_turn")).content.decode()
    assert "Your turn has passed: add more on your commitments page." in page
    assert "turns before yours" not in page
    response = client.post(url("meeting_my_turn"), {"kind": "specific", "text": "Late idea"})
    assert response.status_code == 400
    assert not Commitment.objects.filter(producer=producer).exists()


def test_a_brand_new_agency_runs_a_sensible_meeting_with_no_data(client, db):
    from accountability.meetings.kiosk import kiosk_link_create
    from pipeline.services import agency_create

    # given an agency created a minute ago: one owner in one team, nothing logged
    agency = agency_create(name="Fresh Start", slug="fresh-start")
    team = TeamFactory(agency=agency, name="Everyone")
    owner = ProducerFactory(agency=agency, team=team, role="owner", annual_goal=0)
    login(client, owner)
    response = client.post(url("meeting_start"), {
        "team": team.pk, "week": (Week.current(agency).start - dt.timedelta(days=7)).isoformat()})
    meeting = Meeting.objects.get(team=team)
    assert response.status_code == 302
    expected = {
        "wins": "No wins recorded",
        "turns": "No commitments were made for that week.",
        "pipeline": "No annual goals set for this team yet",
        "wrap_up": "None yet.",
    }
    Meeting.objects.filter(pk=meeting.pk).update(section="pipeline")
    assert "No open prospects in the team's pipeline yet." in client.get(
        url("meeting", meeting.pk)).content.decode()
    for section, text in expected.items():
        Meeting.objects.filter(pk=meeting.pk).update(section=section)
        page = client.get(url("meeting", meeting.pk))
        assert page.status_code == 200
        assert text in page.content.decode(), section
    # the kiosk between meetings and the minutes render too
    meeting_end(meeting=meeting, actor=owner)
    minutes = client.get(url("meeting", meeting.pk)).content.decode()
    assert owner.name in minutes and "No commitments for that week." in minutes
    link = kiosk_link_create(team=team, actor=owner)
    client.logout()
    board = client.get(url("kiosk", link.token)).content.decode()
    assert "No wins yet." in board and owner.name in board


@pytest.mark.parametrize("target,kind_of_activity,message", [
    ("abc", "own", "Enter how many, between 1 and 500."),
    ("0", "own", "Enter how many, between 1 and 500."),
    ("501", "own", "Enter how many, between 1 and 500."),
    ("5", "other agency", "Choose one of the agency&#x27;s activities."),
])
def test_every_bad_commitment_value_gets_a_plain_message(
        leader_client, meeting, agency, producer, other_agency, target, kind_of_activity,
        message):
    from tests.factories import activity_type
    Meeting.objects.filter(pk=meeting.pk).update(section="turns", turn_index=1)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    chosen = activity_type(agency if kind_of_activity == "own" else other_agency)
    response = leader_client.post(url("meeting_turn_commitment", meeting.pk, turn.pk),
                                  {"kind": "activity", "target": target,
                                   "activity_type": chosen.pk}, **HX)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Commitment.objects.exists()
