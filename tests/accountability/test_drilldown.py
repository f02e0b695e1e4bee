"""The producer drill-down: who may open it, what it shows, and constant queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Celebration, Commitment, WeeklyScorecard
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import CommitmentFactory, ProducerFactory, TeamFactory, stage
from tests.queries import Queries, queries_of


def url(producer, **params):
    base = reverse("accountability:drilldown", args=[producer.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_a_producer_opening_a_colleagues_drilldown_gets_404(producer_client, leader):
    assert producer_client.get(url(leader)).status_code == 404


def test_another_agencys_producer_is_404(leader_client, other_producer):
    assert leader_client.get(url(other_producer)).status_code == 404


def test_a_leader_of_another_team_gets_404(client, agency, producer):
    south = TeamFactory(agency=agency, name="South")
    southern_leader = ProducerFactory(agency=agency, team=south, role="leader")
    login(client, southern_leader)
    assert client.get(url(producer)).status_code == 404


def test_the_teams_leader_and_the_owner_may_open_it(client, leader, owner, producer):
    login(client, leader)
    assert client.get(url(producer)).status_code == 200
    client.logout()
    login(client, owner)
    assert client.get(url(producer)).status_code == 200


def test_a_producer_may_open_their_own(producer_client, producer):
    assert producer_client.get(url(producer)).status_code == 200


def test_malformed_week_is_400(leader_client, producer):
    response = leader_client.get(url(producer, week="soon"))
    assert response.status_code == 400
    assert "is not a week" in response.content.decode()
    # the way back leads to this week of the same drill-down, not away from it
    assert f'href="{url(producer)}"' in response.content.decode()


def test_far_week_is_an_empty_state(leader_client, producer):
    response = leader_client.get(url(producer, week="0001-01-01"))
    assert response.status_code == 200
    assert "No scorecards around" in response.content.decode()


def test_it_shows_why_weeks_commitments_wins_and_funnel(leader_client, agency, producer):
    # given: two weeks of history, one kept and one missed commitment, wins into two stages
    this_week = Week.current(agency).start
    last_week = this_week - dt.timedelta(weeks=1)
    contacted, proposal = stage(agency, "Contacted"), stage(agency, "Proposal presented")
    kept = CommitmentFactory(producer=producer, week_start=last_week, target=5)
    missed = CommitmentFactory(producer=producer, week_start=last_week, kind="stage_wins",
                               target=4)
    Commitment.objects.filter(pk=kept.pk).update(status="kept", actual=6)
    Commitment.objects.filter(pk=missed.pk).update(status="missed", actual=3)
    for week, wins, by_stage in [(last_week, 3, {str(contacted.pk): 2, str(proposal.pk): 1}),
                                 (this_week, 2, {str(contacted.pk): 2})]:
        WeeklyScorecard.objects.create(
            agency=agency, producer=producer, week_start=week, wins=wins, wins_by_stage=by_stage,
            activities_total=31, commitments_total=2 if week == last_week else 0,
            commitments_kept=1 if week == last_week else 0, is_final=week == last_week,
            computed_at=timezone.now())
    Celebration.objects.create(
        agency=agency, producer=producer, kind="advance", source_key="t:1", week_start=this_week,
        occurred_at=timezone.now(), title="Pat Producer moved Acme to Contacted")

    # when
    html = leader_client.get(url(producer)).content.decode()

    # then
    assert "For my family." in html  # the producer's why
    assert html.count("<svg class=\"bars\"") == 3
    assert "10 × Call" in html or "5 × Call" in html
    assert ">kept<" in html and ">missed<" in html
    assert "6/5" in html and "3/4" in html
    assert "Pat Producer moved Acme to Contacted" in html
    funnel = html[html.index('class="funnel"'):]
    assert "Contacted</span>" in funnel and ">4</span>" in funnel  # 2 + 2 into Contacted
    assert "Proposal presented</span>" in funnel and ">1</span>" in funnel
    assert "62" in html  # 31 + 31 activities over the 13 weeks


def _drill_queries(client, producer, weeks: int) -> Queries:
    agency = producer.agency
    this_week = Week.current(agency).start
    cards, commitments = [], []
    for back in range(weeks):
        week = this_week - dt.timedelta(weeks=back)
        cards.append(WeeklyScorecard(agency=agency, producer=producer, week_start=week, wins=2,
                                     wins_by_stage={}, computed_at=timezone.now()))
        for _ in range(3):
            commitments.append(Commitment(agency=agency, producer=producer, week_start=week,
                                          kind="specific", text="Call Acme",
                                          made_at=timezone.now()))
    WeeklyScorecard.objects.bulk_create(cards)
    Commitment.objects.bulk_create(commitments)
    Celebration.objects.bulk_create(
        Celebration(agency=agency, producer=producer, kind="advance",
                    source_key=f"t:{producer.pk}:{i}", week_start=this_week,
                    occurred_at=timezone.now(), title="A win")
        for i in range(weeks * 2))
    return queries_of(client.get, url(producer))


@pytest.mark.django_db
def test_drilldown_queries_do_not_grow_with_history(client, leader):
    TeamFactory(agency=leader.agency, name="Small")  # a second team changes nothing
    big = ProducerFactory(agency=leader.agency, team=leader.team)
    small = ProducerFactory(agency=leader.agency, team=leader.team)
    login(client, leader)
    few = _drill_queries(client, small, 1)
    many = _drill_queries(client, big, 13)
    print("drill-down queries:", few, many)
    assert few == many
    assert few <= 10  # 1 of them: the latest one-on-one decision beside the role-fit flag
