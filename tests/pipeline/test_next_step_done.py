""""Done" on a next step (issue 15): on a board card, on My week and on the prospect's page it
logs the activity the step was and sets the new next step, without moving the prospect; a
double submit logs one activity; only the prospect's own producer may; a fixed number of
queries however big the pipeline."""

import datetime as dt
import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Activity, Prospect
from pipeline.next_steps import matching_activity_type
from pipeline.selectors import active_activity_types
from pipeline.services import prospect_create
from pipeline.xdates import agency_today
from tests.conftest import login
from tests.factories import ProducerFactory, activity_type, stage
from tests.queries import queries_of


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def done_url(prospect):
    return reverse("pipeline:prospect_done", args=[prospect.pk])


def week_done_url(prospect):
    return reverse("accountability:week_done", args=[prospect.pk])


def in_days(agency, n):
    return agency_today(agency) + dt.timedelta(days=n)


@pytest.fixture
def acme(producer):
    return prospect_create(owner=producer, name="Acme Roofing",
                           stage=stage(producer.agency, "Contacted"),
                           next_step="Call Dana to set the appointment",
                           next_step_due=agency_today(producer.agency))


def done_data(agency, token="tok-1", **changes):
    return {"activity_type": activity_type(agency, "Call").pk, "outcome": "connected",
            "next_step": "Send the coverage checklist", "next_step_due": in_days(agency, 2),
            "client_token": token, **changes}


def test_done_on_a_card_logs_the_call_and_sets_the_new_next_step(producer_client, producer, acme):
    form = producer_client.get(done_url(acme), {"from": "board"}, HTTP_HX_REQUEST="true")
    assert form.status_code == 200 and f'id="card-{acme.pk}"' in text(form)
    # The step said "Call": the form proposes a call.
    call = activity_type(producer.agency, "Call").pk
    assert f'<option value="{call}" selected>' in text(form)
    response = producer_client.post(done_url(acme), {**done_data(producer.agency), "from": "board"},
                                    HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    acme.refresh_from_db()
    assert (acme.next_step, acme.next_step_due) == ("Send the coverage checklist",
                                                    in_days(producer.agency, 2))
    assert acme.stage.name == "Contacted"  # finished the step, not moved
    logged = Activity.objects.get(prospect=acme)
    assert (logged.activity_type.name, logged.outcome, logged.quantity) == ("Call", "connected", 1)
    assert f'id="card-{acme.pk}"' in text(response)
    assert "Send the coverage checklist" in text(response)
    assert "Done: Call logged for Acme Roofing" in response.headers["HX-Trigger"]


def test_done_twice_with_the_same_form_logs_one_activity(producer_client, producer, acme):
    data = done_data(producer.agency)
    first = producer_client.post(done_url(acme), data)
    again = producer_client.post(done_url(acme), {**data, "next_step": "Something else"})
    assert (first.status_code, again.status_code) == (302, 302)
    assert Activity.objects.filter(prospect=acme).count() == 1
    acme.refresh_from_db()
    assert acme.next_step == "Send the coverage checklist"


def test_done_on_my_week_logs_once_and_refreshes_the_list_and_the_counts(producer_client,
                                                                          producer, acme):
    row = producer_client.get(week_done_url(acme), HTTP_HX_REQUEST="true")
    assert f'id="ns-{acme.pk}"' in text(row) and "New next step" in text(row)
    data = done_data(producer.agency, token="tok-week")
    response = producer_client.post(week_done_url(acme), data, HTTP_HX_REQUEST="true")
    producer_client.post(week_done_url(acme), data, HTTP_HX_REQUEST="true")
    assert Activity.objects.filter(prospect=acme).count() == 1
    html = text(response)
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#next-steps", "outerHTML")
    assert 'id="next-steps"' in html and "Send the coverage checklist" in html
    assert 'id="quick-log" class="card quick-log" aria-labelledby="quick-log-title" hx-swap-oob' \
        in html
    assert f'data-count="{activity_type(producer.agency).pk}">1<' in html


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"next_step": ""}, "next_step", "Say what the next step is."),
    ({"next_step_due": ""}, "next_step_due", "Give the next step a date."),
    ({"next_step_due": "2020-01-01"}, "next_step_due", "The next step cannot be due in the past."),
])
def test_the_new_next_step_is_required_and_said_next_to_its_field(producer_client, producer,
                                                                   acme, changes, field, message):
    response = producer_client.post(done_url(acme), done_data(producer.agency, **changes))
    assert response.status_code == 400
    assert response.context["form"].errors[field] == [message]
    assert message in text(response)
    assert not Activity.objects.exists()
    acme.refresh_from_db()
    assert acme.next_step == "Call Dana to set the appointment"


