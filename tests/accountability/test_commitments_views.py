import datetime as dt
import html as html_lib
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from accountability.models import Commitment
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.models import Activity
from pipeline.services import prospect_create
from salesculture.weeks import Week
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    activity_type,
    stage,
)

PAGE = reverse("accountability:commitments")
SET = reverse("accountability:commitments_set")
PROMISE = reverse("accountability:promise_add")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def plain(response) -> str:
    return " ".join(html_lib.unescape(strip_tags(response.content.decode())).split())


def next_week(agency):
    return Week.current(agency).start + dt.timedelta(weeks=1)


def test_the_form_has_one_number_per_active_type_and_non_lost_stage_plus_any(producer_client,
                                                                           producer):
    email = activity_type(producer.agency, "Email")
    email.is_active = False
    email.save()
    html = text(producer_client.get(PAGE))
    call = activity_type(producer.agency, "Call")
    assert f'name="activity_{call.pk}"' in html
    assert f'name="activity_{email.pk}"' not in html
    assert 'name="wins_any"' in html
    assert f'name="wins_{stage(producer.agency, "Proposal presented").pk}"' in html
    assert f'name="wins_{stage(producer.agency, "Lost").pk}"' not in html
    # Nothing is ever won into the first stage: a commitment to it could never be kept.
    assert f'name="wins_{stage(producer.agency, "Lead").pk}"' not in html


def test_prefill_from_the_plan_link_is_shown_but_not_saved(producer_client, producer):
    call = activity_type(producer.agency, "Call")
    proposal = stage(producer.agency, "Proposal presented")
    response = producer_client.get(PAGE, {f"activity_{call.pk}": "38",
                                          f"wins_{proposal.pk}": "2", "wins_any": "5",
                                          "activity_99999": "7", "wins_any_bad": "x"})
    html = text(response)
    assert f'name="activity_{call.pk}" value="38"' in html
    assert f'name="wins_{proposal.pk}" value="2"' in html
    assert 'name="wins_any" value="5"' in html
    assert "nothing is saved until you do" in html
    assert not Commitment.objects.exists()


def test_next_week_can_start_from_this_weeks_numbers(producer_client, producer):
    call = activity_type(producer.agency, "Call")
    CommitmentFactory(producer=producer, activity_type=call, target=30)
    CommitmentFactory(producer=producer, kind="stage_wins", target=4)
    CommitmentFactory(producer=producer, kind="specific", text="Send the Acme proposal")
    html = text(producer_client.get(PAGE))
    link = f'href="{PAGE}?activity_{call.pk}=30&wins_any=4">Start from this week’s numbers'
    assert link in html.replace("&amp;", "&")
    assert f'href="{reverse("accountability:plan")}">Start from my plan' in html
    # Following it fills the form and saves nothing.
    response = producer_client.get(PAGE, {f"activity_{call.pk}": "30", "wins_any": "4"})
    assert f'name="activity_{call.pk}" value="30"' in text(response)
    assert "Start from this week’s numbers" not in text(response)
    assert not Commitment.objects.filter(week_start=next_week(producer.agency)).exists()
    # Once next week has numbers of its own the offer goes away.
    CommitmentFactory(producer=producer, activity_type=call, target=5,
                      week_start=next_week(producer.agency))
    assert "Start from this week’s numbers" not in text(producer_client.get(PAGE))


def test_set_next_weeks_commitments_marks_them_planned_ahead(producer_client, producer):
    call = activity_type(producer.agency, "Call")
    proposal = stage(producer.agency, "Proposal presented")
    response = producer_client.post(SET, {f"activity_{call.pk}": "25", f"wins_{proposal.pk}": "2",
                                          "wins_any": "4", "week": "next"})
    assert response.status_code == 302
    rows = {c.describe(): c for c in Commitment.objects.filter(producer=producer)}
    assert set(rows) == {"25 × Call", "2 stage wins to Proposal presented", "4 stage wins"}
    assert all(c.planned_ahead and c.week_start == next_week(producer.agency)
               for c in rows.values())
    html = plain(producer_client.get(PAGE))
    assert "25 × Call planned ahead" in html


