"""Issue 11, #5: a form submitted twice (a double tap, a retry after a dropped connection)
makes one row. Create forms carry a token minted per rendering; a move carries the stage
the page showed, and the service refuses a move without it."""

import datetime as dt
import html as html_lib
import re
import threading

import pytest
from django.db import connections
from django.urls import reverse
from django.utils import timezone

from accountability.commitments.services import commitment_create
from accountability.models import Commitment
from pipeline.models import Prospect, StageAdvance
from pipeline.services import prospect_create
from salesculture.weeks import Week
from tests.conftest import requires_postgres
from tests.factories import ProducerFactory, stage

NEW_PROSPECT = reverse("pipeline:prospect_new")
PROMISE = reverse("accountability:promise_add")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def token_on(html: str) -> str:
    return re.search(r'name="client_token" value="([0-9a-f]{32})"', html).group(1)


def prospect_data(token: str, **overrides) -> dict:
    return {"name": "Acme Roofing", "line_of_business": "commercial",
            "estimated_revenue": "5000", "next_step": "Call the owner",
            "next_step_due": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "client_token": token, **overrides}


def test_each_rendering_of_the_new_prospect_form_carries_its_own_token(producer_client):
    first = token_on(text(producer_client.get(NEW_PROSPECT)))
    second = token_on(text(producer_client.get(NEW_PROSPECT)))
    assert first != second


def test_a_new_prospect_submitted_twice_is_one_prospect(producer_client, producer):
    token = token_on(text(producer_client.get(NEW_PROSPECT)))
    data = prospect_data(token, stage=stage(producer.agency, "Lead").pk)

    first = producer_client.post(NEW_PROSPECT, data)
    second = producer_client.post(NEW_PROSPECT, data)

    prospect = Prospect.objects.get()
    assert first["Location"] == second["Location"] == reverse("pipeline:prospect",
                                                               args=[prospect.pk])
    assert StageAdvance.objects.filter(prospect=prospect).count() == 1


def test_two_renderings_of_the_form_make_two_prospects(producer_client, producer):
    lead = stage(producer.agency, "Lead").pk
    for _ in range(2):
        token = token_on(text(producer_client.get(NEW_PROSPECT)))
        producer_client.post(NEW_PROSPECT, prospect_data(token, stage=lead))
    assert Prospect.objects.filter(name="Acme Roofing").count() == 2


def test_a_refused_submit_keeps_its_token_so_the_corrected_one_saves_once(producer_client,
                                                                         producer):
    token = token_on(text(producer_client.get(NEW_PROSPECT)))
    lead = stage(producer.agency, "Lead").pk
    refused = producer_client.post(NEW_PROSPECT, prospect_data(token, stage=lead, name=""))
    assert refused.status_code == 400 and token_on(text(refused)) == token

    for _ in range(2):
        producer_client.post(NEW_PROSPECT, prospect_data(token, stage=lead))
    assert Prospect.objects.count() == 1


def test_a_promise_submitted_twice_is_one_promise(producer_client, producer):
    page = text(producer_client.get(reverse("accountability:commitments"), {"week": "next"}))
    data = {"text": "Send the Acme proposal", "week": "next", "client_token": token_on(page)}

    producer_client.post(PROMISE, data)
    producer_client.post(PROMISE, data)

    assert list(Commitment.objects.values_list("text", flat=True)) == ["Send the Acme proposal"]


def test_the_service_returns_the_first_promise_for_a_repeated_token(producer):
    week = Week.current(producer.agency).next.start
    fields = {"producer": producer, "week_start": week, "actor": producer,
              "kind": Commitment.Kind.SPECIFIC, "text": "Call Ben", "client_token": "t" * 32}
    assert commitment_create(**fields) == commitment_create(**fields)
    assert Commitment.objects.count() == 1


def test_a_move_posted_without_the_stage_the_page_showed_is_refused(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    response = producer_client.post(reverse("pipeline:prospect_advance", args=[acme.pk]), {
        "to_stage": stage(producer.agency, "Contacted").pk, "next_step": "Call",
        "next_step_due": (timezone.localdate() + dt.timedelta(days=1)).isoformat()})

    assert response.status_code == 400
    assert "This form is out of date; reload the page and try again." in text(response)
    assert StageAdvance.objects.filter(prospect=acme).count() == 1


def test_the_same_move_posted_six_times_moves_once(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    data = {"to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": acme.stage_id,
            "next_step": "Call",
            "next_step_due": (timezone.localdate() + dt.timedelta(days=1)).isoformat()}
    url = reverse("pipeline:prospect_advance", args=[acme.pk])

    statuses = [producer_client.post(url, data).status_code for _ in range(6)]

    assert statuses == [302, 400, 400, 400, 400, 400]
    assert StageAdvance.objects.filter(prospect=acme).count() == 2
    assert ("Acme Roofing was moved to Contacted meanwhile; nothing was changed."
            in text(producer_client.post(url, data)))


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_new_prospect_token_sent_at_once_on_six_connections_is_one_prospect():
    owner = ProducerFactory()
    barrier, outcomes = threading.Barrier(6), []

    def submit():
        try:
            barrier.wait()
            outcomes.append(prospect_create(owner=owner, name="Acme", client_token="x" * 32).pk)
        except Exception as error:  # surfaced by the assertion below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(outcomes)) == 1, outcomes
    assert Prospect.objects.filter(owner=owner).count() == 1
