"""The quick-log bar on My week: one tap logs one activity, a double tap counts once (decided:
each rendered button carries its own token), undo within a minute, and the short form."""

import datetime as dt
import html as html_lib
import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.models import WeeklyScorecard
from pipeline.models import Activity
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import Week
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ProspectFactory,
    activity_type,
    stage,
    where,
)
from tests.pages import my_week_seen

LOG = reverse("accountability:week_log")
WEEK = reverse("accountability:my_week")
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "quick-log"}


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def count_on_button(html: str, type_id: int) -> int:
    marker = f'data-count="{type_id}">'
    start = html.index(marker) + len(marker)
    return int(html[start:html.index("<", start)])


def tap(client, type_id, token="tok-1", **extra):
    return client.post(LOG, {"activity_type": type_id, "client_token": token}, **extra)


@pytest.fixture
def call(producer):
    return activity_type(producer.agency, "Call")


def test_a_tap_logs_one_activity_and_the_count_updates_in_place(producer_client, producer,
                                                                call):
    ActivityFactory(producer=producer, activity_type=call, quantity=2)
    response = tap(producer_client, call.pk, **HTMX)
    html = text(response)
    assert html.lstrip().startswith('<section id="quick-log"')
    assert count_on_button(html, call.pk) == 3
    assert "Logged 1 × Call." in html and "Undo" in html
    # The other live parts of the page follow, swapped out of band.
    assert 'id="week-commitments" class="card" hx-swap-oob="true"' in html
    assert 'id="week-compare" class="compare-line" hx-swap-oob="true"' in html
    assert Activity.objects.filter(producer=producer).count() == 2


def test_a_double_tap_is_counted_once(producer_client, producer, call):
    first = tap(producer_client, call.pk, token="same-button", **HTMX)
    second = tap(producer_client, call.pk, token="same-button", **HTMX)
    assert Activity.objects.filter(producer=producer).count() == 1
    assert count_on_button(text(first), call.pk) == 1
    assert count_on_button(text(second), call.pk) == 1


def test_two_taps_on_freshly_rendered_buttons_count_twice(producer_client, producer, call):
    tap(producer_client, call.pk, token="a", **HTMX)
    response = tap(producer_client, call.pk, token="b", **HTMX)
    assert count_on_button(text(response), call.pk) == 2


def test_the_response_renders_fresh_tokens(producer_client, call):
    html = text(tap(producer_client, call.pk, token="used", **HTMX))
    assert 'value="used"' not in html


def test_the_swapped_buttons_still_post_to_the_log(producer_client, call):
    """The buttons that come back with a tap are the next tap's: each posts to the log."""
    html = text(tap(producer_client, call.pk, token="t", **HTMX))
    log = reverse("accountability:week_log")
    assert html.count(f'action="{log}" hx-post="{log}"') == html.count('name="activity_type"') > 0


def test_commitment_progress_moves_with_the_tap(producer_client, producer, call):
    CommitmentFactory(producer=producer, activity_type=call, target=1)
    html = text(tap(producer_client, call.pk, **HTMX))
    assert "1 / 1" in html and "✓ kept" in html


def test_tap_without_javascript_redirects_back_with_a_message(producer_client, call):
    response = tap(producer_client, call.pk)
    assert response.status_code == 302 and response["Location"] == WEEK
    assert "Logged 1 × Call." in text(producer_client.get(WEEK))


def test_a_deactivated_type_is_refused_with_a_message(producer_client, producer):
    email = activity_type(producer.agency, "Email")
    email.is_active = False
    email.save()
    html = text(tap(producer_client, email.pk, **HTMX))
    assert "Email is no longer in use; choose another." in html
    assert not Activity.objects.exists()


def test_an_activity_type_of_another_agency_is_refused(producer_client, other_agency):
    html = text(tap(producer_client, activity_type(other_agency, "Call").pk, **HTMX))
    assert "Choose one of your agency's activity types." in html
    assert not Activity.objects.exists()


# --- undo ------------------------------------------------------------------------------------

def undo_url(activity):
    return reverse("accountability:week_undo", args=[activity.pk])


def test_undo_the_last_tap_within_a_minute(producer_client, producer, call):
    tap(producer_client, call.pk, **HTMX)
    activity = Activity.objects.get()
    response = producer_client.post(undo_url(activity), **HTMX)
    assert not Activity.objects.exists()
    assert count_on_button(text(response), call.pk) == 0
    assert "Undone" in json.loads(response["HX-Trigger"])["toast"]["text"]


def test_undo_after_a_minute_is_refused(producer_client, producer, call):
    activity = ActivityFactory(producer=producer, activity_type=call)
    Activity.objects.filter(pk=activity.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=90))
    response = producer_client.post(undo_url(activity), **HTMX)
    assert "Too late to undo" in text(response)
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_undo_of_someone_elses_activity_is_404(producer_client, other_producer):
    theirs = ActivityFactory(producer=other_producer)
    assert producer_client.post(undo_url(theirs)).status_code == 404
    assert Activity.objects.filter(pk=theirs.pk).exists()


def test_undo_button_is_offered_only_within_the_window(producer_client, producer, call):
    activity = ActivityFactory(producer=producer, activity_type=call)
    Activity.objects.filter(pk=activity.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=20))
    html = text(producer_client.get(WEEK))
    assert undo_url(activity) in html
    # The button hides itself when the window closes, about 40 seconds from now.
    assert re.search(r'data-undo-seconds="(39|40)"', html)
    Activity.objects.filter(pk=activity.pk).update(
        created_at=timezone.now() - dt.timedelta(seconds=61))
    assert undo_url(activity) not in text(producer_client.get(WEEK))


