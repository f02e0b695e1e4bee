"""A producer reads (never edits) the minutes of their own team's ended meetings."""

import datetime as dt

import pytest
from django.urls import reverse

from accountability.meetings.services import (
    meeting_commitment_add,
    meeting_end,
    meeting_notes_save,
    meeting_start,
)
from accountability.models import Meeting, MeetingTurn
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory
from tests.queries import queries_of


def url(name, *args):
    return reverse(f"accountability:{name}", args=args)


@pytest.fixture
def last_week(agency):
    return Week.current(agency).start - dt.timedelta(days=7)


@pytest.fixture
def ended(team, producer, leader, last_week):
    """North's meeting for last week, held and ended, with a note and a turn note."""
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    MeetingTurn.objects.filter(pk=turn.pk).update(note="Needs help with referrals")
    Meeting.objects.filter(pk=meeting.pk).update(section="turns",
                                                 turn_index=turn.position)
    meeting.refresh_from_db()
    meeting_commitment_add(meeting=meeting, turn=turn, actor=leader, kind="specific",
                           text="Ask three clients for a referral")
    meeting.refresh_from_db()
    meeting_notes_save(meeting=meeting, actor=leader, notes="Carrier X is slow on quotes.")
    meeting.refresh_from_db()
    meeting_end(meeting=meeting, actor=leader)
    return meeting


def test_a_producer_reads_their_own_teams_minutes(producer_client, ended):
    response = producer_client.get(url("meeting_minutes", ended.pk))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Minutes · North" in html
    assert "Needs help with referrals" in html
    assert "Ask three clients for a referral" in html
    assert "Carrier X is slow on quotes." in html
    # Read only: nothing to re-open.
    assert "Re-open the meeting" not in html
    assert url("meeting_reopen", ended.pk) not in html


def test_my_turn_page_lists_the_teams_minutes(producer_client, ended):
    html = producer_client.get(url("meeting_my_turn")).content.decode()
    assert "Your team’s minutes" in html
    assert f'href="{url("meeting_minutes", ended.pk)}"' in html


def test_a_producer_still_cannot_reopen_or_write(producer_client, ended):
    assert producer_client.get(url("meeting", ended.pk)).status_code == 404
    assert producer_client.post(url("meeting_reopen", ended.pk)).status_code == 404
    assert producer_client.post(url("meeting_minutes", ended.pk), {"notes": "x"}
                                ).status_code == 405
    ended.refresh_from_db()
    assert ended.ended_at is not None and ended.notes == "Carrier X is slow on quotes."


def test_another_teams_producer_or_leader_gets_404(client, agency, ended):
    south = TeamFactory(agency=agency, name="South")
    for outsider in (ProducerFactory(agency=agency, team=south),
                     ProducerFactory(agency=agency, team=south, role="leader"),
                     ProducerFactory(agency=agency, team=None)):
        login(client, outsider)
        assert client.get(url("meeting_minutes", ended.pk)).status_code == 404
        assert "Your team’s minutes" not in client.get(url("meeting_my_turn")).content.decode()


def test_another_agencys_owner_gets_404(client, other_agency, ended):
    login(client, ProducerFactory(agency=other_agency, role="owner"))
    assert client.get(url("meeting_minutes", ended.pk)).status_code == 404


def test_a_running_meeting_has_no_minutes_yet(producer_client, team, leader, last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    assert producer_client.get(url("meeting_minutes", meeting.pk)).status_code == 404


def test_whoever_may_run_it_is_sent_to_the_meetings_own_page(leader_client, ended):
    response = leader_client.get(url("meeting_minutes", ended.pk))
    assert response.status_code == 302 and response["Location"] == url("meeting", ended.pk)


def test_the_minutes_cost_the_same_for_a_small_and_a_big_team(client, agency, last_week):
    costs = []
    for size in (2, 10):
        team = TeamFactory(agency=agency, name=f"Team of {size}")
        boss = ProducerFactory(agency=agency, team=team, role="leader")
        members = [ProducerFactory(agency=agency, team=team) for _ in range(size)]
        meeting = meeting_start(team=team, week_start=last_week, actor=boss)
        meeting_end(meeting=meeting, actor=boss)
        login(client, members[0])
        costs.append((queries_of(client.get, url("meeting_minutes", meeting.pk)),
                      queries_of(client.get, url("meeting_my_turn"))))
    assert costs[0] == costs[1]
