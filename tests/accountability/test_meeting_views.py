"""The meeting screen through the test client: access, the turn's commitments, follow-ups,
rating, minutes, the poll, and query counts that do not grow with the team."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.agenda import position_key
from accountability.meetings.services import meeting_start
from accountability.models import Commitment, Meeting, MeetingTurn
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.models import Prospect
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import (
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    activity_type,
    stage,
)
from tests.queries import queries_of


@pytest.fixture
def last_week(agency):
    return Week.current(agency).start - dt.timedelta(days=7)


@pytest.fixture
def meeting(team, producer, leader, last_week):
    return meeting_start(team=team, week_start=last_week, actor=leader)


def url(name, *args):
    return reverse(f"accountability:{name}", args=args)


def goto(meeting, section, turn=0, win=0):
    Meeting.objects.filter(pk=meeting.pk).update(section=section, turn_index=turn,
                                                 win_index=win, version=meeting.version + 1)
    meeting.refresh_from_db()


def post_move(client, meeting, direction="next", seen=None, htmx=True):
    meeting.refresh_from_db()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(url("meeting_move", meeting.pk),
                       {"direction": direction, "at": seen or position_key(meeting)}, **headers)


def win_last_week(owner, last_week, *, to="Contacted", hour=10, prospect=None):
    start, _ = Week(last_week, owner.agency.tz).bounds
    prospect = prospect or ProspectFactory(owner=owner, name=f"Prospect of {owner.name}")
    return StageAdvanceFactory(prospect=prospect, to_stage=stage(owner.agency, to),
                               occurred_at=start + dt.timedelta(days=1, hours=hour))


# --- home and access ----------------------------------------------------------------------

def test_leader_starts_the_meeting_from_the_home_page(leader_client, team, last_week):
    page = leader_client.get(url("meetings"))
    assert page.status_code == 200
    assert "Start the meeting" in page.content.decode()
    response = leader_client.post(url("meeting_start"),
                                  {"team": team.pk, "week": last_week.isoformat()})
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("meeting", meeting.pk)
    assert meeting.week_start == last_week


def test_start_with_a_bad_week_shows_a_message_and_saves_nothing(leader_client, team):
    response = leader_client.post(url("meeting_start"), {"team": team.pk, "week": "2001-01-01"})
    assert response.status_code == 400
    assert "Choose last week or this week." in response.content.decode()
    assert not Meeting.objects.exists()


def test_a_producer_is_sent_to_their_own_turn_page(producer_client):
    response = producer_client.get(url("meetings"))
    assert response.status_code == 302 and response["Location"] == url("meeting_my_turn")
    assert producer_client.get(response["Location"]).status_code == 200


def test_producers_cannot_open_start_or_drive(producer_client, team, meeting, last_week):
    assert producer_client.get(url("meeting", meeting.pk)).status_code == 404
    assert producer_client.get(url("meeting_poll", meeting.pk) + "?v=1").status_code == 404
    assert post_move(producer_client, meeting).status_code == 404
    assert producer_client.post(url("meeting_end", meeting.pk)).status_code == 404
    assert producer_client.post(url("meeting_start"),
                                {"team": team.pk, "week": last_week.isoformat()}
                                ).status_code == 404
    meeting.refresh_from_db()
    assert (meeting.section, meeting.ended_at) == ("wins", None)


def test_another_agency_or_team_gets_404(client, meeting, other_agency, agency):
    stranger = ProducerFactory(agency=other_agency, role="owner")
    other_leader = ProducerFactory(agency=agency, role="leader", team__name="South")
    turn = MeetingTurn.objects.filter(meeting=meeting).first()
    for outsider in (stranger, other_leader):
        login(client, outsider)
        assert client.get(url("meeting", meeting.pk)).status_code == 404
        assert client.get(url("meeting_poll", meeting.pk) + "?v=1").status_code == 404
        assert post_move(client, meeting).status_code == 404
        assert client.post(url("meeting_end", meeting.pk)).status_code == 404
        assert client.post(url("meeting_rate", meeting.pk), {"rating": 5}).status_code == 404
        assert client.post(url("meeting_turn_note", meeting.pk, turn.pk),
                           {"note": "x"}).status_code == 404
        assert client.post(url("meeting_turn_commitment", meeting.pk, turn.pk),
                           {"kind": "specific", "text": "x"}).status_code == 404
        assert str(meeting.team) not in client.get(url("meetings")).content.decode()
    meeting.refresh_from_db()
    assert meeting.version == 1 and not Commitment.objects.exists()


def test_an_owner_may_run_any_team_of_the_agency(client, agency, owner, last_week):
    south = type(owner.team).objects.create(agency=agency, name="South")
    ProducerFactory(agency=agency, team=south)
    login(client, owner)
    response = client.post(url("meeting_start"), {"team": south.pk, "week": last_week})
    assert response.status_code == 302
    assert Meeting.objects.get().team == south


# --- the screen ---------------------------------------------------------------------------

def test_the_screen_resumes_where_it_was_after_a_reload(leader_client, meeting, producer):
    post_move(leader_client, meeting)              # wins -> first turn (the leader)
    post_move(leader_client, meeting)              # -> the producer's turn
    page = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert 'class="turn-name">Pat Producer' in page
    assert 'data-at="turns:1:0"' in page


def test_a_stale_press_answers_409_with_a_clear_message_and_the_fresh_state(
        leader_client, meeting):
    seen = position_key(meeting)
    assert post_move(leader_client, meeting, seen=seen).status_code == 200
    response = post_move(leader_client, meeting, seen=seen)
    assert response.status_code == 409
    toast = json.loads(response["HX-Trigger"])["toast"]["text"]
    assert toast == "Someone else moved the meeting; this is where it is now."
    assert 'data-at="turns:0:0"' in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.section, meeting.turn_index) == ("turns", 0)


def test_moves_work_without_javascript(leader_client, meeting):
    response = post_move(leader_client, meeting, htmx=False)
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.section == "turns"


def test_the_turn_shows_why_last_week_kept_and_missed_and_wins(
        leader_client, agency, meeting, producer, last_week):
    call = activity_type(agency)
    kept = CommitmentFactory(producer=producer, week_start=last_week, target=2,
                             activity_type=call)
    # One target per activity type and week: the missed one is for emails.
    email = activity_type(agency, "Email")
    missed = CommitmentFactory(producer=producer, week_start=last_week, target=40,
                               activity_type=email)
    start, _ = Week(last_week, agency.tz).bounds
    from tests.factories import ActivityFactory
    ActivityFactory(producer=producer, occurred_at=start + dt.timedelta(days=1), quantity=3)
    ActivityFactory(producer=producer, occurred_at=start + dt.timedelta(days=1), quantity=3,
                    activity_type=email)
    win_last_week(producer, last_week, to="Appointment set")
    scorecards_refresh(agency=agency, week_start=last_week, final=True)
    goto(meeting, "turns", turn=1)
    page = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "“For my family.”" in page
    assert f'line-kept">\n              <span class="line-mark" aria-hidden="true">✓</span>\n' \
           f'              <span class="line-text">{kept.describe()}' in page
    assert f'<span class="line-text">{missed.describe()}</span>\n              ' \
           f'<span class="line-num">3 / 40</span>' in page
    assert "Prospect of Pat Producer → Appointment set" in page


def test_commitments_made_in_a_turn_are_that_producers_next_week_commitments(
        leader_client, agency, meeting, producer):
    goto(meeting, "turns", turn=1)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    response = leader_client.post(
        url("meeting_turn_commitment", meeting.pk, turn.pk),
        {"kind": "activity", "target": "30", "activity_type": activity_type(agency).pk},
        HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"])["toast"]["text"] == \
        "Committed for Pat Producer: 30 × Call"
    # then: it is the producer's commitment for the week they are about to work
    commitment = Commitment.objects.get()
    assert (commitment.producer, commitment.week_start, commitment.meeting) == (
        producer, Week.current(agency).start, meeting)
    assert commitment.made_by.role == "leader"
    assert list(Commitment.objects.filter(producer=producer, week_start=Week.current(agency).start)
                ) == [commitment]
    assert "30 × Call" in response.content.decode()
    # and the producer sees it on their phone page
    login(leader_client, producer)
    assert "→ 30 × Call" in leader_client.get(url("meeting_my_turn")).content.decode()


def test_a_bad_commitment_shows_the_message_next_to_the_field_and_keeps_the_input(
        leader_client, agency, meeting, producer):
    goto(meeting, "turns", turn=1)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    response = leader_client.post(
        url("meeting_turn_commitment", meeting.pk, turn.pk),
        {"kind": "activity", "target": "", "activity_type": activity_type(agency).pk,
         "text": "typed"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 400
    assert 'has-error">\n      <label for="id_target">How many</label>' in page
    assert "Enter how many, between 1 and 500." in page
    assert 'value="typed"' in page
    assert not Commitment.objects.exists()


def test_a_producer_adds_their_own_commitment_only_during_their_turn(
        client, agency, meeting, producer):
    login(client, producer)
    data = {"kind": "specific", "text": "Send the Acme proposal"}
    # not their turn yet: refused, nothing saved
    page = client.get(url("meeting_my_turn")).content.decode()
    assert "Wait for your turn" in page
    response = client.post(url("meeting_my_turn"), data)
    assert response.status_code == 400
    assert "Wait for your turn" in response.content.decode()
    assert not Commitment.objects.exists()
    # their turn: saved for them, for the coming week, linked to the meeting
    goto(meeting, "turns", turn=1)
    assert "It's your turn" in client.get(url("meeting_my_turn")).content.decode()
    response = client.post(url("meeting_my_turn"), data)
    assert response.status_code == 302
    commitment = Commitment.objects.get()
    assert (commitment.producer, commitment.made_by, commitment.week_start,
            commitment.meeting) == (producer, producer, Week.current(agency).start, meeting)
    # and the leader-only endpoint stays closed to them
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    assert client.post(url("meeting_turn_commitment", meeting.pk, turn.pk),
                       data).status_code == 404


def test_turn_note_is_saved_and_shown_in_the_minutes(leader_client, meeting, producer):
    goto(meeting, "turns", turn=1)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    leader_client.post(url("meeting_turn_note", meeting.pk, turn.pk),
                       {"note": "Needs help with referrals"}, HTTP_HX_REQUEST="true")
    leader_client.post(url("meeting_end", meeting.pk))
    minutes = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "Minutes · North" in minutes
    assert "Needs help with referrals" in minutes
    assert "Read</a>" in leader_client.get(url("meetings")).content.decode()


def test_a_stale_prospect_becomes_a_follow_up_commitment_with_one_action(
        leader_client, agency, meeting, producer):
    old = ProspectFactory(owner=producer, name="Moss Dental", next_step="Send the quote",
                          stage_entered_at=timezone.now() - dt.timedelta(days=30))
    fresh = ProspectFactory(owner=producer, name="Fresh Co", next_step="Call",
                            next_step_due=timezone.localdate())
    goto(meeting, "pipeline")
    page = leader_client.get(url("meeting", meeting.pk)).content.decode()
    assert "Moss Dental" in page and "days in stage" in page
    assert "Fresh Co" not in page.split("Stale or no next step")[1]
    response = leader_client.post(url("meeting_follow_up", meeting.pk), {"prospect": old.pk},
                                  HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "✓ follow-up committed" in response.content.decode()
    commitment = Commitment.objects.get()
    assert (commitment.producer, commitment.kind, commitment.prospect, commitment.text) == (
        producer, "specific", old, "Moss Dental: Send the quote")
    again = leader_client.post(url("meeting_follow_up", meeting.pk), {"prospect": old.pk},
                               HTTP_HX_REQUEST="true")
    assert "already has a follow-up" in json.loads(again["HX-Trigger"])["toast"]["text"]
    assert Commitment.objects.count() == 1
    assert fresh.pk


def test_follow_up_for_another_agencys_prospect_is_404(leader_client, meeting, other_producer):
    theirs = ProspectFactory(owner=other_producer)
    response = leader_client.post(url("meeting_follow_up", meeting.pk), {"prospect": theirs.pk})
    assert response.status_code == 404
    assert not Commitment.objects.exists()


def test_wrap_up_lists_commitments_who_has_none_and_takes_a_rating(
        leader_client, agency, meeting, producer, leader):
    CommitmentFactory(producer=producer, week_start=Week.current(agency).start, meeting=meeting,
                      kind="specific", target=None, activity_type=None, text="Call Acme")
    goto(meeting, "wrap_up")
    page = leader_client.get(url("meeting", meeting.pk)).content.decode()
    made = page.split("Commitments made this meeting")[1].split("No commitments yet")[0]
    assert "Pat Producer" in made and "Call Acme" in made
    none_yet = page.split("No commitments yet")[1].split("</p>")[0]
    assert "Lee Leader" in none_yet and "Pat Producer" not in none_yet
    bad = leader_client.post(url("meeting_rate", meeting.pk), {"rating": "11"},
                             HTTP_HX_REQUEST="true")
    assert bad.status_code == 400
    assert "Rate the meeting from 1 to 10." in bad.content.decode()
    good = leader_client.post(url("meeting_rate", meeting.pk), {"rating": "8"},
                              HTTP_HX_REQUEST="true")
    assert good.status_code == 200
    meeting.refresh_from_db()
    assert meeting.rating == 8
    assert 'value="8" class="rating-btn is-on"' in good.content.decode()


# --- the poll -----------------------------------------------------------------------------

def test_poll_is_empty_while_nothing_changed_and_the_stage_when_it_did(leader_client, meeting):
    poll = url("meeting_poll", meeting.pk)
    unchanged = leader_client.get(f"{poll}?v={meeting.version}", HTTP_HX_REQUEST="true")
    assert unchanged.status_code == 204 and unchanged.content == b""
    post_move(leader_client, meeting)
    changed = leader_client.get(f"{poll}?v=1", HTTP_HX_REQUEST="true")
    meeting.refresh_from_db()
    assert changed.status_code == 200
    assert 'id="meeting-stage"' in changed.content.decode()
    assert f"?v={meeting.version}" in changed.content.decode()
    assert leader_client.get(f"{poll}?v=abc").status_code == 400


def test_poll_sends_followers_to_the_minutes_when_the_meeting_ends(leader_client, meeting):
    leader_client.post(url("meeting_end", meeting.pk))
    response = leader_client.get(url("meeting_poll", meeting.pk) + "?v=1",
                                 HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == url("meeting", meeting.pk)


# --- query counts -------------------------------------------------------------------------

def populate(agency, team, last_week, *, producers: int, wins: int):
    """A team with `producers` producers, each with `wins` stage wins last week (celebrated
    by the scorecard job), commitments, and stale prospects."""
    people = [ProducerFactory(agency=agency, team=team) for _ in range(producers)]
    for person in people:
        for i in range(wins):
            win_last_week(person, last_week, hour=i % 8)
            ProspectFactory(owner=person, next_step="",
                            stage_entered_at=timezone.now() - dt.timedelta(days=40))
        CommitmentFactory(producer=person, week_start=last_week)
        CommitmentFactory(producer=person, week_start=last_week, kind="specific", target=None,
                          activity_type=None)
        CommitmentFactory(producer=person, week_start=Week.current(agency).start)
    scorecards_refresh(agency=agency, week_start=last_week, final=True)


SECTIONS = [("wins", 0, 1), ("turns", 2, 0), ("pipeline", 0, 0), ("wrap_up", 0, 0)]


def screen_costs(client, meeting) -> dict:
    costs = {}
    for section, turn, win in SECTIONS:
        goto(meeting, section, turn=turn, win=win)
        costs[section] = queries_of(client.get, url("meeting", meeting.pk), ok=(200, 204))
        costs[f"{section}-poll-changed"] = queries_of(
            client.get, url("meeting_poll", meeting.pk) + "?v=0", HTTP_HX_REQUEST="true",
            ok=(200, 204))
    costs["poll-unchanged"] = queries_of(
        client.get, url("meeting_poll", meeting.pk) + f"?v={meeting.version}",
        HTTP_HX_REQUEST="true", ok=(200, 204))
    return costs


def test_screen_and_poll_cost_the_same_for_a_small_and_a_big_team(client, agency, last_week):
    from tests.factories import TeamFactory
    costs = []
    for size, wins in ((2, 1), (12, 6)):
        team = TeamFactory(agency=agency, name=f"Team of {size}")
        boss = ProducerFactory(agency=agency, team=team, role="leader")
        populate(agency, team, last_week, producers=size, wins=wins)
        meeting = meeting_start(team=team, week_start=last_week, actor=boss)
        login(client, boss)
        costs.append(screen_costs(client, meeting))
    small, big = costs
    print(costs)
    assert small == big
    assert big["poll-unchanged"] <= 4
    assert max(big.values()) < 40
    assert Prospect.objects.filter(owner__team__name="Team of 12").count() > 70


def test_home_minutes_and_my_turn_cost_the_same_for_little_and_much_history(
        client, agency, last_week):
    from accountability.meetings.kiosk import kiosk_link_create
    from accountability.meetings.services import meeting_end
    from tests.factories import TeamFactory
    costs = []
    for size, weeks in ((2, 1), (12, 6)):
        team = TeamFactory(agency=agency, name=f"Team of {size}")
        boss = ProducerFactory(agency=agency, team=team, role="leader")
        populate(agency, team, last_week, producers=size, wins=2)
        for w in range(weeks):
            old = meeting_start(team=team, week_start=last_week - dt.timedelta(weeks=w + 1),
                                actor=boss)
            # A promise each: one activity target per type and week would allow only one.
            CommitmentFactory(producer=boss, week_start=Week.current(agency).start, meeting=old,
                              kind="specific")
            meeting_end(meeting=old, actor=boss)
            kiosk_link_create(team=team, actor=boss)
        meeting = meeting_start(team=team, week_start=last_week, actor=boss)
        login(client, boss)
        cost = {"home": queries_of(client.get, url("meetings"), ok=(200, 204)),
                "minutes": queries_of(client.get, url("meeting", old.pk), ok=(200, 204))}
        goto(meeting, "turns", turn=1)
        someone = MeetingTurn.objects.get(meeting=meeting, position=1).producer
        login(client, someone)
        cost["my_turn"] = queries_of(client.get, url("meeting_my_turn"), ok=(200, 204))
        cost["my_turn_poll"] = queries_of(
            client.get, url("meeting_my_turn") + f"?v={meeting.version}",
            HTTP_HX_REQUEST="true", ok=(200, 204))
        costs.append(cost)
    print(costs)
    assert costs[0] == costs[1]
    assert costs[1]["my_turn_poll"] <= 5


def test_my_turn_poll_is_empty_until_the_meeting_moves(client, meeting, producer):
    login(client, producer)
    path = url("meeting_my_turn")
    assert client.get(f"{path}?v={meeting.version}", HTTP_HX_REQUEST="true").status_code == 204
    goto(meeting, "turns", turn=1)
    moved = client.get(f"{path}?v=1", HTTP_HX_REQUEST="true")
    assert moved.status_code == 200
    assert "It's your turn" in moved.content.decode()


def test_writes_to_an_ended_meeting_go_to_the_minutes_and_change_nothing(
        leader_client, meeting, producer):
    leader_client.post(url("meeting_end", meeting.pk))
    meeting.refresh_from_db()
    version = meeting.version
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    for path, data in ((url("meeting_move", meeting.pk), {"direction": "next", "at": "x"}),
                       (url("meeting_rate", meeting.pk), {"rating": "7"}),
                       (url("meeting_turn_note", meeting.pk, turn.pk), {"note": "late"}),
                       (url("meeting_turn_commitment", meeting.pk, turn.pk),
                        {"kind": "specific", "text": "late"})):
        response = leader_client.post(path, data)
        assert response.status_code == 302 and response["Location"] == url("meeting",
                                                                           meeting.pk)
    meeting.refresh_from_db()
    assert (meeting.version, meeting.rating) == (version, None)
    assert not Commitment.objects.exists()
