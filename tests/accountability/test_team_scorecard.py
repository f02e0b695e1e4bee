"""The team scorecard: red/green on hand-built weeks, leaders first, what each role sees,
bad weeks, and query counts that do not grow with the number of producers."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Celebration, Commitment, GoalPlan, WeeklyScorecard
from accountability.scorecards.presenters import MET, MISSED, NONE
from accountability.scorecards.selectors import team_scorecard
from salesculture.weeks import Week, local_now
from tests.conftest import login
from tests.factories import (
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
    activity_type,
    stage,
)
from tests.queries import queries_of

OK = (200, 204)  # a poll that found nothing new answers 204

HTMX = {"HTTP_HX_REQUEST": "true"}


def card(producer, week, **fields):
    """A hand-built materialised scorecard."""
    defaults = {"agency": producer.agency, "computed_at": timezone.now()}
    return WeeklyScorecard.objects.create(producer=producer, week_start=week,
                                          **{**defaults, **fields})


def populate(agency, team, n, week):
    """n producers on `team`, each with 13 weeks of scorecards, this week's commitments, a
    celebration and a goal plan: what a busy agency's board reads."""
    people = ProducerFactory.create_batch(n, agency=agency, team=team)
    call = activity_type(agency, "Call")
    cards, commitments, plans = [], [], []
    for p in people:
        for back in range(13):
            cards.append(WeeklyScorecard(
                agency=agency, producer=p, week_start=week - dt.timedelta(weeks=back),
                wins=back % 4, activities_total=20, activity_counts={str(call.pk): 20},
                commitments_total=2, commitments_kept=1, pipeline_open_count=3,
                pipeline_open_value=Decimal("4500"), computed_at=timezone.now()))
        commitments.append(Commitment(
            agency=agency, producer=p, week_start=week, kind="activity", activity_type=call,
            target=15, made_at=timezone.now()))
        commitments.append(Commitment(
            agency=agency, producer=p, week_start=week, kind="stage_wins", target=2,
            made_at=timezone.now()))
        plans.append(GoalPlan(agency=agency, producer=p, year=timezone.now().year,
                              annual_goal=100000, weeks_left=5, label="stretch",
                              computed_at=timezone.now()))
    WeeklyScorecard.objects.bulk_create(cards)
    Commitment.objects.bulk_create(commitments)
    GoalPlan.objects.bulk_create(plans)
    Celebration.objects.bulk_create(
        Celebration(agency=agency, producer=p, kind="personal_best", source_key=f"t:{p.pk}",
                    week_start=week, title=f"{p.name} did well", occurred_at=timezone.now())
        for p in people)
    return people


# --- red / green ------------------------------------------------------------------------------

@pytest.fixture
def week(agency):
    return Week.current(agency).start - dt.timedelta(weeks=1)


def test_cells_are_green_when_met_red_when_missed_grey_without_or_with_zero_commitment(
        agency, team, leader, producer, week):
    # given: four producers, one measure (calls) judged four ways
    call = activity_type(agency, "Call")
    met = CommitmentFactory(producer=leader, week_start=week, target=10)
    missed = CommitmentFactory(producer=producer, week_start=week, target=10)
    nobody = ProducerFactory(agency=agency, team=team, user__first_name="Nora")
    zero_p = ProducerFactory(agency=agency, team=team, user__first_name="Zed")
    zero = CommitmentFactory(producer=zero_p, week_start=week, target=0)
    card(leader, week, activity_counts={str(call.pk): 12},
         commitment_actuals={str(met.pk): 12}, commitments_total=1, commitments_kept=1)
    card(producer, week, activity_counts={str(call.pk): 7},
         commitment_actuals={str(missed.pk): 7}, commitments_total=1, commitments_kept=0)
    card(nobody, week, activity_counts={str(call.pk): 30})
    card(zero_p, week, activity_counts={str(call.pk): 4}, commitment_actuals={str(zero.pk): 4})

    # when
    board = team_scorecard(actor=leader, week=week)

    # then
    assert [m.label for m in board.measures] == ["Call"]
    cells = {r.producer.pk: r.cells[0] for r in board.rows}
    assert (cells[leader.pk].status, cells[leader.pk].done, cells[leader.pk].committed) == (
        MET, 12, 10)
    assert (cells[producer.pk].status, cells[producer.pk].done) == (MISSED, 7)
    assert (cells[nobody.pk].status, cells[nobody.pk].done, cells[nobody.pk].count) == (
        NONE, 30, 0)
    assert (cells[zero_p.pk].status, cells[zero_p.pk].committed) == (NONE, 0)
    # the total judges only what was committed: 12 + 7 done against 10 + 10
    assert (board.totals[0].done, board.totals[0].committed, board.totals[0].status) == (
        19, 20, MISSED)