def test_changing_a_number_before_the_week_replaces_it_and_zero_withdraws(producer_client,
                                                                        producer):
    call = activity_type(producer.agency, "Call")
    email = activity_type(producer.agency, "Email")
    week = next_week(producer.agency)
    CommitmentFactory(producer=producer, week_start=week, activity_type=call, target=20)
    CommitmentFactory(producer=producer, week_start=week, activity_type=email, target=10)
    producer_client.post(SET, {f"activity_{call.pk}": "30", f"activity_{email.pk}": "0",
                               "week": "next"})
    assert [c.describe() for c in Commitment.objects.filter(producer=producer)] == ["30 × Call"]


def test_late_commitments_for_this_week_are_marked_late_and_existing_ones_stand(producer_client,
                                                                              producer):
    call = activity_type(producer.agency, "Call")
    email = activity_type(producer.agency, "Email")
    CommitmentFactory(producer=producer, activity_type=call, target=20)
    response = producer_client.get(PAGE, {"week": "this"})
    html = text(response)
    assert f'name="activity_{call.pk}" value="20"' in html and "disabled" in html
    producer_client.post(SET, {f"activity_{call.pk}": "5", f"activity_{email.pk}": "10",
                               "week": "this"})
    rows = {c.describe(): c for c in Commitment.objects.filter(producer=producer)}
    assert set(rows) == {"20 × Call", "10 × Email"}
    assert not rows["10 × Email"].planned_ahead


def test_a_target_out_of_range_saves_nothing(producer_client, producer):
    call = activity_type(producer.agency, "Call")
    email = activity_type(producer.agency, "Email")
    response = producer_client.post(SET, {f"activity_{call.pk}": "25",
                                          f"activity_{email.pk}": "10000", "week": "next"},
                                    HTTP_HX_REQUEST="true")
    html = text(response)
    assert html.lstrip().startswith('<div id="commitments-body">')
    assert "Enter a number between 0 and 500." in html
    assert f'name="activity_{call.pk}" value="25"' in html
    assert not Commitment.objects.exists()


