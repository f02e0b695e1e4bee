"""The board marks a card whose X-date window is open and nobody has acted (issue 15), offers
"done" on its next step, and costs the same queries however many cards carry X-dates."""

import datetime as dt
import html as html_lib

from django.urls import reverse
from django.utils import timezone

from pipeline.models import Prospect
from pipeline.services import prospect_create
from pipeline.xdates import agency_today
from tests.factories import stage
from tests.queries import queries_of

BOARD = reverse("pipeline:board")


def card(html: str, pk: int) -> str:
    return html.split(f'id="card-{pk}"')[1].split("</article>")[0]


def test_a_card_whose_x_date_window_is_open_and_nobody_acted_is_marked(producer_client, producer):
    today = agency_today(producer.agency)
    waiting = prospect_create(owner=producer, name="Harbor Bakery",
                              details={"x_date": today + dt.timedelta(days=40)})
    acted = prospect_create(owner=producer, name="Lopez Family", next_step="Call",
                            next_step_due=today + dt.timedelta(days=5),
                            details={"x_date": today + dt.timedelta(days=40)})
    later = prospect_create(owner=producer, name="Far Off",
                            details={"x_date": today + dt.timedelta(days=120)})
    html = html_lib.unescape(producer_client.get(BOARD).content.decode())
    marked = card(html, waiting.pk)
    assert 'data-testid="xdate-mark"' in marked and "40 days" in marked
    assert "xdate-open" in html.split(f'id="card-{waiting.pk}"')[1].split(">")[0]
    assert 'data-testid="xdate-mark"' not in card(html, acted.pk)
    assert "X-date" in card(html, acted.pk)  # shown, quietly: a next step is in place
    assert "X-date" not in card(html, later.pk)
    # "Done" is offered where there is a next step to finish.
    assert 'data-testid="next-step-done"' in card(html, acted.pk)
    assert 'data-testid="next-step-done"' not in card(html, waiting.pk)


def test_the_board_query_count_does_not_grow_with_x_dates(producer_client, producer):
    def fill(n):
        today = agency_today(producer.agency)
        Prospect.objects.bulk_create(
            Prospect(agency=producer.agency, owner=producer, name=f"P{i}",
                     stage=stage(producer.agency, "Lead"), stage_entered_at=timezone.now(),
                     next_step="Call", next_step_due=today + dt.timedelta(days=i % 90),
                     x_date=today + dt.timedelta(days=i % 70)) for i in range(n))
    fill(3)
    small = queries_of(producer_client.get, BOARD)
    fill(200)
    assert small == queries_of(producer_client.get, BOARD)
