"""The owners' Settings area in the app: the hub, the agency's own settings, and the teams."""

import html as html_lib

import pytest
from django.urls import reverse

from accountability.planning.selectors import plan_rules
from salesculture.models import Agency, AuditEvent, Producer, Team
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory
from tests.queries import queries_of

HUB = reverse("settings")
AGENCY = reverse("settings_agency")
TEAMS = reverse("settings_teams")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def agency_data(**overrides):
    return {"name": "Summit Insurance", "time_zone": "America/Denver",
            "working_weeks_per_year": "46", "meeting_weekday": "1", "meeting_minutes": "45",
            **overrides}


# --- the hub ------------------------------------------------------------------------------------

def test_the_owner_sees_every_section_and_the_nav_link(owner_client):
    page = text(owner_client.get(HUB))
    for section, url in [("Agency", AGENCY), ("Stages", reverse("pipeline_settings:stages")),
                         ("Activity types", reverse("pipeline_settings:activity_types")),
                         ("Lost reasons", reverse("pipeline_settings:lost_reasons")),
                         ("Teams", TEAMS)]:
        assert f'<a href="{url}"><strong>{section}</strong>' in page
    assert f'href="{HUB}" aria-current="page">Settings</a>' in page


def test_a_leader_sees_the_hub_without_the_owners_sections(leader_client):
    response = leader_client.get(HUB)
    assert response.status_code == 200
    page = text(response)
    assert "<strong>Stages</strong>" not in page and "<strong>Teams</strong>" not in page


def test_a_producer_gets_404_and_no_nav_link(producer_client):
    assert producer_client.get(HUB).status_code == 404
    assert ">Settings</a>" not in text(producer_client.get(reverse("profile")))


