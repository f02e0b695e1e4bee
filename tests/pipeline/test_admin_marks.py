"""A correction made in the admin reaches the scorecards as one in the app does: the week it
touches is marked for the job, so a past week's card does not keep its old numbers (the
safety refresh redoes only the current week and the weeks left marked)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import WeeklyScorecard
from accountability.scorecards.refresh import scorecards_refresh
from accountability.tasks import refresh_scorecards
from pipeline.models import Activity
from pipeline.services import activity_log, prospect_create
from salesculture.models import DirtyWeek, Producer
from salesculture.weeks import Week
from tests.factories import (
    CommitmentFactory,
    ConfidenceCheckInFactory,
    ProducerFactory,
    activity_type,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_week(agency):
    return Week.current(agency).shift(-1)


@pytest.fixture
def logged(agency, producer, last_week):
    """Two calls logged on last week's Tuesday, the week refreshed and its marks cleared; the
    producer and a teammate joined long before."""
    Producer.objects.filter(agency=agency).update(created_at=timezone.now() - dt.timedelta(days=60))
    moment = last_week.begins + dt.timedelta(days=1, hours=10)
    activity, _ = activity_log(producer=producer, activity_type=activity_type(agency),
                               quantity=2, occurred_at=moment, validate_window=False)
    scorecards_refresh(agency=agency, week_start=last_week.start)
    DirtyWeek.objects.all().delete()
    return activity


def activities_on_card(producer, week) -> int:
    return WeeklyScorecard.objects.get(producer=producer, week_start=week.start).activities_total


def form_data(activity: Activity, **changes) -> dict:
    data = {"agency": activity.agency_id, "producer": activity.producer_id,
            "activity_type": activity.activity_type_id, "prospect": "",
            "occurred_at_0": activity.occurred_at.strftime("%Y-%m-%d"),
            "occurred_at_1": activity.occurred_at.strftime("%H:%M:%S"),
            "quantity": activity.quantity, "outcome": "", "note": "", "client_token": ""}
    return {**data, **changes}


def test_a_quantity_corrected_in_the_admin_changes_last_weeks_card(admin_client, agency,
                                                                   producer, last_week, logged):
    assert activities_on_card(producer, last_week) == 2
    url = reverse("admin:pipeline_activity_change", args=[logged.pk])

    assert admin_client.post(url, form_data(logged, quantity=5)).status_code == 302
    assert list(DirtyWeek.objects.values_list("week_start", "producer_id")) == [
        (last_week.start, producer.pk)]
    refresh_scorecards(agency.pk, last_week.start.isoformat())

    assert activities_on_card(producer, last_week) == 5


def test_an_activity_moved_to_another_producer_changes_both_cards(admin_client, agency,
                                                                  producer, last_week, logged):
    other = ProducerFactory(agency=agency, team=producer.team)
    Producer.objects.filter(pk=other.pk).update(created_at=timezone.now() - dt.timedelta(days=60))
    url = reverse("admin:pipeline_activity_change", args=[logged.pk])

    admin_client.post(url, form_data(logged, producer=other.pk))
    assert set(DirtyWeek.objects.values_list("producer_id", flat=True)) == {producer.pk, other.pk}
    refresh_scorecards(agency.pk, last_week.start.isoformat())

    assert activities_on_card(producer, last_week) == 0
    assert activities_on_card(other, last_week) == 2


def test_an_activity_deleted_in_the_admin_leaves_last_weeks_card(admin_client, agency, producer,
                                                                 last_week, logged):
    url = reverse("admin:pipeline_activity_delete", args=[logged.pk])
    admin_client.post(url, {"post": "yes"})
    assert list(DirtyWeek.objects.values_list("week_start", "producer_id")) == [
        (last_week.start, producer.pk)]
    refresh_scorecards(agency.pk, last_week.start.isoformat())
    assert activities_on_card(producer, last_week) == 0


def test_the_admins_bulk_delete_marks_each_week(admin_client, agency, producer, last_week,
                                                logged):
    this_week = activity_log(producer=producer, activity_type=activity_type(agency))[0]
    DirtyWeek.objects.all().delete()
    admin_client.post(reverse("admin:pipeline_activity_changelist"), {
        "action": "delete_selected", "_selected_action": [logged.pk, this_week.pk],
        "post": "yes"})
    assert set(DirtyWeek.objects.values_list("week_start", flat=True)) == {
        last_week.start, Week.current(agency).start}


def test_a_prospect_handed_over_in_the_admin_marks_both_owners(admin_client, agency, producer):
    other = ProducerFactory(agency=agency, team=producer.team)
    prospect = prospect_create(owner=producer, name="Oak Family", estimated_revenue=Decimal(900))
    DirtyWeek.objects.all().delete()
    url = reverse("admin:pipeline_prospect_change", args=[prospect.pk])
    page = admin_client.get(url)
    data = {"owner": other.pk}
    for name, value in page.context["adminform"].form.initial.items():
        if isinstance(value, dt.datetime):  # the admin's date and time boxes, in UTC
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif value is not None and name not in data:
            data[name] = getattr(value, "pk", value)

    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(DirtyWeek.objects.values_list("producer_id", flat=True)) == {producer.pk, other.pk}
    scorecards_refresh(agency=agency, week_start=Week.current(agency).start,
                       producer_ids={producer.pk, other.pk})
    card = WeeklyScorecard.objects.get(producer=other, week_start=Week.current(agency).start)
    assert card.pipeline_open_value == Decimal(900)


def test_a_card_left_with_nothing_in_a_week_before_its_producer_joined_goes(
        admin_client, agency, producer, last_week):
    """History logged for someone who joined this week, then corrected away: the week no
    longer places them on the board, so their old card (and its numbers) goes."""
    newcomer = ProducerFactory(agency=agency, team=producer.team)  # joined today
    moment = last_week.begins + dt.timedelta(days=2, hours=9)
    logged, _ = activity_log(producer=newcomer, activity_type=activity_type(agency), quantity=4,
                             occurred_at=moment, validate_window=False)
    scorecards_refresh(agency=agency, week_start=last_week.start)
    assert activities_on_card(newcomer, last_week) == 4

    admin_client.post(reverse("admin:pipeline_activity_delete", args=[logged.pk]),
                      {"post": "yes"})
    assert refresh_scorecards(agency.pk, last_week.start.isoformat()) == [newcomer.pk]

    assert not WeeklyScorecard.objects.filter(producer=newcomer,
                                              week_start=last_week.start).exists()
    assert refresh_scorecards(agency.pk, last_week.start.isoformat()) == []  # nothing more


def test_a_commitment_or_check_in_corrected_in_the_admin_marks_its_week(admin_client, agency,
                                                                       producer, last_week):
    commitment = CommitmentFactory(agency=agency, producer=producer,
                                   week_start=last_week.start)
    check_in = ConfidenceCheckInFactory(agency=agency, producer=producer,
                                        week_start=last_week.start)
    for obj, name in ((commitment, "commitment"), (check_in, "confidencecheckin")):
        DirtyWeek.objects.all().delete()
        admin_client.post(reverse(f"admin:accountability_{name}_delete", args=[obj.pk]),
                          {"post": "yes"})
        assert list(DirtyWeek.objects.values_list("week_start", "producer_id")) == [
            (last_week.start, producer.pk)], name
