"""Issue 12: the team board at agency scale. A version per team, so a poll re-renders only
when something its board shows changed; a board rendered once per version for everyone who
sees it alike (nothing of one viewer in what another gets); and the whole agency as a line per
team, each team's rows on demand."""

import datetime as dt
import re
import statistics
import time
from decimal import Decimal

import pytest
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.models import WeeklyScorecard
from accountability.scorecards.live import live_versions_bump
from accountability.scorecards.refresh import scorecards_refresh
from salesculture.models import Agency, Producer, Team
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ActivityFactory, AgencyFactory, ProducerFactory, TeamFactory
from tests.queries import counting, queries_of

HTMX = {"HTTP_HX_REQUEST": "true"}
TEAM_POLL = "accountability:live_team"
ROWS = "accountability:live_team_rows"


def version(team: Team | None = None, agency: Agency | None = None) -> int:
    if team is not None:
        return Team.objects.get(pk=team.pk).live_version
    return Agency.objects.get(pk=agency.pk).live_version


def card(producer, week, **fields):
    return WeeklyScorecard.objects.create(
        agency=producer.agency, producer=producer, week_start=week,
        computed_at=timezone.now(), **fields)


def get(client, name, **params):
    return client.get(reverse(name), params, **HTMX)


@pytest.fixture
def south(agency):
    return TeamFactory(agency=agency, name="South")


@pytest.fixture
def sam(agency, south):
    return ProducerFactory(agency=agency, team=south, user__first_name="Sam",
                           user__last_name="South")


# --- a version per team -----------------------------------------------------------------------

def test_bump_moves_only_the_teams_of_the_producers_named(agency, team, south, producer, sam,
                                                         other_agency):
    foreign = ProducerFactory(agency=other_agency, team=TeamFactory(agency=other_agency))

    with counting() as run:
        live_versions_bump(agency, [producer.pk, producer.pk, foreign.pk])

    assert len(run.queries) == 2  # the agency's, its teams'
    assert (version(team), version(south), version(foreign.team)) == (1, 0, 0)
    assert (version(agency=agency), version(agency=other_agency)) == (1, 0)


def test_bump_of_nobody_costs_nothing(agency, team):
    with counting() as run:
        live_versions_bump(agency, [])
    assert len(run.queries) == 0 and version(team) == 0 and version(agency=agency) == 0


@pytest.mark.django_db
def test_bump_is_two_queries_however_many_producers_and_teams():
    agency = AgencyFactory()
    people = [ProducerFactory(agency=agency, team=TeamFactory(agency=agency))
              for _ in range(12)]
    with counting() as run:
        live_versions_bump(agency, [p.pk for p in people])
    assert len(run.queries) == 2
    assert [version(p.team) for p in people] == [1] * 12


def test_a_refresh_bumps_the_team_whose_producer_changed_and_the_agency(
        agency, team, south, producer, sam):
    week = Week.current(agency).start
    scorecards_refresh(agency=agency, week_start=week)
    before = (version(team), version(south), version(agency=agency))

    ActivityFactory(producer=producer, quantity=3)
    scorecards_refresh(agency=agency, week_start=week)

    assert version(team) == before[0] + 1
    assert version(south) == before[1]  # nothing of South changed
    assert version(agency=agency) == before[2] + 1  # the whole agency's board did
    # and a refresh that finds nothing new bumps nobody
    scorecards_refresh(agency=agency, week_start=week)
    assert (version(team), version(south)) == (before[0] + 1, before[1])


def test_a_change_in_another_team_leaves_this_teams_poll_quiet(
        client, agency, team, south, producer, sam):
    south_lead = ProducerFactory(agency=agency, team=south, role="leader")
    week = Week.current(agency).start
    scorecards_refresh(agency=agency, week_start=week)  # everyone has this week's card
    login(client, south_lead)
    page = client.get(reverse("accountability:team")).content.decode()
    rendered = re.search(r'/live/team/\?[^"]*v=(\d+)', page).group(1)

    ActivityFactory(producer=producer, quantity=2)  # North
    scorecards_refresh(agency=agency, week_start=week)

    assert get(client, TEAM_POLL, v=rendered).status_code == 204
    live_versions_bump(agency, [sam.pk])
    assert get(client, TEAM_POLL, v=rendered).status_code == 200