@pytest.mark.parametrize("who", ["producer", "leader"])
def test_producers_and_leaders_get_404_on_owner_settings(client, request, agency, team, who):
    login(client, request.getfixturevalue(who))
    for url in (AGENCY, TEAMS, reverse("settings_team", args=[team.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, {**agency_data(), "name": "Taken over"}).status_code == 404
    agency.refresh_from_db()
    assert agency.name == "Summit Test Agency" and not Team.objects.filter(name="Taken over")


# --- the agency ---------------------------------------------------------------------------------

def test_owner_saves_the_agency_settings_and_the_change_is_recorded(owner_client, owner):
    response = owner_client.post(AGENCY, agency_data())

    assert response.status_code == 302
    agency = Agency.objects.get(pk=owner.agency_id)
    assert (agency.name, agency.time_zone, agency.working_weeks_per_year, agency.meeting_weekday,
            agency.meeting_minutes) == ("Summit Insurance", "America/Denver", 46, 1, 45)
    event = AuditEvent.objects.get(kind="agency.changed")
    assert event.changes["time_zone"] == ["America/Chicago", "America/Denver"]
    assert event.changes["working_weeks_per_year"] == [48, 46]
    assert event.changes["meeting_weekday"] == ["Monday", "Tuesday"]
    page = text(owner_client.get(AGENCY))
    assert "Agency settings saved." in page and 'value="Summit Insurance"' in page
    history = text(owner_client.get(reverse("audit")))
    assert "changed the agency’s settings" in history and "America/Denver" in history


@pytest.mark.parametrize("field,value,message", [
    ("name", " ", "This field is required."),
    ("time_zone", "Mars/Olympus", "Choose a time zone from the list, such as America/Chicago."),
    ("working_weeks_per_year", "0", "Enter a number of weeks between 1 and 52."),
    ("working_weeks_per_year", "53", "Enter a number of weeks between 1 and 52."),
    ("meeting_weekday", "9", "Choose a day."),
    ("meeting_minutes", "2", "A meeting lasts between 5 and 240 minutes."),
    ("meeting_minutes", "an hour", "A meeting lasts between 5 and 240 minutes."),
])
def test_bad_agency_input_is_said_next_to_the_field_and_nothing_saved(owner_client, owner,
                                                                      field, value, message):
    response = owner_client.post(AGENCY, agency_data(**{field: value}))

    assert response.status_code == 400
    assert message in response.context["form"].errors[field]
    assert message in text(response)
    agency = Agency.objects.get(pk=owner.agency_id)
    assert (agency.name, agency.time_zone) == ("Summit Test Agency", "America/Chicago")
    assert not AuditEvent.objects.exists()


def test_the_plan_divides_the_year_by_the_agencys_working_weeks(owner_client, owner, settings):
    assert plan_rules(owner.agency).working_weeks == settings.SALESCULTURE[
        "WORKING_WEEKS_PER_YEAR"]
    owner_client.post(AGENCY, agency_data(working_weeks_per_year="40"))
    assert plan_rules(Agency.objects.get(pk=owner.agency_id)).working_weeks == 40


# --- teams --------------------------------------------------------------------------------------

def test_owner_adds_and_renames_a_team(owner_client, owner):
    response = owner_client.post(TEAMS, {"name": "South"})
    assert response.status_code == 302
    south = Team.objects.get(agency=owner.agency, name="South")
    assert "Team South added." in text(owner_client.get(TEAMS))

    owner_client.post(reverse("settings_team", args=[south.pk]), {"name": "South & West"})

    south.refresh_from_db()
    assert south.name == "South & West"
    assert list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "team.added", "team.renamed"]


@pytest.mark.parametrize("name,message", [
    ("", "Give the team a name."),
    ("north", "Your agency already has a team called “north”."),
    ("x" * 81, "Ensure this value has at most 80 characters"),
])
def test_bad_team_name_is_said_next_to_the_field(owner_client, owner, name, message):
    response = owner_client.post(TEAMS, {"name": name})

    assert response.status_code == 400
    assert any(message in e for e in response.context["add_form"].errors["name"])
    assert list(Team.objects.filter(agency=owner.agency).values_list("name", flat=True)) == [
        "North"]


def test_moving_someone_keeps_their_history_and_redraws_both_boards(owner_client, owner,
                                                                     producer, team):
    # given: Pat on North with a prospect; a team South
    from pipeline.services import prospect_create
    acme = prospect_create(owner=producer, name="Acme")
    south = TeamFactory(agency=owner.agency, name="South")
    versions = (team.live_version, south.live_version, owner.agency.live_version)

    # when
    response = owner_client.post(reverse("settings_member_move", args=[producer.pk]),
                                 {f"p{producer.pk}-team": str(south.pk)}, follow=True)

    # then
    producer.refresh_from_db()
    assert producer.team == south
    assert "Pat Producer is now on South." in text(response)
    acme.refresh_from_db()
    assert acme.owner == producer  # the prospect stays with the person
    team.refresh_from_db(), south.refresh_from_db(), owner.agency.refresh_from_db()
    assert (team.live_version, south.live_version, owner.agency.live_version) == tuple(
        v + 1 for v in versions)
    event = AuditEvent.objects.get(kind="producer.team_changed")
    assert event.changes == {"team": ["North", "South"]}
    assert "moved Pat Producer from North to South" in text(owner_client.get(reverse("audit")))


def test_moving_to_no_team_and_to_another_agencys_team(owner_client, producer, other_agency):
    theirs = TeamFactory(agency=other_agency, name="Theirs")
    field = f"p{producer.pk}-team"

    owner_client.post(reverse("settings_member_move", args=[producer.pk]),
                      {field: str(theirs.pk)})
    producer.refresh_from_db()
    assert producer.team.name == "North"

    owner_client.post(reverse("settings_member_move", args=[producer.pk]), {field: ""})
    producer.refresh_from_db()
    assert producer.team is None


def test_owner_makes_a_producer_a_leader_of_their_team_and_back(owner_client, producer):
    url = reverse("settings_member_leader", args=[producer.pk])

    response = owner_client.post(url, {"leader": "1"}, follow=True)
    producer.refresh_from_db()
    assert producer.role == Producer.Role.LEADER
    assert "Pat Producer is now a leader of North." in text(response)
    page = text(owner_client.get(reverse("settings_team", args=[producer.team_id])))
    row = page[page.index(f'id="person-{producer.pk}"'):]
    row = row[:row.index("</li>")]
    assert 'pill-brand">Leader</span>' in row and "Make producer" in row

    owner_client.post(url, {"leader": "0"})
    producer.refresh_from_db()
    assert producer.role == Producer.Role.PRODUCER
    assert list(AuditEvent.objects.filter(kind="role.changed").order_by("pk").values_list(
        "changes", flat=True)) == [{"role": ["producer", "leader"]},
                                   {"role": ["leader", "producer"]}]


def test_a_leader_needs_a_team_and_an_owner_is_not_demoted_here(owner_client, owner, agency):
    loner = ProducerFactory(agency=agency, team=None)
    response = owner_client.post(reverse("settings_member_leader", args=[loner.pk]),
                                 {"leader": "1"}, follow=True)
    assert "Put " in text(response) and "on a team first" in text(response)
    owner_client.post(reverse("settings_member_leader", args=[owner.pk]), {"leader": "0"})
    owner.refresh_from_db()
    assert owner.role == Producer.Role.OWNER


def test_another_agencys_team_and_people_are_404(owner_client, other_agency, other_producer):
    theirs = other_producer.team
    assert owner_client.get(reverse("settings_team", args=[theirs.pk])).status_code == 404
    assert owner_client.post(reverse("settings_team", args=[theirs.pk]),
                             {"name": "Mine"}).status_code == 404
    for name in ("settings_member_move", "settings_member_leader"):
        assert owner_client.post(reverse(name, args=[other_producer.pk]),
                                 {"leader": "1"}).status_code == 404
    other_producer.refresh_from_db()
    assert (other_producer.team, other_producer.role) == (theirs, "producer")


def test_the_teams_page_costs_the_same_however_many_teams_and_people(owner_client, agency):
    small = queries_of(owner_client.get, TEAMS)
    for n in range(6):
        team = TeamFactory(agency=agency, name=f"Team {n}")
        for _ in range(4):
            ProducerFactory(agency=agency, team=team)
    ProducerFactory(agency=agency, team=None)
    assert queries_of(owner_client.get, TEAMS) == small


def test_the_hub_and_agency_pages_cost_a_fixed_number_of_queries(owner_client, agency):
    hub, page = queries_of(owner_client.get, HUB), queries_of(owner_client.get, AGENCY)
    for n in range(5):
        ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name=f"T{n}"))
    assert queries_of(owner_client.get, HUB) == hub
    assert queries_of(owner_client.get, AGENCY) == page


