"""What a TV's poll costs when nothing changed, against a trivial floor request in the same run.

Run with `-s` to see the numbers: queries per poll and the median time as a ratio to a view
that answers 204 and touches nothing (same middleware stack, same test client).
"""

import datetime as dt
import statistics
import time

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, reverse

from accountability.meetings.kiosk import kiosk_link_create
from accountability.meetings.services import meeting_start
from salesculture.weeks import Week
from tests.factories import ProducerFactory


def floor(request):
    return HttpResponse(status=204)


urlpatterns = [path("floor/", floor), path("", include("salesculture.urls"))]
ROUNDS = 150


def timed(client, path_, **headers) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        response = client.get(path_, **headers)
        elapsed = time.perf_counter() - started
    assert response.status_code == 204, path_
    return elapsed, len(ctx.captured_queries)


def median_cost(client, path_, **headers) -> tuple[float, int]:
    for _ in range(10):  # warm up
        timed(client, path_, **headers)
    samples = [timed(client, path_, **headers) for _ in range(ROUNDS)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


@pytest.mark.urls(__name__)
def test_an_unchanged_poll_costs_a_few_queries_and_little_more_than_a_floor_request(
        client, leader_client, agency, team, leader, producer):
    for _ in range(10):
        ProducerFactory(agency=agency, team=team)
    meeting = meeting_start(team=team, week_start=Week.current(agency).start - dt.timedelta(days=7),
                            actor=leader)
    link = kiosk_link_create(team=team, actor=leader)
    floor_time, floor_queries = median_cost(leader_client, "/floor/")
    poll = reverse("accountability:meeting_poll", args=[meeting.pk]) + f"?v={meeting.version}"
    poll_time, poll_queries = median_cost(leader_client, poll, HTTP_HX_REQUEST="true")
    anonymous = client.__class__()
    key = f"m{meeting.pk}.{meeting.version}"
    kiosk = reverse("accountability:kiosk_poll", args=[link.token]) + f"?k={key}"
    kiosk_time, kiosk_queries = median_cost(anonymous, kiosk, HTTP_HX_REQUEST="true")
    print(f"\nfloor: {floor_queries} queries, median {floor_time * 1000:.2f} ms"
          f"\nleader poll (unchanged): {poll_queries} queries, median {poll_time * 1000:.2f} ms,"
          f" {poll_time / floor_time:.1f}× floor"
          f"\nkiosk poll (unchanged): {kiosk_queries} queries, median {kiosk_time * 1000:.2f} ms,"
          f" {kiosk_time / floor_time:.1f}× floor")
    # session + user + acting producer + the meeting's version; the kiosk: link + meeting
    assert poll_queries <= 4
    assert kiosk_queries == 2
    assert poll_time / floor_time < 15
    assert kiosk_time / floor_time < 15