def test_an_unchanged_poll_of_the_own_team_costs_only_the_log_in(leader_client, team,
                                                                 south):
    mine = queries_of(leader_client.get, reverse(TEAM_POLL),
                      {"v": version(team), "team": team.pk}, ok=(204,), **HTMX)
    other = queries_of(leader_client.get, reverse(TEAM_POLL),
                       {"v": version(south), "team": south.pk}, ok=(204,), **HTMX)
    assert mine.count == 3  # session, user, producer (with agency and team)
    assert other.count == 4  # and the other team's row


# --- one render per version, nothing of one viewer in another's ------------------------------

def test_a_second_viewer_of_the_same_board_costs_no_board_queries(client, agency, team, leader,
                                                                  producer):
    colleague = ProducerFactory(agency=agency, team=team, user__first_name="Cleo")
    url = reverse("accountability:team")
    login(client, producer)
    first = queries_of(client.get, url)
    other = Client()
    login(other, colleague)
    second = queries_of(other.get, url)

    assert second.count < first.count
    assert not [q for q in second.sql if "weeklyscorecard" in q or "commitment" in q]


def test_each_viewer_sees_only_their_own_row_marked_and_linked(client, agency, team, leader,
                                                              producer):
    colleague = ProducerFactory(agency=agency, team=team, user__first_name="Cleo")
    week = Week.current(agency).start
    url = reverse("accountability:team")
    pages = {}
    for person in (producer, colleague, leader):
        viewer = Client()
        login(viewer, person)
        pages[person.pk] = viewer.get(url).content.decode()

    def name_cell(html, pk):
        return re.search(rf'data-producer="{pk}">\s*(<th.*?</th>)', html, re.S).group(1)

    def drill(pk):
        return reverse("accountability:drilldown", args=[pk])

    mine = pages[producer.pk]
    assert 'class="pill">you<' in name_cell(mine, producer.pk) and "me" in name_cell(
        mine, producer.pk)
    assert "you<" not in name_cell(mine, colleague.pk) and drill(colleague.pk) not in mine
    assert f'href="{drill(producer.pk)}?week={week}"' in name_cell(mine, producer.pk)
    assert f'href="{drill(producer.pk)}?week={week}">Your own row</a>' in mine
    theirs = pages[colleague.pk]
    assert "you<" not in name_cell(theirs, producer.pk) and drill(producer.pk) not in theirs
    assert "you<" in name_cell(theirs, colleague.pk)
    # a leader's board (another render: their columns) links every row of their team
    lead = pages[leader.pk]
    column = "Pipeline</a></th>"
    assert drill(producer.pk) in lead and drill(colleague.pk) in lead and column in lead
    assert column not in mine and "producer-view-note" not in lead
    assert lead.count('class="pill">you<') == 1 and "you<" in name_cell(lead, leader.pk)


def test_a_leader_looking_at_another_team_sees_every_column_but_no_drill_down(
        leader_client, south, sam):
    html = leader_client.get(reverse("accountability:team"), {"team": south.pk}).content.decode()
    assert f'data-producer="{sam.pk}"' in html and "Pipeline</a></th>" in html
    assert reverse("accountability:drilldown", args=[sam.pk]) not in html


def test_a_shared_board_carries_no_ones_csrf_token(client, agency, team, producer):
    colleague = ProducerFactory(agency=agency, team=team)
    tokens, boards = [], []
    for person in (producer, colleague):
        viewer = Client()
        login(viewer, person)
        html = viewer.get(reverse("accountability:team")).content.decode()
        tokens.append(re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1))
        board = html.index('<section id="team-scorecard"')
        boards.append(html[board:html.index('<section class="card wins-card"')])
    assert tokens[0] != tokens[1]
    assert tokens[0] not in boards[0] + boards[1] and tokens[1] not in boards[0] + boards[1]
    assert "csrfmiddlewaretoken" not in boards[0]


def test_a_new_version_renders_the_board_afresh(leader_client, agency, team, leader):
    week = Week.current(agency).start
    url = reverse("accountability:team")
    card(leader, week, wins=1)
    assert '<td class="num wins">1</td>' in leader_client.get(url).content.decode()

    WeeklyScorecard.objects.filter(producer=leader).update(wins=4)
    Team.objects.filter(pk=team.pk).update(live_version=F("live_version") + 1)

    assert '<td class="num wins">4</td>' in leader_client.get(url).content.decode()


def _row(html: str, producer) -> str:
    match = re.search(rf'<tr[^>]*data-producer="{producer.pk}">.*?</tr>', html, re.S)
    assert match, f"no row for {producer}"
    return match.group(0)


class RowsStored:
    """The cache, recording which board rows a request rendered and stored."""

    def __init__(self, real):
        self.real, self.stored = real, []

    def get_many(self, keys):
        return self.real.get_many(keys)

    def set_many(self, rows, timeout):
        self.stored.extend(rows.values())
        return self.real.set_many(rows, timeout)


