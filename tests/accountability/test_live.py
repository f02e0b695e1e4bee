"""Live updates: the poll endpoints answer 204 (nothing to swap) while the version of what
the page shows is unchanged (a team's board: the team's; the wins feed: the agency's), and the
affected partials once a job has changed the materialised numbers."""

import datetime as dt
import json
import statistics
import time

import pytest
from django.urls import reverse

from accountability.models import Celebration
from pipeline.services import prospect_advance, prospect_create
from salesculture.models import Agency, Team
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory, stage, where

HTMX = {"HTTP_HX_REQUEST": "true"}


def version_of(agency) -> int:
    return Agency.objects.get(pk=agency.pk).live_version


def team_version(team) -> int:
    return Team.objects.get(pk=team.pk).live_version


def poll(client, name="accountability:live_team", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.get(reverse(name) + "?" + query, **HTMX)


def test_unchanged_version_answers_a_tiny_204_and_nothing_to_swap(leader_client, team):
    response = poll(leader_client, v=team_version(team))
    assert response.status_code == 204
    assert response.content == b""
    assert "HX-Trigger" not in response


def test_changed_version_answers_the_scorecard_partial_and_the_wins_out_of_band(
        leader_client, agency, team, leader):
    Team.objects.filter(pk=team.pk).update(live_version=7)
    response = poll(leader_client, v=6)
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<section id="team-scorecard"')
    assert 'id="team-wins" hx-swap-oob="true"' in html
    assert "<html" not in html  # a partial, not the page
    # the next poller carries the version the partial was rendered at: the team's
    assert "&amp;v=7&amp;" in html


def test_malformed_version_is_400(leader_client):
    assert poll(leader_client, v="abc").status_code == 400


def test_a_new_win_reaches_the_open_page_on_the_next_poll(
        leader_client, agency, team, producer, django_capture_on_commit_callbacks):
    # given: the leader's page rendered at the team's current version
    prospect = prospect_create(owner=producer, name="Acme Roofing", estimated_revenue=5000)
    page = leader_client.get(reverse("accountability:team")).content.decode()
    rendered = team_version(team)
    assert f"v={rendered}" in page
    seen = max(Celebration.objects.values_list("pk", flat=True), default=0)
    assert poll(leader_client, v=rendered, seen=seen).status_code == 204

    # when: the producer advances a prospect; the scorecard job runs on commit
    with django_capture_on_commit_callbacks(execute=True):
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect),
                         to_stage=stage(agency, "Contacted"), actor=producer)

    # then: the next poll swaps in the new win, marked new, with a toast
    assert team_version(team) > rendered
    response = poll(leader_client, v=rendered, seen=seen)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pat Producer moved Acme Roofing to Contacted" in html
    assert "win win-advance win-new" in html
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast["kind"] == "win" and "Acme Roofing" in toast["text"]
    row_wins = html[html.index(f'data-producer="{producer.pk}"'):]
    assert '<td class="num wins">1</td>' in row_wins
    # and once the page has the new version, polling is quiet again
    assert poll(leader_client, v=team_version(team)).status_code == 204


def test_the_poll_keeps_the_pages_week_team_and_sort(leader_client, agency, team, leader):
    week = Week.current(agency).start - dt.timedelta(weeks=2)
    html = poll(leader_client, v=team_version(team) + 1, week=week.isoformat(), sort="wins",
                dir="desc", team=leader.team_id).content.decode()
    assert f"week={week.isoformat()}" in html and "sort=wins" in html and "dir=desc" in html


def test_team_poll_for_another_agencys_team_is_404(leader_client, agency, other_agency):
    foreign = TeamFactory(agency=other_agency)
    assert poll(leader_client, v=version_of(agency) + 1, team=foreign.pk).status_code == 404


def test_poll_requires_login(client):
    response = client.get(reverse("accountability:live_team") + "?v=0")
    assert response.status_code == 302


# --- the standalone wins feed (e.g. on a producer's week) -----------------------------------

def test_wins_feed_poll_unchanged_and_changed(producer_client, agency, producer):
    Celebration.objects.create(agency=agency, producer=producer, kind="advance",
                               source_key="t:1", week_start=Week.current(agency).start,
                               occurred_at=dt.datetime.now(dt.UTC), title="Pat did it")
    assert poll(producer_client, "accountability:live_wins",
                v=version_of(agency)).status_code == 204
    response = poll(producer_client, "accountability:live_wins", v=version_of(agency) + 1,
                    producer=producer.pk)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="wins-feed-wrap" id="wins-feed"' in html and "Pat did it" in html
    assert "data-live-poll" in html
    # the swap is the feed alone: the page already has its stylesheet and script
    assert html.lstrip().startswith('<div class="wins-feed-wrap"')
    assert "<link" not in html and "<script" not in html


def test_wins_feed_of_a_colleague_or_another_agency_is_404(producer_client, agency, leader,
                                                           other_producer):
    for someone in (leader, other_producer):
        response = poll(producer_client, "accountability:live_wins",
                        v=version_of(agency) + 1, producer=someone.pk)
        assert response.status_code == 404


def test_a_producer_polling_sees_no_colleagues_prospects(client, agency, team, producer, leader,
                                                         django_capture_on_commit_callbacks):
    login(client, producer)
    rendered = team_version(team)
    prospect = prospect_create(owner=leader, name="Secret Roofing Co")
    with django_capture_on_commit_callbacks(execute=True):
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect),
                         to_stage=stage(agency, "Contacted"), actor=leader)
    response = poll(client, v=rendered, seen=0)
    assert "Secret Roofing" not in response.content.decode()
    assert "Lee Leader moved a prospect to Contacted" in response.content.decode()


# --- cost of a quiet poll ---------------------------------------------------------------------

@pytest.mark.django_db
def test_an_unchanged_poll_costs_about_as_much_as_a_trivial_request(client, agency, team):
    leader = ProducerFactory(agency=agency, team=team, role="leader")
    ProducerFactory.create_batch(20, agency=agency, team=team)
    login(client, leader)
    url = reverse("accountability:live_team") + f"?v={team_version(team)}"
    floor_url = reverse("login")  # logged in: a redirect, after session and user lookups

    def median_ms(target: str, status: int, n: int = 300) -> float:
        times = []
        for _ in range(n):
            start = time.perf_counter()
            response = client.get(target, **HTMX)
            times.append(time.perf_counter() - start)
            assert response.status_code == status
        return statistics.median(times) * 1000

    median_ms(url, 204, 30)  # warm up
    poll_ms = median_ms(url, 204)
    floor_ms = median_ms(floor_url, 302)
    ratio = poll_ms / floor_ms
    print(f"\nunchanged poll: median {poll_ms:.3f} ms; trivial floor (logged-in redirect): "
          f"median {floor_ms:.3f} ms; ratio {ratio:.2f}")
    assert ratio < 3
