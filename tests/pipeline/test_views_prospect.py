import datetime as dt
import html as html_lib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Activity, Prospect, StageAdvance
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import local_now
from tests.conftest import login
from tests.factories import ActivityFactory, ProducerFactory, ProspectFactory, stage, where
from tests.queries import queries_of

NEW = reverse("pipeline:prospect_new")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def detail(prospect):
    return reverse("pipeline:prospect", args=[prospect.pk])


@pytest.fixture
def acme(producer):
    return prospect_create(owner=producer, name="Acme Roofing", estimated_revenue=5000)


def valid(**overrides):
    data = {"name": "Acme Roofing", "line_of_business": "commercial",
            "estimated_revenue": "5000", "next_step": "Call the owner",
            "next_step_due": (timezone.localdate() + dt.timedelta(days=2)).isoformat(),
            "source": "Referral"}
    return {**data, **overrides}


def test_create_a_prospect_puts_it_on_the_board_with_its_first_ledger_row(producer_client,
                                                                          producer):
    lead = stage(producer.agency, "Lead")
    response = producer_client.post(NEW, valid(stage=lead.pk))
    prospect = Prospect.objects.get(name="Acme Roofing")
    assert response.status_code == 302 and response["Location"] == detail(prospect)
    assert prospect.owner == producer and prospect.next_step == "Call the owner"
    assert StageAdvance.objects.filter(prospect=prospect, from_stage=None).count() == 1


def test_create_refuses_a_due_date_in_the_past_and_keeps_what_was_typed(producer_client,
                                                                         producer):
    # The agency's yesterday: around midnight UTC the server's date is already the next day.
    yesterday = (local_now(producer.agency).date() - dt.timedelta(days=1)).isoformat()
    response = producer_client.post(NEW, valid(stage=stage(producer.agency, "Lead").pk,
                                               next_step_due=yesterday))
    html = text(response)
    assert "The next step cannot be due in the past." in html
    assert 'value="Acme Roofing"' in html
    assert not Prospect.objects.exists()


def test_create_refuses_a_stage_of_another_agency(producer_client, other_agency):
    response = producer_client.post(NEW, valid(stage=stage(other_agency, "Lead").pk))
    assert "Choose a stage of your agency's pipeline." in text(response)
    assert not Prospect.objects.exists()


def test_edit_changes_the_prospect_but_not_its_stage(producer_client, acme):
    url = reverse("pipeline:prospect_edit", args=[acme.pk])
    assert 'value="Acme Roofing"' in text(producer_client.get(url))
    response = producer_client.post(url, valid(name="Acme Roofing & Sons",
                                               estimated_revenue="7000"))
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.estimated_revenue, acme.stage.name) == (
        "Acme Roofing & Sons", 7000, "Lead")


def test_edit_refuses_negative_revenue_and_saves_nothing(producer_client, acme):
    url = reverse("pipeline:prospect_edit", args=[acme.pk])
    response = producer_client.post(url, valid(estimated_revenue="-5", name="Changed"))
    assert "Revenue cannot be negative." in text(response)
    acme.refresh_from_db()
    assert acme.name == "Acme Roofing"


def test_detail_shows_the_full_stage_history_and_activities(producer_client, producer, acme):
    due = timezone.localdate() + dt.timedelta(days=1)
    prospect_advance(prospect=acme,
                     expected_stage=where(acme),
                     to_stage=stage(producer.agency, "Contacted"), actor=producer,
                     next_step="Book it", next_step_due=due)
    prospect_advance(prospect=acme,
                     expected_stage=where(acme),
                     to_stage=stage(producer.agency, "Lost"), actor=producer,
                     lost_reason="Price")
    ActivityFactory(producer=producer, prospect=acme, note="Left a voicemail")
    html = text(producer_client.get(detail(acme)))
    assert "Created in Lead" in html
    assert "Lead → Contacted" in html and "Contacted → Lost" in html
    assert "Reason: Price" in html
    assert "Left a voicemail" in html


