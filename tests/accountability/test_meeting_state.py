"""The meeting's agenda state machine, on the real database."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from accountability.meetings.agenda import position_key, turn_target_seconds
from accountability.meetings.selectors import commitment_week
from accountability.meetings.services import (
    MeetingMoved,
    meeting_end,
    meeting_move,
    meeting_start,
)
from accountability.models import Celebration, Meeting, MeetingTurn
from salesculture.weeks import Week
from tests.conftest import requires_postgres
from tests.factories import ProducerFactory


@pytest.fixture
def last_week(agency):
    return Week.current(agency).start - dt.timedelta(days=7)


def celebrate(producer, week, n):
    for i in range(n):
        Celebration.objects.create(
            agency=producer.agency, producer=producer, kind=Celebration.Kind.PERSONAL_BEST,
            source_key=f"test:{producer.pk}:{week}:{i}", week_start=week,
            title=f"Win {i} of {producer.name}",
            occurred_at=timezone.now() - dt.timedelta(days=10) + dt.timedelta(minutes=i))


def move(meeting, actor, direction):
    meeting.refresh_from_db()
    return meeting_move(meeting=meeting, actor=actor, direction=direction,
                        seen=position_key(meeting))


def where(meeting):
    meeting.refresh_from_db()
    return meeting.section, meeting.turn_index, meeting.win_index


def test_start_fixes_the_turn_order_leaders_first_without_non_producers(
        agency, team, producer, leader, owner, last_week):
    # given a team with a non-producer and someone from another team
    ProducerFactory(agency=agency, team=team, role="non_producer")
    ProducerFactory(agency=agency, team__name="South", user__first_name="Sam")
    # when
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    # then: owner, leader, then producers; no one else
    turns = list(MeetingTurn.objects.filter(meeting=meeting).order_by("position"))
    assert [t.producer for t in turns] == [owner, leader, producer]
    assert (meeting.section, meeting.version, meeting.started_by) == ("wins", 1, leader)


def test_starting_again_resumes_the_same_meeting(team, leader, owner, last_week):
    first = meeting_start(team=team, week_start=last_week, actor=leader)
    move(first, leader, "next")
    again = meeting_start(team=team, week_start=last_week, actor=owner)
    assert again.pk == first.pk
    assert Meeting.objects.count() == 1
    assert again.section == "turns"


def test_only_leaders_and_owners_start(team, producer, last_week):
    with pytest.raises(ValidationError):
        meeting_start(team=team, week_start=last_week, actor=producer)
    assert not Meeting.objects.exists()


def test_a_future_week_cannot_be_reviewed(team, leader, agency):
    with pytest.raises(ValidationError) as excinfo:
        meeting_start(team=team, week_start=Week.current(agency).start + dt.timedelta(days=7),
                      actor=leader)
    assert "week" in excinfo.value.message_dict


def test_next_walks_the_wins_reel_the_turns_pipeline_and_wrap_up(
        team, producer, leader, last_week):
    celebrate(producer, last_week, 2)
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    steps = [where(meeting)]
    for _ in range(7):
        move(meeting, leader, "next")
        steps.append(where(meeting))
    assert steps == [
        ("wins", 0, 0), ("wins", 0, 1),          # the reel, one win at a time
        ("turns", 0, 1), ("turns", 1, 1),        # leader, then producer
        ("pipeline", 1, 1), ("clear_path", 1, 1), ("wrap_up", 1, 1),
        ("wrap_up", 1, 1),                       # next at the end stays; ending is explicit
    ]
    meeting.refresh_from_db()
    assert meeting.version == 7  # six moves; the no-op did not bump it


def test_previous_walks_back_into_the_last_turn_and_the_last_win(
        team, producer, leader, last_week):
    celebrate(producer, last_week, 3)
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    move(meeting, leader, "next_section")
    assert where(meeting) == ("turns", 0, 0)
    move(meeting, leader, "next_section")
    assert where(meeting) == ("pipeline", 0, 0)
    move(meeting, leader, "prev")
    assert where(meeting) == ("turns", 1, 0)
    move(meeting, leader, "prev")
    move(meeting, leader, "prev")
    assert where(meeting) == ("wins", 0, 2)
    move(meeting, leader, "prev")
    move(meeting, leader, "prev")
    move(meeting, leader, "prev")  # at the very start: stays
    assert where(meeting) == ("wins", 0, 0)


def test_a_team_without_wins_or_producers_skips_empty_sections(agency, team, leader,
                                                                 last_week):
    leader.role = "non_producer"
    leader.save()
    boss = ProducerFactory(agency=agency, team=team, role="owner")
    meeting = meeting_start(team=team, week_start=last_week, actor=boss)
    move(meeting, boss, "next")
    assert where(meeting) == ("turns", 0, 0)  # the owner's own turn
    leader.role = "leader"
    leader.save()
    # a meeting with no turns at all goes from wins straight to pipeline
    empty_team = type(team).objects.create(agency=agency, name="Empty")
    empty = meeting_start(team=empty_team, week_start=last_week, actor=boss)
    move(empty, boss, "next")
    assert where(empty) == ("pipeline", 0, 0)
    move(empty, boss, "prev")
    assert where(empty) == ("wins", 0, 0)


def test_section_and_turn_timers_accumulate(team, producer, leader, last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    # pretend the wins section began 4 minutes ago
    Meeting.objects.filter(pk=meeting.pk).update(
        section_started_at=timezone.now() - dt.timedelta(minutes=4))
    move(meeting, leader, "next")
    MeetingTurn.objects.filter(meeting=meeting, position=0).update(
        started_at=timezone.now() - dt.timedelta(seconds=90))
    move(meeting, leader, "next")
    meeting.refresh_from_db()
    assert 239 <= meeting.section_seconds["wins"] <= 242
    leader_turn = MeetingTurn.objects.get(meeting=meeting, position=0)
    assert 89 <= leader_turn.seconds <= 92
    assert leader_turn.started_at is None
    assert MeetingTurn.objects.get(meeting=meeting, position=1).started_at is not None


def test_end_stops_the_clock_and_freezes_the_minutes(team, producer, leader, last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    move(meeting, leader, "next")
    ended = meeting_end(meeting=meeting, actor=leader)
    assert ended.section == "ended" and ended.ended_at is not None
    assert set(ended.section_seconds) == {"wins", "turns"}
    with pytest.raises(ValidationError):
        move(meeting, leader, "next")
    assert where(meeting)[0] == "ended"


def test_a_stale_navigation_is_refused_and_changes_nothing(team, producer, leader, owner,
                                                            last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    seen = position_key(meeting)
    meeting_move(meeting=meeting, actor=owner, direction="next", seen=seen)
    before = where(meeting)
    version = Meeting.objects.get(pk=meeting.pk).version
    with pytest.raises(MeetingMoved):
        meeting_move(meeting=meeting, actor=leader, direction="next", seen=seen)
    assert where(meeting) == before
    assert Meeting.objects.get(pk=meeting.pk).version == version


def test_producers_cannot_drive(team, producer, leader, last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    with pytest.raises(ValidationError):
        meeting_move(meeting=meeting, actor=producer, direction="next",
                     seen=position_key(meeting))
    with pytest.raises(ValidationError):
        meeting_end(meeting=meeting, actor=producer)
    assert where(meeting) == ("wins", 0, 0)


def test_turn_time_keeps_the_whole_meeting_within_thirty_minutes():
    assert turn_target_seconds(4) == 120
    for n in (1, 8, 12, 20):
        assert 13 * 60 + turn_target_seconds(n) * n <= 30 * 60


def test_commitments_are_for_the_week_after_the_reviewed_one(team, leader, agency, last_week):
    reviewed_last_week = meeting_start(team=team, week_start=last_week, actor=leader)
    assert commitment_week(reviewed_last_week) == Week.current(agency).start
    this_week = meeting_start(team=team, week_start=Week.current(agency).start, actor=leader)
    assert commitment_week(this_week) == Week.current(agency).start + dt.timedelta(days=7)
    # a meeting resumed weeks later never commits to a week that is over
    old = Meeting.objects.create(agency=agency, team=team, week_start=last_week - dt.timedelta(
        days=14), started_at=timezone.now(), section_started_at=timezone.now())
    assert commitment_week(old) == Week.current(agency).start


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_leaders_pressing_next_at_once_advance_the_meeting_once(team, producer, leader,
                                                                     owner, last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    seen = position_key(meeting)
    barrier = threading.Barrier(2)
    outcomes = []

    def press(actor):
        try:
            barrier.wait()
            meeting_move(meeting=Meeting.objects.get(pk=meeting.pk), actor=actor,
                         direction="next", seen=seen)
            outcomes.append("moved")
        except MeetingMoved:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=press, args=(a,)) for a in (leader, owner)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["moved", "stale"]
    meeting.refresh_from_db()
    assert (meeting.section, meeting.turn_index, meeting.version) == ("turns", 0, 2)
    assert connection.vendor == "postgresql"