def test_a_specific_promise_tied_to_a_prospect_with_a_due_day(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    thursday = next_week(producer.agency) + dt.timedelta(days=3)
    response = producer_client.post(PROMISE, {"text": "Send the Acme proposal",
                                              "prospect": acme.pk,
                                              "due_date": thursday.isoformat(), "week": "next"})
    assert response.status_code == 302
    promise = Commitment.objects.get()
    assert (promise.kind, promise.prospect, promise.due_date, promise.planned_ahead) == (
        "specific", acme, thursday, True)


def test_a_promise_needs_text_and_one_of_ones_own_prospects(producer_client, producer, team):
    theirs = ProspectFactory(owner=ProducerFactory(agency=producer.agency, team=team))
    response = producer_client.post(PROMISE, {"text": "", "prospect": theirs.pk,
                                              "week": "next"})
    html = text(response)
    assert "Say what you will do" in html
    assert "Choose one of your own prospects." in html
    assert not Commitment.objects.exists()


def test_a_due_day_outside_the_week_is_refused(producer_client):
    response = producer_client.post(PROMISE, {"text": "Call Bob", "due_date": "2001-01-01",
                                              "week": "next"})
    assert "Choose a day of that week, from today on." in text(response)
    assert not Commitment.objects.exists()


def test_a_promise_made_during_the_week_cannot_be_due_on_a_day_gone(producer_client, producer):
    agency = producer.agency
    today = timezone.now().astimezone(agency.tz).date()
    monday = Week.current(agency).start
    html = text(producer_client.get(PAGE, {"week": "this"}))
    assert f'<option value="{today.isoformat()}">' in html
    if today == monday:
        pytest.skip("Monday: no day of this week has gone yet")
    yesterday = today - dt.timedelta(days=1)
    assert f'<option value="{yesterday.isoformat()}">' not in html
    response = producer_client.post(PROMISE, {"text": "Call Bob", "week": "this",
                                              "due_date": yesterday.isoformat()})
    assert "Choose a day of that week, from today on." in text(response)
    assert 'value="Call Bob"' in text(response)
    assert not Commitment.objects.exists()


def test_withdraw_before_the_week_starts(producer_client, producer):
    c = CommitmentFactory(producer=producer, week_start=next_week(producer.agency))
    url = reverse("accountability:commitment_withdraw", args=[c.pk])
    response = producer_client.post(url, {"week": "next"}, HTTP_HX_REQUEST="true")
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast == {"text": "Withdrawn: 10 × Call.", "kind": ""}  # not celebrated as a win
    assert not Commitment.objects.exists()
    assert "No commitments for this week yet." in plain(response)


def test_a_refused_withdraw_with_htmx_says_why(producer_client, producer):
    c = CommitmentFactory(producer=producer)
    url = reverse("accountability:commitment_withdraw", args=[c.pk])
    response = producer_client.post(url, {"week": "this"}, HTTP_HX_REQUEST="true")
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast == {"text": "The week has started; this commitment stands.", "kind": ""}
    assert Commitment.objects.filter(pk=c.pk).exists()


def test_this_weeks_commitment_cannot_be_withdrawn(producer_client, producer):
    c = CommitmentFactory(producer=producer)
    url = reverse("accountability:commitment_withdraw", args=[c.pk])
    producer_client.post(url, {"week": "this"})
    assert Commitment.objects.filter(pk=c.pk).exists()
    assert "The week has started; this commitment stands." in text(
        producer_client.get(PAGE, {"week": "this"}))


def test_another_agencys_commitment_is_404(producer_client, other_producer):
    theirs = CommitmentFactory(producer=other_producer, kind="specific",
                               week_start=next_week(other_producer.agency))
    for name in ("accountability:commitment_withdraw", "accountability:commitment_done"):
        assert producer_client.post(reverse(name, args=[theirs.pk])).status_code == 404
    assert Commitment.objects.filter(pk=theirs.pk).exists()


def test_tick_a_specific_promise_shows_it_as_self_reported(producer_client, producer):
    promise = CommitmentFactory(producer=producer, kind="specific")
    url = reverse("accountability:commitment_done", args=[promise.pk])
    response = producer_client.post(url, {"done": "1", "week": "next"}, HTTP_HX_REQUEST="true")
    promise.refresh_from_db()
    assert promise.self_reported_done
    html = plain(response)
    assert "✓ Done" in html and "self-reported" in html
    assert json.loads(response["HX-Trigger"])["toast"]["kind"] == "win"
    # A second tap takes the tick back, and says so.
    response = producer_client.post(url, {"done": "0", "week": "next"}, HTTP_HX_REQUEST="true")
    promise.refresh_from_db()
    assert not promise.self_reported_done
    assert json.loads(response["HX-Trigger"])["toast"] == {
        "text": f"Marked not done: {promise.text}.", "kind": ""}
    assert "Mark done" in plain(response)


def test_a_measurable_commitment_cannot_be_ticked_by_hand(producer_client, producer):
    c = CommitmentFactory(producer=producer)
    url = reverse("accountability:commitment_done", args=[c.pk])
    response = producer_client.post(url, {"done": "1", "week": "this"}, HTTP_HX_REQUEST="true")
    assert json.loads(response["HX-Trigger"])["toast"]["text"] == (
        "This commitment is measured from your activities and stage wins.")
    c.refresh_from_db()
    assert not c.self_reported_done


def test_last_week_is_judged_from_the_ledger_not_self_reported(producer_client, producer):
    agency = producer.agency
    last = Week.current(agency).start - dt.timedelta(weeks=1)
    call = activity_type(agency, "Call")
    email = activity_type(agency, "Email")
    CommitmentFactory(producer=producer, week_start=last, activity_type=call, target=3)
    CommitmentFactory(producer=producer, week_start=last, activity_type=email, target=5)
    CommitmentFactory(producer=producer, week_start=last, kind="specific",
                      text="Send the Acme proposal", self_reported_done=True)
    monday_noon = dt.datetime.combine(last, dt.time(12), tzinfo=agency.tz)
    ActivityFactory(producer=producer, activity_type=call, quantity=3, occurred_at=monday_noon)
    ActivityFactory(producer=producer, activity_type=email, quantity=1, occurred_at=monday_noon)
    scorecards_refresh(agency=agency, week_start=last, final=True)
    html = plain(producer_client.get(PAGE))
    last_week = html[html.index("Last week"):]
    assert "3 × Call 3 / 3 kept from the ledger" in last_week
    assert "5 × Email 1 / 5 missed from the ledger" in last_week
    assert "Send the Acme proposal kept self-reported" in last_week


def test_last_week_before_the_rollover_reads_the_ledger(producer_client, producer):
    agency = producer.agency
    last = Week.current(agency).start - dt.timedelta(weeks=1)
    call = activity_type(agency, "Call")
    CommitmentFactory(producer=producer, week_start=last, activity_type=call, target=2)
    ActivityFactory(producer=producer, activity_type=call, quantity=2,
                    occurred_at=dt.datetime.combine(last, dt.time(12), tzinfo=agency.tz))
    assert "10 × Call" not in plain(producer_client.get(PAGE))
    assert "2 × Call 2 / 2 kept" in plain(producer_client.get(PAGE))


def _fill(producer, n):
    agency = producer.agency
    ProspectFactory.create_batch(n, owner=producer)
    types = list(agency.activity_types.all())
    Activity.objects.bulk_create(
        Activity(agency=agency, producer=producer, activity_type=types[i % len(types)],
                 occurred_at=timezone.now() - dt.timedelta(hours=i % 300))
        for i in range(n * 2 + 90))


@pytest.mark.parametrize("params, extra", [
    ({}, {}), ({"week": "this"}, {}), ({}, {"HTTP_HX_REQUEST": "true"})])
def test_commitments_page_query_count_does_not_grow(producer_client, producer, params, extra):
    last = Week.current(producer.agency).start - dt.timedelta(weeks=1)
    CommitmentFactory(producer=producer, week_start=last)
    CommitmentFactory(producer=producer)
    _fill(producer, 5)
    with CaptureQueriesContext(connection) as small:
        producer_client.get(PAGE, params, **extra)
    _fill(producer, 195)
    for week in (last, Week.current(producer.agency).start, next_week(producer.agency)):
        CommitmentFactory.create_batch(3, producer=producer, week_start=week, kind="specific")
    with CaptureQueriesContext(connection) as large:
        producer_client.get(PAGE, params, **extra)
    assert len(small.captured_queries) == len(large.captured_queries)
    print(f"commitments page {params} {extra}: {len(large.captured_queries)}")


def test_saving_targets_query_count_does_not_grow(producer_client, producer):
    call = activity_type(producer.agency, "Call")
    _fill(producer, 5)
    with CaptureQueriesContext(connection) as small:
        producer_client.post(SET, {f"activity_{call.pk}": "20", "week": "next"},
                             HTTP_HX_REQUEST="true")
    _fill(producer, 195)
    Commitment.objects.all().delete()
    with CaptureQueriesContext(connection) as large:
        producer_client.post(SET, {f"activity_{call.pk}": "20", "week": "next"},
                             HTTP_HX_REQUEST="true")
    assert len(small.captured_queries) == len(large.captured_queries)
    print(f"commitments save partial: {len(large.captured_queries)}")


def test_promise_tick_and_withdraw_query_counts_do_not_grow(producer_client, producer):
    """Each answers with the whole commitments body, so it must not grow with the ledgers."""
    def three():
        counts = []
        with CaptureQueriesContext(connection) as ctx:
            producer_client.post(PROMISE, {"text": "Send the Acme proposal", "week": "next"},
                                 HTTP_HX_REQUEST="true")
        counts.append(len(ctx.captured_queries))
        promise = Commitment.objects.filter(kind="specific").latest("pk")
        for name, data in (("accountability:commitment_done", {"done": "1", "week": "next"}),
                           ("accountability:commitment_withdraw", {"week": "next"})):
            with CaptureQueriesContext(connection) as ctx:
                response = producer_client.post(reverse(name, args=[promise.pk]), data,
                                                HTTP_HX_REQUEST="true")
            assert response.status_code == 200
            counts.append(len(ctx.captured_queries))
        assert not Commitment.objects.filter(pk=promise.pk).exists()
        return counts

    CommitmentFactory(producer=producer)
    _fill(producer, 5)
    small = three()
    _fill(producer, 195)
    for week in (Week.current(producer.agency).start, next_week(producer.agency)):
        CommitmentFactory.create_batch(3, producer=producer, week_start=week, kind="specific")
    large = three()
    assert small == large
    print(f"promise add / tick / withdraw partials: {large}")