def test_the_page_shows_the_colours_and_numbers(client, agency, team, leader, producer, week):
    call = activity_type(agency, "Call")
    met = CommitmentFactory(producer=leader, week_start=week, target=10)
    missed = CommitmentFactory(producer=producer, week_start=week, target=10)
    card(leader, week, activity_counts={str(call.pk): 12}, commitment_actuals={str(met.pk): 12},
         commitments_total=1, commitments_kept=1, wins=3)
    card(producer, week, activity_counts={str(call.pk): 7},
         commitment_actuals={str(missed.pk): 7}, commitments_total=1, commitments_kept=0)
    login(client, leader)

    html = client.get(reverse("accountability:team"), {"week": week.isoformat()}).content.decode()

    leader_row = _row(html, leader.pk)
    producer_row = _row(html, producer.pk)
    assert 'cell cell-met' in leader_row and "12/10" in leader_row
    assert 'cell cell-missed' in producer_row and "7/10" in producer_row
    assert html.index(f'data-producer="{leader.pk}"') < html.index(f'data-producer="{producer.pk}"')
    assert 'class="leader' in leader_row and 'class="leader' not in producer_row
    assert "<svg class=\"spark\"" in leader_row


def test_measured_stage_and_promise_commitments_get_their_own_columns(agency, leader, week):
    proposal = stage(agency, "Proposal presented")
    wins_any = CommitmentFactory(producer=leader, week_start=week, kind="stage_wins", target=2)
    wins_to = CommitmentFactory(producer=leader, week_start=week, kind="stage_wins", target=1,
                                stage=proposal)
    promise = CommitmentFactory(producer=leader, week_start=week, kind="specific")
    card(leader, week, wins=2, wins_by_stage={str(proposal.pk): 0},
         commitment_actuals={str(wins_any.pk): 2, str(wins_to.pk): 0, str(promise.pk): 1})

    board = team_scorecard(actor=leader, week=week)

    assert [m.label for m in board.measures] == ["Stage wins", "Wins to Proposal presented",
                                                 "Promises"]
    row = board.rows[0]
    assert [c.status for c in row.cells] == [MET, MISSED, MET]


def _row(html: str, producer_id: int) -> str:
    match = re.search(rf'<tr[^>]*data-producer="{producer_id}".*?</tr>', html, re.S)
    assert match, f"no row for producer {producer_id}"
    return match.group(0)


# --- leaders first, leaders vs team, totals, sorting ------------------------------------------

def test_leaders_first_medians_and_totals(agency, team, leader, owner, producer, week):
    other = ProducerFactory(agency=agency, team=team, user__first_name="Aaron")
    card(leader, week, wins=4, commitments_total=2, commitments_kept=2)
    card(owner, week, wins=2, commitments_total=2, commitments_kept=1)
    card(producer, week, wins=1, commitments_total=4, commitments_kept=1)
    card(other, week, wins=0, pipeline_open_count=2, pipeline_open_value=Decimal("900"))

    board = team_scorecard(actor=owner, week=week)

    assert [r.producer.pk for r in board.rows] == [owner.pk, leader.pk, other.pk, producer.pk]
    assert board.comparison.leaders_wins == 3  # median of 4 and 2
    assert board.comparison.team_wins == 1.5  # median of 4, 2, 1, 0
    assert board.comparison.leaders_kept == 75  # median of 100% and 50%
    assert board.comparison.team_kept == 50  # median of 100, 50, 25
    assert (board.wins_total, board.kept_total, board.kept_of, board.kept_pct) == (7, 4, 8, 50)
    assert board.open_value == Decimal("900")