def test_history_and_activities_show_the_agencys_local_time(producer_client, producer):
    # Wednesday 8 pm in Chicago is already Thursday 2 am in UTC, the server's zone.
    evening = dt.datetime(2026, 11, 18, 20, 0, tzinfo=producer.agency.tz)
    prospect = prospect_create(owner=producer, name="Late Caller", occurred_at=evening)
    ActivityFactory(producer=producer, prospect=prospect, occurred_at=evening)
    html = text(producer_client.get(detail(prospect)))
    assert "Wed Nov 18, 2026 · 8:00 p.m." in html
    assert "Wed Nov 18 · 8:00 p.m." in html
    assert "Thu Nov 19" not in html


def test_a_long_activity_history_says_only_the_latest_are_shown(producer_client, producer,
                                                                acme):
    ActivityFactory.create_batch(49, producer=producer, prospect=acme)
    assert "The latest 50 are shown." not in text(producer_client.get(detail(acme)))
    ActivityFactory(producer=producer, prospect=acme)
    assert "The latest 50 are shown." in text(producer_client.get(detail(acme)))


def test_an_overdue_next_step_says_so_in_words(producer_client, producer):
    late = timezone.now().astimezone(producer.agency.tz).date() - dt.timedelta(days=3)
    prospect = ProspectFactory(owner=producer, next_step="Send the checklist",
                               next_step_due=late)
    html = text(producer_client.get(detail(prospect)))
    assert f"Send the checklist · overdue since {late:%a %b} {late.day}" in html


def test_another_producers_prospect_is_404_everywhere(producer_client, producer, team):
    colleague = ProducerFactory(agency=producer.agency, team=team)
    theirs = ProspectFactory(owner=colleague)
    for name in ("pipeline:prospect", "pipeline:prospect_edit", "pipeline:prospect_advance",
                 "pipeline:prospect_card"):
        assert producer_client.get(reverse(name, args=[theirs.pk])).status_code == 404, name
    url = reverse("pipeline:prospect_log", args=[theirs.pk])
    assert producer_client.post(url, {"activity_type": 1}).status_code == 404
    assert not Activity.objects.exists()


def test_another_agencys_prospect_is_404(producer_client, other_producer):
    theirs = ProspectFactory(owner=other_producer)
    assert producer_client.get(detail(theirs)).status_code == 404


def test_leader_sees_a_team_prospect_but_cannot_log_activities_on_it(client, leader, producer):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    login(client, leader)
    response = client.get(detail(acme))
    assert response.status_code == 200 and "Log activity" not in text(response)
    url = reverse("pipeline:prospect_log", args=[acme.pk])
    assert client.post(url, {"activity_type": 1}).status_code == 404


# --- logging an activity against the prospect -------------------------------------------------

def log_url(prospect):
    return reverse("pipeline:prospect_log", args=[prospect.pk])


def call(agency):
    from tests.factories import activity_type
    return activity_type(agency, "Call")


def test_log_an_activity_against_the_prospect_with_htmx(producer_client, producer, acme):
    response = producer_client.post(log_url(acme), {
        "activity_type": call(producer.agency).pk, "quantity": "2", "outcome": "connected",
        "note": "Talked to the owner"}, HTTP_HX_REQUEST="true")
    html = text(response)
    assert html.lstrip().startswith('<section class="card" id="prospect-activities">')
    assert "2 × 📞 Call" in html and "Talked to the owner" in html
    toast = json.loads(response["HX-Trigger"])["toast"]
    assert toast["text"] == "Logged 2 × Call for Acme Roofing."
    activity = Activity.objects.get()
    assert (activity.prospect, activity.quantity, activity.outcome) == (acme, 2, "connected")


def test_a_double_tap_on_log_activity_counts_once(producer_client, producer, acme):
    page = text(producer_client.get(detail(acme)))
    token = page.split('name="client_token" value="', 1)[1].split('"', 1)[0]
    data = {"activity_type": call(producer.agency).pk, "quantity": "1", "client_token": token}
    producer_client.post(log_url(acme), data, HTTP_HX_REQUEST="true")
    second = producer_client.post(log_url(acme), data, HTTP_HX_REQUEST="true")
    assert Activity.objects.filter(prospect=acme).count() == 1
    assert json.loads(second["HX-Trigger"])["toast"]["text"] == (
        "Already counted: that Call was logged once.")
    # The form comes back with a new token, so the next deliberate log counts.
    assert f'value="{token}"' not in text(second)