def test_a_stored_plan_is_recomputed_when_the_working_weeks_change(owner_client, producer):
    from accountability.planning.services import goal_plan_refresh, goal_plan_refresh_if_stale

    plan = goal_plan_refresh(producer=producer)
    owner_client.post(AGENCY, agency_data(working_weeks_per_year="40"))
    producer.agency.refresh_from_db()

    refreshed = goal_plan_refresh_if_stale(producer=producer)

    assert (plan.working_weeks, refreshed.working_weeks) == (48, 40)


def test_the_meeting_screen_times_itself_to_the_agencys_meeting_length(owner_client, owner,
                                                                       leader, producer):
    from accountability.meetings.selectors import meeting_screen
    from accountability.meetings.services import meeting_start
    from salesculture.weeks import Week

    for _ in range(9):  # twelve turns: enough to fill the meeting
        ProducerFactory(agency=owner.agency, team=leader.team)
    meeting = meeting_start(team=leader.team, week_start=Week.current(owner.agency).start,
                            actor=leader)
    assert meeting_screen(meeting).total_target == 30 * 60

    owner_client.post(AGENCY, agency_data(meeting_minutes="20"))
    meeting.agency.refresh_from_db()

    screen = meeting_screen(meeting)
    # wins, pipeline and wrap-up keep their 13 minutes; the turns share what is left
    assert screen.total_target == 20 * 60
    assert len(screen.turns) == 12 and screen.turn_target == (7 * 60) // 12