def test_sorting_keeps_leaders_on_top(client, agency, team, leader, producer, week):
    other = ProducerFactory(agency=agency, team=team, user__first_name="Aaron")
    card(leader, week, wins=0)
    card(producer, week, wins=5)
    card(other, week, wins=1)
    login(client, leader)

    html = client.get(reverse("accountability:team"),
                      {"week": week.isoformat(), "sort": "wins", "dir": "desc"}).content.decode()

    order = [int(x) for x in re.findall(r'data-producer="(\d+)"', html)]
    assert order == [leader.pk, producer.pk, other.pk]
    assert 'aria-sort="descending"' in html


# --- weeks ------------------------------------------------------------------------------------

def test_malformed_week_answers_400_with_a_message(leader_client):
    response = leader_client.get(reverse("accountability:team"), {"week": "next-tuesday"})
    assert response.status_code == 400
    assert "is not a week. Use a date like" in response.content.decode()


@pytest.mark.parametrize("value", ["1999-01-04", "2999-12-30", "0001-01-01", "9999-12-31"])
def test_far_weeks_show_an_empty_state(leader_client, value):
    response = leader_client.get(reverse("accountability:team"), {"week": value})
    assert response.status_code == 200
    assert "No scorecards for the week of" in response.content.decode()


def test_default_is_this_week_with_arrows(leader_client, agency, leader):
    this_week = Week.current(agency).start
    card(leader, this_week, wins=2)
    html = leader_client.get(reverse("accountability:team")).content.decode()
    assert f"week={this_week - dt.timedelta(weeks=1)}" in html
    assert f"week={this_week + dt.timedelta(weeks=1)}" in html
    assert "this week, updates live" in html


# --- scope and roles --------------------------------------------------------------------------

def test_team_filter_of_another_agency_is_404(leader_client, other_agency):
    foreign = TeamFactory(agency=other_agency)
    response = leader_client.get(reverse("accountability:team"), {"team": foreign.pk})
    assert response.status_code == 404


def test_filter_by_team_and_all(client, agency, team, owner, leader, week):
    south = TeamFactory(agency=agency, name="South")
    southerner = ProducerFactory(agency=agency, team=south, user__first_name="Sam")
    card(southerner, week, wins=1)
    card(leader, week, wins=1)
    login(client, owner)
    url = reverse("accountability:team")

    only_south = client.get(url, {"week": week.isoformat(), "team": south.pk}).content.decode()
    everyone = client.get(url, {"week": week.isoformat(), "team": "all"}).content.decode()
    south_rows = client.get(reverse("accountability:live_team_rows"),
                            {"week": week.isoformat(), "team": south.pk}, **HTMX)

    assert f'data-producer="{southerner.pk}"' in only_south
    assert f'data-producer="{leader.pk}"' not in only_south
    # everyone, in an agency of two teams: a line per team, each team's rows on demand
    assert 'data-producer="' not in everyone
    assert f'data-team="{south.pk}"' in everyone and f'data-team="{team.pk}"' in everyone
    assert f'hx-get="{reverse("accountability:live_team_rows")}?week={week}&amp;team={south.pk}"' \
        in everyone
    rows = south_rows.content.decode()
    assert f'data-producer="{southerner.pk}"' in rows and f'data-producer="{leader.pk}"' not in rows


def test_another_agencys_producers_never_appear(leader_client, other_producer, week):
    card(other_producer, week, wins=9)
    html = leader_client.get(reverse("accountability:team"),
                             {"week": week.isoformat(), "team": "all"}).content.decode()
    assert f'data-producer="{other_producer.pk}"' not in html


