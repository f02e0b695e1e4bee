"""Each move records when its prospect entered the stage the move leaves (the time of the move
before it): written by a move in the app, by an import that changes a stage, by the replay of
history written in bulk, and by the migration for the moves already there. The scorecards'
open pipeline at a past week's end and the funnel's stays read it (issue 12)."""

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from pipeline.ledger import stage_wins_replay
from pipeline.models import Prospect, StageAdvance
from pipeline.services import prospect_advance
from tests.accountability.test_plan_ledger import journey
from tests.conftest import login
from tests.factories import ProspectFactory, stage
from tests.pipeline.import_helpers import confirm, csv_bytes, upload_job

T0 = timezone.now().replace(microsecond=0) - dt.timedelta(days=30)


def stamps(prospect) -> list:
    return list(StageAdvance.objects.filter(prospect=prospect).order_by("occurred_at", "id")
                .values_list("from_stage_entered_at", flat=True))


def test_each_move_in_the_app_records_when_the_stay_it_ends_began(producer):
    prospect = journey(producer, ["Lead", "Contacted", "Appointment set"], T0,
                       step=dt.timedelta(days=3))
    assert stamps(prospect) == [None, T0, T0 + dt.timedelta(days=3)]


def test_a_move_records_the_prospects_last_move_even_when_it_was_imported(
        client, owner, producer, django_capture_on_commit_callbacks):
    login(client, owner)
    row = ["Harbor Bakery", "pat@example.com", "Lead", "", "100", "", "", "", "AMS-1"]
    confirm(client, upload_job(client, csv_bytes([row])), django_capture_on_commit_callbacks)
    bakery = Prospect.objects.get(external_id="AMS-1")
    imported_at = bakery.stage_entered_at
    # the file again, with the bakery moved on: the import records the stay it ended
    row[2] = "Contacted"
    confirm(client, upload_job(client, csv_bytes([row])), django_capture_on_commit_callbacks)
    bakery.refresh_from_db()
    reimported_at = bakery.stage_entered_at
    assert stamps(bakery) == [None, imported_at] and reimported_at > imported_at
    # and a move in the app after it, the stay the second import began
    prospect_advance(prospect=bakery, to_stage=stage(owner.agency, "Appointment set"),
                     actor=producer, expected_stage=bakery.stage)
    assert stamps(bakery) == [None, imported_at, reimported_at]


def test_history_written_in_bulk_is_stamped_by_the_replay(producer):
    agency = producer.agency
    prospect = ProspectFactory(owner=producer, stage=stage(agency, "Appointment set"))
    path = ["Lead", "Contacted", "Appointment set"]
    # written newest first, unstamped, as a bulk load may write it
    StageAdvance.objects.bulk_create([
        StageAdvance(agency=agency, prospect=prospect, producer=producer,
                     from_stage=stage(agency, path[n - 1]) if n else None,
                     to_stage=stage(agency, path[n]), occurred_at=T0 + dt.timedelta(days=n))
        for n in reversed(range(3))])
    assert stamps(prospect) == [None, None, None]

    stage_wins_replay(prospects=Prospect.objects.filter(pk=prospect.pk))

    assert stamps(prospect) == [None, T0, T0 + dt.timedelta(days=1)]


@pytest.mark.django_db(transaction=True)
def test_the_moves_already_there_are_stamped_by_the_migration(producer):
    first = journey(producer, ["Lead", "Contacted", "Lost"], T0, step=dt.timedelta(days=2))
    second = journey(producer, ["Contacted", "Appointment set"], T0, step=dt.timedelta(hours=5))
    before = stamps(first), stamps(second)
    StageAdvance.objects.update(from_stage_entered_at=None)
    migration = importlib.import_module("pipeline.migrations.0012_advance_from_stage_entered_at")

    with connection.schema_editor() as schema_editor:
        migration.fill(None, schema_editor)

    assert (stamps(first), stamps(second)) == before
    assert before == ([None, T0, T0 + dt.timedelta(days=2)], [None, T0])


def test_a_move_reads_the_stays_start_from_the_ledger_not_the_prospects_copy(producer):
    prospect = journey(producer, ["Lead", "Contacted"], T0, step=dt.timedelta(days=2))
    # the prospect's own copy of the time set wrong (by hand, a bulk update)
    Prospect.objects.filter(pk=prospect.pk).update(stage_entered_at=T0 - dt.timedelta(days=90))
    prospect.refresh_from_db()

    prospect_advance(prospect=prospect, to_stage=stage(producer.agency, "Appointment set"),
                     actor=producer, expected_stage=prospect.stage,
                     occurred_at=T0 + dt.timedelta(days=5))

    assert stamps(prospect)[-1] == T0 + dt.timedelta(days=2)


def test_the_admin_cannot_move_a_prospect_outside_the_ledger(admin_client, producer):
    prospect = journey(producer, ["Lead"], T0)
    page = admin_client.get(reverse("admin:pipeline_prospect_change", args=[prospect.pk]))
    form = page.context["adminform"].form
    # where it stands is shown, not offered: a move is made in the app, and the ledger says so
    assert {"stage", "stage_entered_at", "furthest_stage"}.isdisjoint(form.fields)
    assert "Lead" in page.content.decode()