def test_another_producers_or_agencys_prospect_is_a_404(client, producer, leader, acme,
                                                        other_producer):
    theirs = prospect_create(owner=other_producer, name="Theirs", next_step="Call",
                             next_step_due=agency_today(other_producer.agency))
    colleague = prospect_create(owner=ProducerFactory(agency=producer.agency, team=producer.team),
                                name="Colleague's", next_step="Call",
                                next_step_due=agency_today(producer.agency))
    login(client, producer)
    for prospect in (theirs, colleague):
        for url in (done_url(prospect), week_done_url(prospect)):
            assert client.get(url).status_code == 404
            assert client.post(url, done_data(producer.agency)).status_code == 404
    # A leader sees a team member's prospect, but its next step is the producer's to finish.
    login(client, leader)
    assert client.get(done_url(acme)).status_code == 404
    assert client.post(done_url(acme), done_data(leader.agency)).status_code == 404
    assert not Activity.objects.exists()


def test_a_bound_prospect_has_no_next_step_to_finish(producer_client, producer):
    bound = prospect_create(owner=producer, name="Bound one", stage=stage(producer.agency, "Bound"))
    assert producer_client.get(done_url(bound)).status_code == 404


def test_the_activity_matches_what_the_step_says(producer):
    types = list(active_activity_types(producer.agency))
    names = {step: matching_activity_type(step, types).name for step in (
        "Call to confirm the appointment", "Send the coverage checklist",
        "Present the proposal", "Ask for two referrals", "Collect loss runs", "Think it over")}
    assert names == {"Call to confirm the appointment": "Call",
                     "Send the coverage checklist": "Email", "Present the proposal": "Proposal",
                     "Ask for two referrals": "Referral ask", "Collect loss runs": "Quote",
                     "Think it over": "Call"}


def _pipeline(producer, n):
    today = agency_today(producer.agency)
    Prospect.objects.bulk_create(
        Prospect(agency=producer.agency, owner=producer, name=f"P{i}",
                 stage=stage(producer.agency, "Lead"), stage_entered_at=timezone.now(),
                 next_step="Call", next_step_due=today, x_date=today + dt.timedelta(days=i % 60))
        for i in range(n))


def test_query_counts_of_done_do_not_grow_with_the_pipeline(producer_client, producer, acme):
    _pipeline(producer, 3)
    counts = []
    for n, token in ((0, "a"), (200, "b")):
        _pipeline(producer, n)
        step = {"next_step": f"Step {token}"}  # a changed next step each time: one audit event
        counts.append((
            queries_of(producer_client.get, done_url(acme), {"from": "board"},
                       HTTP_HX_REQUEST="true"),
            queries_of(producer_client.post, done_url(acme),
                       {**done_data(producer.agency, token=token), **step, "from": "board"},
                       HTTP_HX_REQUEST="true"),
            queries_of(producer_client.post, week_done_url(acme),
                       {**done_data(producer.agency, token=token + "w"), "next_step": "Next"},
                       HTTP_HX_REQUEST="true"),
        ))
    for small, large in zip(counts[0], counts[1], strict=True):
        assert small == large
    print(f"done queries (form, board, week): {counts[1]}")