def test_producers_see_the_board_without_colleagues_pipelines_or_prospects(
        client, agency, team, producer, leader, week):
    prospect = ProspectFactory(owner=leader, name="Secret Roofing Co")
    advance = StageAdvanceFactory(prospect=prospect, to_stage=stage(agency, "Contacted"))
    Celebration.objects.create(
        agency=agency, producer=leader, kind="advance", source_key="advance:x",
        stage_advance=advance, week_start=week, occurred_at=timezone.now(),
        title="Lee Leader moved Secret Roofing Co to Contacted")
    card(leader, week, wins=1, pipeline_open_value=Decimal("77777"))
    login(client, producer)

    html = client.get(reverse("accountability:team"), {"week": week.isoformat()}).content.decode()

    assert f'data-producer="{leader.pk}"' in html  # they see the scorecard
    assert "Secret Roofing" not in html  # but not the colleague's prospect
    assert "Lee Leader moved a prospect to Contacted" in html
    assert "$77,777" not in html and "sort=value" not in html
    # only their own row links to a drill-down
    assert reverse("accountability:drilldown", args=[producer.pk]) in html
    assert reverse("accountability:drilldown", args=[leader.pk]) not in html


def test_leaders_see_pipeline_plan_and_drill_links(leader_client, agency, leader, producer, week):
    card(producer, week, pipeline_open_count=4, pipeline_open_value=Decimal("7777"))
    GoalPlan.objects.create(agency=agency, producer=producer, year=timezone.now().year,
                            annual_goal=100000, weeks_left=10, label="pretend",
                            computed_at=timezone.now())
    html = leader_client.get(reverse("accountability:team"),
                             {"week": week.isoformat()}).content.decode()
    row = _row(html, producer.pk)
    assert "$7,777" in row
    assert "Pretend number" in row
    assert "{#" not in html and "rows_prerendered" not in html  # no template comment shown
    assert reverse("accountability:drilldown", args=[producer.pk]) in row


def test_each_row_reads_its_own_cards_and_this_years_plan(leader_client, agency, team, leader,
                                                        producer, other_agency):
    """The board reads its people, their cards of this week and last and this year's plan in
    one query: nobody else's card or plan, no other year's plan, nobody who does not sell."""
    this_week = Week.current(agency).start
    last_week = this_week - dt.timedelta(weeks=1)
    card(producer, this_week, wins=3, commitments_total=2, commitments_kept=1)
    card(producer, last_week, wins=5, commitments_total=2, commitments_kept=2)
    card(leader, last_week, wins=1)
    year = local_now(agency).year  # the board's year is the agency's
    for label, when in (("pretend", year - 1), ("realistic", year)):
        GoalPlan.objects.create(agency=agency, producer=producer, year=when, annual_goal=1000,
                                weeks_left=10, label=label, computed_at=timezone.now())
    ProducerFactory(agency=agency, team=team, role="non_producer", user__first_name="Nora")
    ProducerFactory(agency=agency, team=team, is_active=False, user__first_name="Ivy")
    stranger = ProducerFactory(agency=other_agency, user__first_name="Stan")
    card(stranger, this_week, wins=9)

    board = team_scorecard(actor=leader, week=this_week)
    html = leader_client.get(reverse("accountability:team")).content.decode()

    assert [r.producer.pk for r in board.rows] == [leader.pk, producer.pk]
    mine = board.rows[1]
    assert (mine.numbers.wins, mine.numbers.kept, mine.prev.wins, mine.prev.kept) == (3, 1, 5, 2)
    assert board.rows[0].card is None and board.rows[0].prev.wins == 1
    assert "Realistic" in _row(html, producer.pk) and "Pretend" not in html
    assert "No plan" in _row(html, leader.pk)
    assert "Nora" not in html and "Ivy" not in html and "Stan" not in html


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("accountability:team"))
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- query counts -----------------------------------------------------------------------------