# --- the short form with details ------------------------------------------------------------

def detailed(type_id, **fields):
    return {"detail": "1", "activity_type": type_id, "quantity": "1", "client_token": "f1",
            **fields}


def test_log_with_quantity_prospect_outcome_and_note(producer_client, producer, call):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    response = producer_client.post(LOG, detailed(call.pk, quantity="5", prospect=acme.pk,
                                                  outcome="connected", note="Good talk"),
                                    HTTP_HX_REQUEST="true", HTTP_HX_TARGET="log-form")
    activity = Activity.objects.get()
    assert (activity.quantity, activity.prospect, activity.outcome, activity.note) == (
        5, acme, "connected", "Good talk")
    html = text(response)
    assert html.lstrip().startswith('<details id="log-form" class="card log-details" open')
    assert 'value="Good talk"' not in html  # a fresh form for the next one
    assert count_on_button(html, call.pk) == 5


def test_the_prospect_choices_list_open_prospects_first(producer_client, producer):
    prospect_create(owner=producer, name="Zed Open")
    bound = prospect_create(owner=producer, name="Able Bound")
    prospect_advance(prospect=bound,
                     expected_stage=where(bound),
                     to_stage=stage(producer.agency, "Bound"), actor=producer)
    html = text(my_week_seen(producer_client))
    assert html.index(">Zed Open</option>") < html.index(">Able Bound (Bound)</option>")


@pytest.mark.parametrize("quantity", ["0", "10000"])
def test_quantity_out_of_range_is_refused_and_what_was_typed_is_kept(producer_client, call,
                                                                    quantity):
    response = producer_client.post(LOG, detailed(call.pk, quantity=quantity, note="my note"),
                                    HTTP_HX_REQUEST="true")
    html = text(response)
    assert "Enter a quantity between 1 and 500." in html
    assert 'value="my note"' in html and f'value="{quantity}"' in html
    assert not Activity.objects.exists()


def test_a_prospect_of_another_producer_is_refused(producer_client, producer, call, team):
    from tests.factories import ProducerFactory
    theirs = ProspectFactory(owner=ProducerFactory(agency=producer.agency, team=team))
    response = producer_client.post(LOG, detailed(call.pk, prospect=theirs.pk),
                                    HTTP_HX_REQUEST="true")
    assert "Choose one of your own prospects." in text(response)
    assert not Activity.objects.exists()


def test_form_errors_without_javascript_show_on_the_page(producer_client, call):
    response = producer_client.post(LOG, detailed(call.pk, quantity="0"))
    assert response.status_code == 400
    assert "Enter a quantity between 1 and 500." in text(response)


def test_the_scorecard_job_runs_when_the_tap_commits(producer_client, producer, call,
                                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        tap(producer_client, call.pk, **HTMX)
    card = WeeklyScorecard.objects.get(producer=producer,
                                       week_start=Week.current(producer.agency).start)
    assert card.activity_counts == {str(call.pk): 1}


# --- query counts ----------------------------------------------------------------------------

def _fill(producer, n):
    types = list(producer.agency.activity_types.all())
    Activity.objects.bulk_create(
        Activity(agency=producer.agency, producer=producer, activity_type=types[i % len(types)],
                 occurred_at=timezone.now() - dt.timedelta(minutes=i)) for i in range(n))
    # Earlier weeks too, for the comparison line that is swapped with every tap.
    Activity.objects.bulk_create(
        Activity(agency=producer.agency, producer=producer, activity_type=types[0],
                 occurred_at=timezone.now() - dt.timedelta(days=7, hours=i % 500))
        for i in range(n))
    week = Week.current(producer.agency).start
    for weeks_back in range(1, 5):
        WeeklyScorecard.objects.get_or_create(
            agency=producer.agency, producer=producer,
            week_start=week - dt.timedelta(weeks=weeks_back),
            defaults={"activities_total": 10, "wins": 1, "computed_at": timezone.now()})
    ProspectFactory.create_batch(n // 3, owner=producer)


def test_quick_log_query_count_does_not_grow(producer_client, producer, call):
    _fill(producer, 5)
    with CaptureQueriesContext(connection) as small:
        tap(producer_client, call.pk, token="x1", **HTMX)
    _fill(producer, 495)
    with CaptureQueriesContext(connection) as large:
        tap(producer_client, call.pk, token="x2", **HTMX)
    assert len(small.captured_queries) == len(large.captured_queries)
    print(f"quick log partial queries: {len(large.captured_queries)}")


def test_undo_query_count_does_not_grow(producer_client, producer, call):
    _fill(producer, 5)
    first = ActivityFactory(producer=producer, activity_type=call)
    with CaptureQueriesContext(connection) as small:
        producer_client.post(undo_url(first), **HTMX)
    _fill(producer, 495)
    second = ActivityFactory(producer=producer, activity_type=call)
    with CaptureQueriesContext(connection) as large:
        producer_client.post(undo_url(second), **HTMX)
    assert len(small.captured_queries) == len(large.captured_queries)
    print(f"undo partial queries: {len(large.captured_queries)}")
