"""Clear the path: obstacles raised in a turn, carried from week to week until their owner
closes them, scoped to the team and the agency, with query counts that do not grow."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.agenda import position_key
from accountability.meetings.services import meeting_end, meeting_start
from accountability.models import Meeting, Obstacle
from salesculture.weeks import Week, local_now
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory
from tests.queries import queries_of


def url(name, *args):
    return reverse(f"accountability:{name}", args=args)


@pytest.fixture
def last_week(agency):
    return Week.current(agency).start - dt.timedelta(days=7)


def goto(meeting, section, turn=0):
    Meeting.objects.filter(pk=meeting.pk).update(section=section, turn_index=turn,
                                                 version=meeting.version + 1)
    meeting.refresh_from_db()


def obstacle(team, owner, text="Carrier X won't quote restaurants", **kwargs):
    return Obstacle.objects.create(agency=team.agency, team=team, text=text, owner=owner,
                                   raised_by=kwargs.pop("raised_by", owner),
                                   due_date=kwargs.pop("due_date", dt.date(2030, 1, 7)),
                                   raised_at=kwargs.pop("raised_at", timezone.now()), **kwargs)


def next_week(agency):
    return (local_now(agency).date() + dt.timedelta(days=7)).isoformat()


# --- access -----------------------------------------------------------------------------------

def test_a_producer_of_another_team_gets_404_and_changes_nothing(client, agency, team, leader):
    blocked = obstacle(team, leader)
    colleague = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"))
    login(client, colleague)
    assert client.get(url("obstacles") + f"?team={team.pk}").status_code == 404
    assert client.post(url("obstacle_close", blocked.pk),
                       {"resolution": "Done"}).status_code == 404
    assert client.post(url("obstacle_raise"), {
        "team": team.pk, "text": "Sneaky", "owner": leader.pk,
        "due_date": next_week(agency)}).status_code == 404
    # Their own list shows nothing of the other team.
    own = client.get(url("obstacles"))
    assert own.status_code == 200 and "restaurants" not in own.content.decode()
    blocked.refresh_from_db()
    assert blocked.closed_at is None and Obstacle.objects.count() == 1


def test_another_agency_gets_404(client, team, leader, other_producer):
    blocked = obstacle(team, leader)
    login(client, other_producer)
    assert client.get(url("obstacles") + f"?team={team.pk}").status_code == 404
    assert client.post(url("obstacle_close", blocked.pk),
                       {"resolution": "Done"}).status_code == 404
    blocked.refresh_from_db()
    assert blocked.closed_at is None


def test_only_its_owner_or_the_meeting_driver_closes_it(client, team, producer, leader):
    blocked = obstacle(team, leader, raised_by=producer)
    login(client, producer)  # same team, sees it, but does not own it
    assert blocked.text in client.get(url("obstacles")).content.decode().replace("&#x27;", "'")
    assert client.post(url("obstacle_close", blocked.pk),
                       {"resolution": "Done"}).status_code == 404
    login(client, leader)
    response = client.post(url("obstacle_close", blocked.pk),
                           {"resolution": "Called the underwriter at Y"}, follow=True)
    blocked.refresh_from_db()
    assert blocked.closed_at is not None and blocked.closed_by == leader
    assert "Called the underwriter at Y" in response.content.decode()


def test_a_meeting_of_another_team_cannot_close_this_teams_obstacle(client, agency, team,
                                                                    leader, owner, last_week):
    south = TeamFactory(agency=agency, name="South")
    ProducerFactory(agency=agency, team=south)
    blocked = obstacle(team, leader)
    their_meeting = meeting_start(team=south, week_start=last_week, actor=owner)
    login(client, owner)
    response = client.post(url("meeting_obstacle_close", their_meeting.pk, blocked.pk),
                           {"resolution": "Done"})
    assert response.status_code == 404
    blocked.refresh_from_db()
    assert blocked.closed_at is None


# --- forms ------------------------------------------------------------------------------------

def test_bad_input_is_answered_next_to_the_field_and_saves_nothing(client, agency, producer,
                                                                   leader):
    login(client, producer)
    yesterday = (local_now(agency).date() - dt.timedelta(days=1)).isoformat()
    response = client.post(url("obstacle_raise"), {
        "team": producer.team_id, "text": "  ", "owner": leader.pk, "due_date": yesterday})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say what is in the way." in page
    assert Obstacle.objects.count() == 0
    response = client.post(url("obstacle_raise"), {
        "team": producer.team_id, "text": "No quotes", "owner": leader.pk,
        "due_date": yesterday})
    assert response.status_code == 400
    assert "The due date is in the past" in response.content.decode()
    assert Obstacle.objects.count() == 0


def test_closing_needs_a_resolution(client, team, leader):
    blocked = obstacle(team, leader)
    login(client, leader)
    response = client.post(url("obstacle_close", blocked.pk), {"resolution": ""})
    assert response.status_code == 400
    assert "Say how it was cleared." in response.content.decode()
    blocked.refresh_from_db()
    assert blocked.closed_at is None


def test_a_raise_sent_twice_raises_once(client, agency, producer, leader):
    login(client, producer)
    form = {"team": producer.team_id, "text": "Carrier X won't quote restaurants",
            "owner": leader.pk, "due_date": next_week(agency), "client_token": "t" * 32}
    assert client.post(url("obstacle_raise"), form).status_code == 302
    assert client.post(url("obstacle_raise"), form).status_code == 302
    assert Obstacle.objects.count() == 1
    assert Obstacle.objects.get().raised_by == producer


# --- week to week -----------------------------------------------------------------------------

def test_an_obstacle_raised_in_week_one_carries_over_until_cleared_in_week_two(
        client, agency, team, producer, leader, last_week):
    # given: week one's meeting, where the driver raises an obstacle during Pat's turn
    week_one = meeting_start(team=team, week_start=last_week - dt.timedelta(days=7),
                             actor=leader)
    goto(week_one, "turns", turn=1)
    login(client, leader)
    response = client.post(url("meeting_obstacle_raise", week_one.pk), {
        "text": "Carrier X won't quote restaurants", "owner": leader.pk, "for": producer.pk,
        "due_date": next_week(agency)}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    raised = Obstacle.objects.get()
    assert (raised.raised_in, raised.raised_by, raised.owner) == (week_one, producer, leader)
    goto(week_one, "wrap_up")
    wrap = client.get(url("meeting", week_one.pk)).content.decode()
    assert "Obstacles raised <span class=\"panel-num\">1</span>" in wrap
    meeting_end(meeting=week_one, actor=leader)

    # when: week two's meeting reaches Clear the path
    week_two = meeting_start(team=team, week_start=last_week, actor=leader)
    goto(week_two, "clear_path")
    page = client.get(url("meeting", week_two.pk)).content.decode()

    # then: it is still open there, marked as carried over
    assert "Carrier X won't quote restaurants" in page.replace("&#x27;", "'")
    assert "carried over" in page

    # when: its owner clears it in week two
    response = client.post(url("meeting_obstacle_close", week_two.pk, raised.pk),
                           {"resolution": "Found a restaurant market with Y"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    raised.refresh_from_db()
    assert raised.cleared_in == week_two
    goto(week_two, "wrap_up")
    wrap = client.get(url("meeting", week_two.pk)).content.decode()

    # then: week two's wrap-up lists it as cleared, and not as raised
    assert "Obstacles cleared <span class=\"panel-num\">1</span>" in wrap
    assert "Found a restaurant market with Y" in wrap
    assert "Obstacles raised <span class=\"panel-num\">0</span>" in wrap
    # and week one's minutes still say it was raised there
    minutes = client.get(url("meeting", week_one.pk)).content.decode()
    assert "Obstacles raised <span class=\"panel-num\">1</span>" in minutes
    assert "Obstacles cleared <span class=\"panel-num\">0</span>" in minutes


def test_the_section_lists_open_obstacles_oldest_first_and_not_long_closed_ones(
        client, team, leader, last_week):
    now = timezone.now()
    obstacle(team, leader, text="Newer one", raised_at=now - dt.timedelta(days=1))
    obstacle(team, leader, text="Oldest one", raised_at=now - dt.timedelta(days=20))
    obstacle(team, leader, text="Long cleared", raised_at=now - dt.timedelta(days=30),
             closed_at=now - dt.timedelta(days=10), resolution="Fixed")
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    goto(meeting, "clear_path")
    page = login(client, leader).get(url("meeting", meeting.pk)).content.decode()
    assert page.index("Oldest one") < page.index("Newer one")
    assert "Long cleared" not in page
    assert "open 2 weeks" in page


def test_the_meeting_moves_from_pipeline_to_clear_the_path_to_wrap_up(client, team, producer,
                                                                      leader, last_week):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    goto(meeting, "pipeline")
    login(client, leader)
    client.post(url("meeting_move", meeting.pk), {"direction": "next",
                                                  "at": position_key(meeting)})
    meeting.refresh_from_db()
    assert meeting.section == "clear_path"
    client.post(url("meeting_move", meeting.pk), {"direction": "next",
                                                  "at": position_key(meeting)})
    meeting.refresh_from_db()
    assert meeting.section == "wrap_up"


# --- query counts -----------------------------------------------------------------------------

def _obstacles(team, owners, n):
    for i in range(n):
        o = obstacle(team, owners[i % len(owners)], text=f"Obstacle {i}",
                     raised_by=owners[(i + 1) % len(owners)])
        if i % 3 == 2:
            Obstacle.objects.filter(pk=o.pk).update(closed_at=timezone.now(), resolution="Done",
                                                    closed_by=owners[0])


@pytest.mark.parametrize("section", ["clear_path", "wrap_up", "turns"])
def test_the_meeting_section_runs_the_same_queries_however_many_obstacles(
        client, team, producer, leader, last_week, section):
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    goto(meeting, section)
    login(client, leader)
    _obstacles(team, [leader, producer], 1)
    Obstacle.objects.update(raised_in=meeting)
    small = queries_of(client.get, url("meeting", meeting.pk))
    _obstacles(team, [leader, producer, ProducerFactory(agency=team.agency, team=team)], 9)
    Obstacle.objects.update(raised_in=meeting)
    Obstacle.objects.exclude(closed_at=None).update(cleared_in=meeting)
    large = queries_of(client.get, url("meeting", meeting.pk))
    assert small.status == large.status == 200
    assert small == large


def test_the_list_runs_the_same_queries_however_many_obstacles(client, team, producer, leader):
    login(client, producer)
    _obstacles(team, [leader, producer], 1)
    small = queries_of(client.get, url("obstacles"))
    _obstacles(team, [leader, producer, ProducerFactory(agency=team.agency, team=team)], 12)
    large = queries_of(client.get, url("obstacles"))
    assert small.status == large.status == 200
    assert small == large


def test_raising_and_clearing_are_in_the_audit_trail_once(client, agency, producer, leader,
                                                          owner):
    """The owner's audit page says who raised an obstacle and who cleared it; a raise sent
    twice is recorded once, as it is raised once."""
    login(client, producer)
    form = {"team": producer.team_id, "text": "Carrier X won't quote restaurants",
            "owner": leader.pk, "due_date": next_week(agency), "client_token": "a" * 32}
    client.post(url("obstacle_raise"), form)
    client.post(url("obstacle_raise"), form)
    login(client, leader)
    client.post(url("obstacle_close", Obstacle.objects.get().pk),
                {"resolution": "Called the underwriter at Y"})
    login(client, owner)
    page = client.get(reverse("audit")).content.decode().replace("&#x27;", "'")
    assert page.count("Pat Producer raised the obstacle “Carrier X won't quote restaurants”") \
        == 1
    assert "cleared the obstacle “Carrier X won't quote restaurants”" in page