def _page_counts(client, agency, team, leader, n):
    week = Week.current(agency).start
    populate(agency, team, n, week)
    url = reverse("accountability:team")
    q = {"week": week.isoformat()}
    version = team.__class__.objects.get(pk=team.pk).live_version  # the team board's version
    call = activity_type(agency, "Call")
    return {
        "page": queries_of(client.get, url + "?week=" + q["week"], ok=OK),
        # a past week: its own wins feed instead of the newest
        "page_past_week": queries_of(client.get, f"{url}?week={week - dt.timedelta(weeks=2)}",
                                     ok=OK),
        "page_sorted": queries_of(client.get, f"{url}?sort=m:a{call.pk}&dir=desc&week={week}",
                                  ok=OK),
        "partial_scorecard": queries_of(client.get, url, HTTP_HX_TARGET="team-scorecard",
                                        **HTMX, ok=OK),
        "partial_wins": queries_of(client.get, url, HTTP_HX_TARGET="team-wins", **HTMX, ok=OK),
        "live_unchanged": queries_of(client.get, reverse("accountability:live_team")
                                     + f"?v={version}", **HTMX, ok=OK),
        "live_changed": queries_of(client.get, reverse("accountability:live_team")
                                   + f"?v={version + 1}&seen=1", **HTMX, ok=OK),
        "live_wins_changed": queries_of(client.get, reverse("accountability:live_wins")
                                        + f"?v={version + 1}", **HTMX, ok=OK),
    }


@pytest.mark.django_db
def test_query_counts_do_not_grow_with_producers(client):
    from tests.factories import AgencyFactory

    results = []
    for n in (5, 100):
        agency = AgencyFactory()
        team = TeamFactory(agency=agency, name="North")
        leader = ProducerFactory(agency=agency, team=team, role="leader")
        client.logout()
        login(client, leader)
        results.append(_page_counts(client, agency, team, leader, n))
    small, large = results
    print("query counts (5 producers):", small)
    print("query counts (100 producers):", large)
    assert small == large
    assert small["live_unchanged"] <= 4
    assert small["page"] <= 14


def test_partials_render_only_their_fragment(leader_client, agency, leader):
    Celebration.objects.create(agency=agency, producer=leader, kind="personal_best",
                               source_key="t:p", week_start=Week.current(agency).start,
                               occurred_at=timezone.now(), title="Lee had a great week")
    url = reverse("accountability:team")
    scorecard = leader_client.get(url, HTTP_HX_TARGET="team-scorecard", **HTMX)
    wins = leader_client.get(url, HTTP_HX_TARGET="team-wins", **HTMX)
    assert scorecard.content.decode().lstrip().startswith('<section id="team-scorecard"')
    assert "<html" not in scorecard.content.decode()
    html = wins.content.decode()
    assert 'id="team-wins"' in html and "Lee had a great week" in html and "<table" not in html
    assert "HX-Request" in scorecard["Vary"]


@pytest.mark.parametrize("who", ["leader", "owner"])
def test_the_shared_board_reads_as_a_localised_rendering_would(client, monkeypatch, agency,
                                                               team, leader, owner, who):
    """The shared board is rendered without localising each number (boards._render_shared);
    every piece of it must read exactly as the ordinary, localised rendering does, thousands
    and money included."""
    from django.template.loader import render_to_string

    from accountability.scorecards import boards

    week = Week.current(agency).start
    people = populate(agency, team, 3, week)
    WeeklyScorecard.objects.filter(producer=people[0], week_start=week).update(
        activities_total=12345, bound=3, premium_bound=Decimal("1234567.89"),
        pipeline_open_value=Decimal("98765.43"), wins=1500)
    TeamFactory(agency=agency, name="South")  # the owner's board: a line per team
    rendered = []
    plain = boards._render_shared

    def checked(name, context):
        html = plain(name, context)
        assert html == render_to_string(name, context)
        rendered.append(html)
        return html

    monkeypatch.setattr(boards, "_render_shared", checked)
    login(client, leader if who == "leader" else owner)
    for query in ("", "?sort=wins", "?sort=premium&dir=desc", f"?team={team.pk}"):
        assert client.get(reverse("accountability:team") + query).status_code == 200
    # Each rendering printed the big week's wins (and the leaders' columns its money).
    assert rendered and all("1500" in html for html in rendered)
    assert any("$1.2M" in html for html in rendered)
