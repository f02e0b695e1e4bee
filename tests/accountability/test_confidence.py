"""The weekly confidence check-in and the 13-week confidence panel."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.confidence.selectors import (
    check_in_for_week,
    confidence_panel,
    win_probabilities,
)
from accountability.models import ConfidenceCheckIn, GoalPlan, WeeklyScorecard
from accountability.planning.results import PlanLine, PlanResult
from accountability.planning.services import goal_plan_store
from salesculture.weeks import Week
from tests.accountability.test_plan_ledger import PATH, journey
from tests.conftest import login
from tests.factories import ConfidenceCheckInFactory, ProducerFactory, stage
from tests.pages import my_week_seen
from tests.queries import queries_of

URL = "/confidence/check-in/"


def test_htmx_check_in_saves_and_swaps_the_prompt_for_a_summary(producer_client, producer):
    response = producer_client.post(
        reverse("accountability:check_in"),
        {"process": "4", "pipeline": "2", "team": "5", "note": "Big week ahead"},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="confidence-prompt"' in html
    assert "Process <b>4</b> · Pipeline <b>2</b> · Team <b>5</b>" in html
    assert "Check-in saved" in response["HX-Trigger"]
    row = ConfidenceCheckIn.objects.get(producer=producer)
    assert (row.week_start, row.process, row.pipeline, row.team, row.note) == (
        Week.current(producer.agency).start, 4, 2, 5, "Big week ahead")


def test_check_in_without_javascript_redirects_back(producer_client, producer):
    response = producer_client.post(reverse("accountability:check_in"),
                                    {"process": "3", "pipeline": "3", "team": "3",
                                     "next": "/confidence/"})
    assert response.status_code == 302 and response["Location"] == "/confidence/"
    assert ConfidenceCheckIn.objects.filter(producer=producer).count() == 1
    response = producer_client.post(reverse("accountability:check_in"),
                                    {"process": "5", "pipeline": "3", "team": "3",
                                     "next": "https://evil.example/"})
    assert response["Location"] == reverse("accountability:my_week")
    # Once a week: a second answer corrects the first.
    assert ConfidenceCheckIn.objects.get(producer=producer).process == 5


@pytest.mark.parametrize("htmx", [True, False])
def test_bad_check_in_says_which_pillar_and_saves_nothing(producer_client, producer, htmx):
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = producer_client.post(reverse("accountability:check_in"),
                                    {"process": "6", "pipeline": "4", "note": "x"}, **extra)
    html = response.content.decode()
    assert response.status_code == 400
    assert html.count("field-error") == 2  # process (6) and team (missing)
    assert 'value="4" checked' in html  # the pipeline answer is kept
    assert 'value="x"' in html
    assert not ConfidenceCheckIn.objects.exists()


def test_check_in_needs_post_and_login(client):
    assert client.post(reverse("accountability:check_in"), {}).status_code == 302
    assert client.get(reverse("accountability:check_in")).status_code == 405


def test_week_prompt_partial_contract(producer):
    request = RequestFactory().get("/week/")
    week = Week.current(producer.agency).start
    empty = render_to_string("accountability/confidence/_week_prompt.html",
                             {"check_in": None, "week": week, "producer": producer},
                             request=request)
    assert 'hx-post="/confidence/check-in/"' in empty and 'action="/confidence/check-in/"' in empty
    assert empty.count('type="radio"') == 15
    check_in = ConfidenceCheckInFactory(producer=producer, process=2, pipeline=3, team=4)
    done = render_to_string("accountability/confidence/_week_prompt.html",
                            {"check_in": check_in, "week": week, "producer": producer},
                            request=request)
    assert "Checked in" in done and 'type="radio"' not in done
    assert check_in_for_week(producer, week) == check_in


def _store_plan(producer, rates: dict[str, float]):
    """A stored plan whose stage conversions are `rates` (stage name → rate to the next)."""
    agency = producer.agency
    lines = [PlanLine(key="b", kind="bound", name="Bound", ref_id=stage(agency, "Bound").pk)]
    for name in reversed(PATH[:-1]):
        lines.append(PlanLine(key=name, kind="stage", name=name, ref_id=stage(agency, name).pk,
                              rate=rates.get(name, 1.0)))
    result = PlanResult(producer_id=producer.pk, year=timezone.now().astimezone(agency.tz).year,
                        annual_goal=producer.annual_goal, working_weeks=48, weeks_left=10,
                        label=GoalPlan.Label.REALISTIC, lines=lines)
    return goal_plan_store(producer=producer, result=result)


def test_win_probabilities_multiply_the_conversions(producer):
    _store_plan(producer, {"Proposal presented": 0.5, "Submitted to markets": 0.4})
    chance = win_probabilities(producer)
    assert chance[stage(producer.agency, "Proposal presented").pk] == pytest.approx(0.5)
    assert chance[stage(producer.agency, "Submitted to markets").pk] == pytest.approx(0.2)
    assert chance[stage(producer.agency, "Lead").pk] == pytest.approx(0.2)


def test_panel_by_hand(producer):
    # given: goal $100,000; $20,000 bound this year; one $10,000 prospect open in Proposal
    # presented (50% chance to bind) and one $4,000 prospect in Submitted (0.4 × 0.5 = 20%).
    producer.annual_goal = Decimal("100000")
    producer.save()
    _store_plan(producer, {"Proposal presented": 0.5, "Submitted to markets": 0.4})
    week = Week.current(producer.agency).start
    start = timezone.now() - dt.timedelta(minutes=10)
    second = dt.timedelta(seconds=1)
    journey(producer, PATH, start, revenue=20000, step=second, name="Won")
    journey(producer, PATH[:6], start, revenue=10000, step=second, name="Open")
    journey(producer, PATH[:5], start, revenue=4000, step=second, name="Open 2")
    WeeklyScorecard.objects.create(agency=producer.agency, producer=producer, week_start=week,
                                   commitments_kept=2, commitments_total=3,
                                   process_adherence=Decimal("75.00"),
                                   computed_at=timezone.now())
    ConfidenceCheckInFactory(producer=producer, week_start=week, process=4, pipeline=2, team=5)
    # when
    rows = confidence_panel(producer)
    # then: weighted pipeline 10,000 × 0.5 + 4,000 × 0.2 = 5,800; still needed 80,000.
    assert len(rows) == 13 and rows[-1].week == week
    this = rows[-1]
    assert this.weighted_pipeline == pytest.approx(5800)
    assert this.revenue_needed == pytest.approx(80000)
    assert this.coverage == pytest.approx(5800 / 80000)
    assert (this.kept, this.total, this.process_adherence) == (2, 3, Decimal("75.00"))
    assert this.check_in.pipeline == 2
    assert rows[0].check_in is None and rows[0].coverage == 0


def test_panel_page_shows_self_ratings_next_to_measures(producer_client, producer):
    week = Week.current(producer.agency).start
    ConfidenceCheckInFactory(producer=producer, week_start=week, process=4, pipeline=2, team=5)
    WeeklyScorecard.objects.create(agency=producer.agency, producer=producer, week_start=week,
                                   commitments_kept=1, commitments_total=4,
                                   process_adherence=Decimal("50"), computed_at=timezone.now())
    html = producer_client.get(reverse("accountability:confidence")).content.decode()
    assert f'data-week="{week:%Y-%m-%d}"' in html
    assert "1/4" in html and "50%" in html
    assert "Checked in" in html


def test_access_to_someone_elses_panel(client, producer, leader, agency, other_producer):
    peer = ProducerFactory(agency=agency, team=producer.team)
    login(client, peer)
    assert client.get(reverse("accountability:confidence_of",
                              args=[producer.pk])).status_code == 404
    login(client, leader)
    assert client.get(reverse("accountability:confidence_of",
                              args=[producer.pk])).status_code == 200
    assert client.get(reverse("accountability:confidence_of",
                              args=[other_producer.pk])).status_code == 404


def test_panel_query_count_does_not_grow(producer_client, producer):
    url = reverse("accountability:confidence")
    start = timezone.now() - dt.timedelta(days=20)
    journey(producer, PATH, start, revenue=5000)
    producer_client.get(reverse("accountability:plan"))  # stores the plan
    small = queries_of(producer_client.get, url)
    for i in range(30):
        journey(producer, PATH[: 1 + i % 6], start + dt.timedelta(minutes=i), name=f"C{i}")
    assert queries_of(producer_client.get, url) == small
    assert small < 20


def test_check_in_partial_query_count_does_not_grow(producer_client, producer):
    def post():
        with CaptureQueriesContext(connection) as ctx:
            producer_client.post(reverse("accountability:check_in"),
                                 {"process": "3", "pipeline": "3", "team": "3"},
                                 HTTP_HX_REQUEST="true")
        ConfidenceCheckIn.objects.filter(producer=producer,
                                         week_start=Week.current(producer.agency).start).delete()
        return len(ctx.captured_queries)

    small = post()
    week = Week.current(producer.agency).start
    for i in range(1, 30):
        ConfidenceCheckInFactory(producer=producer, week_start=week - dt.timedelta(weeks=i))
    assert post() == small


SEE_13_WEEKS = "See 13 weeks of confidence"


def test_the_see_13_weeks_link_leads_from_the_week_to_the_confidence_page(producer_client,
                                                                         producer):
    ConfidenceCheckInFactory(producer=producer, week_start=Week.current(producer.agency).start)
    html = my_week_seen(producer_client).content.decode()
    assert f'<a href="{reverse("accountability:confidence")}">{SEE_13_WEEKS}' in html


def test_the_confidence_page_does_not_link_to_itself(producer_client, producer):
    ConfidenceCheckInFactory(producer=producer, week_start=Week.current(producer.agency).start)
    html = producer_client.get(reverse("accountability:confidence")).content.decode()
    assert "Checked in" in html and SEE_13_WEEKS not in html


@pytest.mark.parametrize("came_from, links", [
    ("/confidence/", False), ("/", True), ("/week/", True), ("nonsense", True)])
def test_a_check_in_swapped_in_links_to_the_panel_unless_it_is_on_it(producer_client, came_from,
                                                                     links):
    response = producer_client.post(reverse("accountability:check_in"),
                                    {"process": "4", "pipeline": "2", "team": "5",
                                     "next": came_from}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "Checked in" in response.content.decode()
    assert (SEE_13_WEEKS in response.content.decode()) is links