def test_after_a_change_only_the_changed_row_is_rendered_again(leader_client, agency, team,
                                                               leader, producer, monkeypatch):
    """Rows are cached by what they show: a bump re-renders the board, but a row whose
    numbers, name and plan are the same comes from the cache (one render, not fifty)."""
    from accountability.scorecards import boards

    week = Week.current(agency).start
    url = reverse("accountability:team")
    card(leader, week, wins=1)
    card(producer, week, wins=2)
    leader_client.get(url)
    stored = RowsStored(boards.cache)
    monkeypatch.setattr(boards, "cache", stored)

    WeeklyScorecard.objects.filter(producer=producer).update(wins=5)
    Team.objects.filter(pk=team.pk).update(live_version=F("live_version") + 1)
    html = leader_client.get(url).content.decode()

    assert '<td class="num wins">5</td>' in _row(html, producer)
    assert '<td class="num wins">1</td>' in _row(html, leader)
    assert len(stored.stored) == 1 and f'data-producer="{producer.pk}"' in stored.stored[0]


def test_a_cached_row_shows_a_rename_and_a_new_plan_label(leader_client, agency, team, leader,
                                                          producer):
    from accountability.models import GoalPlan

    def row_after_bump():
        Team.objects.filter(pk=team.pk).update(live_version=F("live_version") + 1)
        return _row(leader_client.get(reverse("accountability:team")).content.decode(), producer)

    card(producer, Week.current(agency).start, wins=2)
    assert "No plan" in row_after_bump()

    producer.user.first_name = "Renata"
    producer.user.save()
    assert "Renata" in row_after_bump()

    GoalPlan.objects.create(agency=agency, producer=producer, year=timezone.now().year,
                            annual_goal=100000, weeks_left=10, label="stretch",
                            computed_at=timezone.now())
    row = row_after_bump()
    assert "Stretch" in row and "No plan" not in row


# --- the whole agency: a line per team, the rows on demand -----------------------------------

@pytest.fixture
def two_teams(agency, team, south, owner, leader, producer, sam):
    """North: Olive (owner), Lee (leader), Pat; South: Sam; plus Nell on no team."""
    week = Week.current(agency).start
    nell = ProducerFactory(agency=agency, team=None, user__first_name="Nell")
    card(owner, week, wins=2, commitments_total=2, commitments_kept=2,
         pipeline_open_value=Decimal("1000"))
    card(leader, week, wins=3, commitments_total=2, commitments_kept=1)
    card(producer, week, wins=1, commitments_total=4, commitments_kept=1)
    card(sam, week, wins=5, commitments_total=1, commitments_kept=1,
         pipeline_open_value=Decimal("2500"))
    card(sam, week - dt.timedelta(weeks=1), wins=7)
    return week, nell


def _line(html: str, key) -> str:
    match = re.search(rf'<tbody class="team-line" data-team="{key}">.*?</tr>', html, re.S)
    assert match, f"no line for team {key}"
    return match.group(0)


def test_the_owners_board_is_a_line_per_team_summed(client, agency, team, south, owner, sam,
                                                     two_teams):
    login(client, owner)
    html = client.get(reverse("accountability:team")).content.decode()

    assert 'data-producer="' not in html  # no producer's row until asked for
    north, southern = _line(html, team.pk), _line(html, south.pk)
    assert ">North</a>" in north and '<td class="num">3</td>' in north  # people
    assert '<td class="num wins">6</td>' in north and "4/8" in north  # 2+3+1 wins, kept
    assert '<td class="num wins">5</td>' in southern and "$2,500" in southern
    assert "No team" in _line(html, "none")  # Nell sells on no team
    total = re.search(r'<tr class="total">.*?</tr>', html, re.S).group(0)
    assert "Agency total" in total and '<td class="num">5</td>' in total
    assert '<td class="num wins">11</td>' in total
    assert 'data-testid="leaders-vs-team"' in html
    # last week, in numbers, names the most stage wins
    assert re.search(r"Most stage wins</span>.*Sam South <b>7</b>", html, re.S)