def test_names_typed_in_settings_are_shown_escaped(owner_client, owner, producer):
    evil = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    owner_client.post(reverse("pipeline_settings:stages"), {
        "name": evil, "kind": "open", "definition_of_done": evil, "stale_after_days": "5"})
    owner_client.post(reverse("pipeline_settings:activity_types"), {"name": evil, "icon": ""})
    owner_client.post(reverse("pipeline_settings:lost_reasons"), {"name": evil})
    owner_client.post(TEAMS, {"name": evil})
    owner_client.post(AGENCY, agency_data(name=evil))
    from pipeline.models import Stage
    stage = Stage.objects.get(agency=owner.agency, name=evil)
    team = Team.objects.get(agency=owner.agency, name=evil)

    for url in (HUB, AGENCY, TEAMS, reverse("settings_team", args=[team.pk]),
                reverse("pipeline_settings:stages"), reverse("pipeline_settings:stage",
                                                             args=[stage.pk]),
                reverse("pipeline_settings:activity_types"),
                reverse("pipeline_settings:lost_reasons"), reverse("audit")):
        content = owner_client.get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content, url
        assert "&lt;script&gt;" in content, url


def test_the_teams_page_lists_each_team_by_its_size_and_leaders(owner_client, owner, leader,
                                                                producer, team):
    """An agency of 500 is fifty a team: the teams page says how many and who leads, and a
    team's people are on its own page."""
    south = TeamFactory(agency=owner.agency, name="South")
    loner = ProducerFactory(agency=owner.agency, team=None, user__first_name="Nell",
                            user__last_name="Loner")
    page = " ".join(text(owner_client.get(TEAMS)).split())
    north_line = page[page.index(f'id="team-{team.pk}"'):][:600]
    assert "people · led by Lee Leader" in north_line
    assert "0 people · no leader yet" in page[page.index(f'id="team-{south.pk}"'):][:600]
    assert f'id="person-{leader.pk}"' not in page
    assert f'id="person-{producer.pk}"' not in page  # on North's own page
    assert f'id="person-{loner.pk}"' in page  # the people on no team, to be placed
    north = text(owner_client.get(reverse("settings_team", args=[team.pk])))
    assert f'id="person-{producer.pk}"' in north and f'id="person-{loner.pk}"' not in north


def test_a_move_from_a_teams_page_returns_to_that_page(owner_client, producer, team):
    south = TeamFactory(agency=producer.agency, name="South")
    back = reverse("settings_team", args=[team.pk])
    response = owner_client.post(reverse("settings_member_move", args=[producer.pk]),
                                 {f"p{producer.pk}-team": str(south.pk), "back": back})
    assert response.url == back
    elsewhere = owner_client.post(reverse("settings_member_leader", args=[producer.pk]),
                                  {"leader": "1", "back": "//evil.example/settings/teams/"})
    assert elsewhere.url == TEAMS


def test_the_teams_pages_cost_the_same_queries_however_many_people(client, owner, team):
    login(client, owner)
    small = (queries_of(client.get, TEAMS),
             queries_of(client.get, reverse("settings_team", args=[team.pk])))
    for _ in range(12):
        ProducerFactory(agency=owner.agency, team=team)
        ProducerFactory(agency=owner.agency, team=None)
    large = (queries_of(client.get, TEAMS),
             queries_of(client.get, reverse("settings_team", args=[team.pk])))
    assert small == large