@pytest.mark.parametrize("quantity", ["0", "10000"])
def test_quantity_out_of_range_is_refused_next_to_the_field(producer_client, producer, acme,
                                                           quantity):
    response = producer_client.post(log_url(acme), {
        "activity_type": call(producer.agency).pk, "quantity": quantity, "note": "kept"},
        HTTP_HX_REQUEST="true")
    html = text(response)
    assert "Enter a quantity between 1 and 500." in html
    assert 'value="kept"' in html
    assert not Activity.objects.exists()


def test_deactivated_activity_type_is_refused(producer_client, producer, acme):
    email = call(producer.agency).__class__.objects.get(agency=producer.agency, name="Email")
    email.is_active = False
    email.save()
    response = producer_client.post(log_url(acme), {"activity_type": email.pk})
    assert "Email is no longer in use; choose another." in text(response)
    assert not Activity.objects.exists()


# --- query counts -----------------------------------------------------------------------------

def _grow(producer, prospect, moves, activities):
    contacted, lead = stage(producer.agency, "Contacted"), stage(producer.agency, "Lead")
    rows = []
    for i in range(moves):
        rows.append(StageAdvance(agency=producer.agency, prospect=prospect, producer=producer,
                                 from_stage=lead if i % 2 else contacted,
                                 to_stage=contacted if i % 2 else lead,
                                 occurred_at=timezone.now(), is_win=bool(i % 2)))
    StageAdvance.objects.bulk_create(rows)
    Activity.objects.bulk_create(
        Activity(agency=producer.agency, producer=producer, prospect=prospect,
                 activity_type=call(producer.agency), occurred_at=timezone.now())
        for _ in range(activities))
    Prospect.objects.bulk_create(
        Prospect(agency=producer.agency, owner=producer, name=f"Other {i}", stage=lead,
                 stage_entered_at=timezone.now()) for i in range(moves))


def test_prospect_page_query_count_does_not_grow(producer_client, producer, acme):
    _grow(producer, acme, 5, 5)
    small = queries_of(producer_client.get, detail(acme), ok=(200, 302))
    _grow(producer, acme, 195, 495)
    large = queries_of(producer_client.get, detail(acme), ok=(200, 302))
    assert small == large and large <= 15
    print(f"prospect page queries: {large}")


def test_prospect_log_partial_query_count_does_not_grow(producer_client, producer, acme):
    data = {"activity_type": call(producer.agency).pk}
    _grow(producer, acme, 5, 5)
    small = queries_of(producer_client.post, log_url(acme), data, HTTP_HX_REQUEST="true",
                       ok=(200, 302))
    _grow(producer, acme, 195, 495)
    large = queries_of(producer_client.post, log_url(acme), data, HTTP_HX_REQUEST="true",
                       ok=(200, 302))
    assert small == large
    print(f"prospect log partial queries: {large}")


def test_advance_form_and_new_prospect_query_counts_do_not_grow(producer_client, producer, acme):
    url = reverse("pipeline:prospect_advance", args=[acme.pk])
    _grow(producer, acme, 5, 5)
    small = (queries_of(producer_client.get, url, HTTP_HX_REQUEST="true", ok=(200, 302)),
             queries_of(producer_client.get, NEW, ok=(200, 302)))
    _grow(producer, acme, 195, 495)
    large = (queries_of(producer_client.get, url, HTTP_HX_REQUEST="true", ok=(200, 302)),
             queries_of(producer_client.get, NEW, ok=(200, 302)))
    assert small == large
    print(f"advance form / new prospect queries: {large}")


def test_edit_prospect_query_counts_do_not_grow(producer_client, producer, acme):
    url = reverse("pipeline:prospect_edit", args=[acme.pk])

    def both(name):
        page = queries_of(producer_client.get, url, ok=(200, 302))
        # A new name each time: an edit that changes something writes its audit event.
        save = queries_of(producer_client.post, url, valid(name=name), ok=(200, 302))
        return page, save

    _grow(producer, acme, 5, 5)
    small = both("Acme Roofing Inc")
    _grow(producer, acme, 195, 495)
    large = both("Acme Roofing LLC")
    assert small == large
    print(f"edit prospect queries (page, save): {large}")