def test_a_teams_rows_open_on_demand_and_poll_with_the_teams_version(
        client, agency, team, south, owner, sam, producer, other_agency, two_teams):
    login(client, owner)
    week, _ = two_teams

    rows = get(client, ROWS, team=south.pk, week=week.isoformat())
    html = rows.content.decode()
    assert rows.status_code == 200
    assert html.startswith(f'<div id="team-rows-{south.pk}-body"')
    assert f'data-producer="{sam.pk}"' in html and f'data-producer="{producer.pk}"' not in html
    assert f"v={version(south)}" in html
    assert get(client, ROWS, team=south.pk, v=version(south)).status_code == 204
    assert get(client, ROWS, team=south.pk, v=version(south) + 1).status_code == 200
    nobody = get(client, ROWS, team="none").content.decode()
    assert "Nell" in nobody and f'data-producer="{sam.pk}"' not in nobody
    assert get(client, ROWS, team=TeamFactory(agency=other_agency).pk).status_code == 404
    assert get(client, ROWS, team="all").status_code == 400


def test_a_producer_sees_the_team_lines_without_pipelines(client, agency, producer, two_teams):
    login(client, producer)
    html = client.get(reverse("accountability:team"), {"team": "all"}).content.decode()
    assert 'data-testid="team-summary"' in html
    assert "$2,500" not in html and "Coverage" not in html
    rows = get(client, ROWS, team=producer.team_id).content.decode()
    assert "Pipeline</a></th>" not in rows
    assert reverse("accountability:drilldown", args=[producer.pk]) in rows  # their own row


def _summary_counts(client, n: int) -> dict:
    agency = AgencyFactory()
    teams = [TeamFactory(agency=agency) for _ in range(2)]
    owner = ProducerFactory(agency=agency, team=teams[0], role="owner")
    week = Week.current(agency).start
    for i in range(n):
        person = ProducerFactory(agency=agency, team=teams[i % 2])
        for back in range(13):
            card(person, week - dt.timedelta(weeks=back), wins=back % 3, commitments_total=2,
                 commitments_kept=back % 3)
    client.logout()
    login(client, owner)
    url = reverse("accountability:team")
    return {"page": queries_of(client.get, url),
            "rows": queries_of(client.get, reverse(ROWS), {"team": teams[1].pk}, **HTMX),
            "poll_unchanged": queries_of(client.get, reverse(TEAM_POLL),
                                         {"v": agency.live_version}, ok=(204,), **HTMX)}


@pytest.mark.django_db
def test_the_whole_agency_board_costs_the_same_queries_for_4_and_40_producers(client):
    small, large = _summary_counts(client, 4), _summary_counts(client, 40)
    print("whole-agency board query counts (4, 40 producers):", small, large)
    assert small == large
    assert small["page"] <= 10 and small["poll_unchanged"] == 3


# --- cost --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_shared_board_page_costs_a_few_trivial_requests_not_its_rows(client, agency, team):
    leader = ProducerFactory(agency=agency, team=team, role="leader")
    week = Week.current(agency).start
    for person in [leader, *ProducerFactory.create_batch(40, agency=agency, team=team)]:
        for back in range(13):
            card(person, week - dt.timedelta(weeks=back), wins=back % 4)
    login(client, leader)
    url, floor_url = reverse("accountability:team"), reverse("login")

    def median_ms(target: str, status: int, n: int = 40) -> float:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            assert client.get(target).status_code == status
            times.append(time.perf_counter() - start)
        return statistics.median(times) * 1000

    median_ms(url, 200, 3)  # the first render of this version
    page_ms, floor_ms = median_ms(url, 200), median_ms(floor_url, 302)
    print(f"\nboard page (41 rows, rendered at this version already): {page_ms:.2f} ms; "
          f"logged-in redirect: {floor_ms:.2f} ms; ratio {page_ms / floor_ms:.1f}")
    # Rendering 41 rows each time costs about 20 of these; the shared board about 3.
    assert page_ms / floor_ms < 8


def test_a_change_to_a_person_renders_their_teams_board_afresh(producer, leader, owner):
    """Role, activation, goal and plan label show on the boards, which are cached by their
    team's version: each change bumps it (and the agency's, for the whole-agency board)."""
    from salesculture.services import producer_set_active, producer_set_role

    def versions():
        team = Team.objects.get(pk=producer.team_id)
        return team.live_version, Agency.objects.get(pk=producer.agency_id).live_version

    before = versions()
    producer_set_role(producer=producer, role=Producer.Role.NON_PRODUCER, actor=owner)
    after_role = versions()
    assert after_role[0] > before[0] and after_role[1] > before[1]
    producer_set_active(producer=producer, active=False, actor=owner)
    assert versions()[0] > after_role[0]
    unchanged = versions()
    producer_set_active(producer=producer, active=False, actor=owner)  # nothing changes
    assert versions() == unchanged
