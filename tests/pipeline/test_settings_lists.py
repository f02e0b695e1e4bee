"""The owners' Activity types and Lost reasons settings, and the lost reason's pick list when a
prospect is marked lost."""

import html as html_lib
import importlib

import pytest
from django.apps import apps as global_apps
from django.test import Client
from django.urls import reverse

from pipeline.defaults import DEFAULT_LOST_REASONS
from pipeline.models import ActivityType, LostReason, Prospect
from pipeline.services import agency_create, prospect_create
from salesculture.models import Agency, AuditEvent
from tests.conftest import login
from tests.factories import activity_type, stage, where
from tests.queries import queries_of

TYPES = reverse("pipeline_settings:activity_types")
REASONS = reverse("pipeline_settings:lost_reasons")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def names(model, agency) -> list[str]:
    return list(model.objects.filter(agency=agency).order_by("position", "name", "pk")
                .values_list("name", flat=True))


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


# --- activity types -----------------------------------------------------------------------------

def test_owner_adds_an_activity_type_with_an_icon_last_in_the_list(owner_client, owner):
    response = owner_client.post(TYPES, {"name": "Text message", "icon": "💬"})

    assert response.status_code == 302
    assert names(ActivityType, owner.agency)[-1] == "Text message"
    assert ActivityType.objects.get(agency=owner.agency, name="Text message").icon == "💬"
    assert "Activity type Text message added." in text(owner_client.get(TYPES))
    assert AuditEvent.objects.filter(kind="activity_type.added",
                                     subject_label="Text message").exists()


@pytest.mark.parametrize("data,field,message", [
    ({"name": "", "icon": ""}, "name", "Give the activity type a name."),
    ({"name": "call", "icon": ""}, "name",
     "“call” is already one of your agency's activity types."),
    ({"name": "Visit", "icon": "🙂" * 9}, "icon", "Keep the icon to one emoji."),
])
def test_bad_activity_type_is_said_next_to_the_field(owner_client, owner, data, field, message):
    before = names(ActivityType, owner.agency)

    response = owner_client.post(TYPES, data)

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert names(ActivityType, owner.agency) == before
    assert not AuditEvent.objects.exists()


def test_owner_renames_reorders_and_retires_an_activity_type(owner_client, owner, producer):
    call = activity_type(owner.agency, "Call")
    url = reverse("pipeline_settings:activity_type", args=[call.pk])

    owner_client.post(url, {"name": "Phone call", "icon": "☎️"})
    owner_client.post(reverse("pipeline_settings:activity_type_move", args=[call.pk]),
                      {"direction": "down"})
    owner_client.post(reverse("pipeline_settings:activity_type_active", args=[call.pk]),
                      {"active": "0"})

    call.refresh_from_db()
    assert (call.name, call.icon, call.is_active) == ("Phone call", "☎️", False)
    assert names(ActivityType, owner.agency)[:2] == ["Email", "Phone call"]
    assert list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "activity_type.changed", "activity_type.moved", "activity_type.retired"]
    # no longer offered on the producer's week
    week = text(login(Client(), producer).get(reverse("accountability:my_week")))
    assert "Phone call" not in week and "Email" in week


def test_reorder_with_htmx_swaps_the_rows_alone(owner_client, owner):
    email = activity_type(owner.agency, "Email")

    response = owner_client.post(
        reverse("pipeline_settings:activity_type_move", args=[email.pk]), {"direction": "up"},
        HTTP_HX_REQUEST="true")

    body = text(response)
    assert body.lstrip().startswith('<section class="card" id="listed-rows"')
    assert body.index(">Email</a>") < body.index(">Call</a>")


def test_the_last_activity_type_in_use_is_not_retired(owner_client, owner):
    kinds = list(ActivityType.objects.filter(agency=owner.agency))
    for kind in kinds[1:]:
        owner_client.post(reverse("pipeline_settings:activity_type_active", args=[kind.pk]),
                          {"active": "0"})

    response = owner_client.post(
        reverse("pipeline_settings:activity_type_active", args=[kinds[0].pk]), {"active": "0"},
        follow=True)

    assert "Keep at least one activity type in use" in text(response)
    assert ActivityType.objects.filter(agency=owner.agency, is_active=True).count() == 1


# --- lost reasons -------------------------------------------------------------------------------

def test_a_new_agency_has_the_default_lost_reasons(db):
    agency = agency_create(name="New", slug="new")
    assert names(LostReason, agency) == DEFAULT_LOST_REASONS


def test_the_data_migration_gives_existing_agencies_the_defaults(agency):
    LostReason.objects.filter(agency=agency).delete()
    migration = importlib.import_module("pipeline.migrations.0006_stage_settings")

    migration.lost_reasons_for_existing_agencies(global_apps, None)

    assert names(LostReason, agency) == migration.LOST_REASONS
    assert Agency.objects.count() == 1


def test_owner_adds_renames_and_retires_a_lost_reason(owner_client, owner):
    owner_client.post(REASONS, {"name": "Bad timing"})
    reason = LostReason.objects.get(agency=owner.agency, name="Bad timing")
    owner_client.post(reverse("pipeline_settings:lost_reason", args=[reason.pk]),
                      {"name": "Timing"})
    owner_client.post(reverse("pipeline_settings:lost_reason_active", args=[reason.pk]),
                      {"active": "0"})

    reason.refresh_from_db()
    assert (reason.name, reason.is_active) == ("Timing", False)
    assert list(AuditEvent.objects.order_by("pk").values_list("kind", flat=True)) == [
        "lost_reason.added", "lost_reason.changed", "lost_reason.retired"]
    response = owner_client.post(REASONS, {"name": "  "})
    assert response.status_code == 400
    assert "Give the reason a name." in text(response)


def lose(client, prospect, **data):
    return client.post(reverse("pipeline:prospect_advance", args=[prospect.pk]), {
        "to_stage": stage(prospect.agency, "Lost").pk, "expected_stage": where(prospect).pk,
        **data})


def test_marking_lost_offers_the_pick_list_and_stores_the_chosen_text(producer_client,
                                                                      producer):
    acme = prospect_create(owner=producer, name="Acme")
    LostReason.objects.filter(agency=producer.agency, name="Bought direct online").update(
        is_active=False)

    form = text(producer_client.get(reverse("pipeline:prospect_advance", args=[acme.pk]),
                                    {"to_stage": stage(producer.agency, "Lost").pk}))
    assert '<option value="Price">Price</option>' in form and "Other…" in form
    assert "Bought direct online" not in form

    response = lose(producer_client, acme, lost_choice="Price")
    assert response.status_code == 302
    acme = Prospect.all_objects.get(pk=acme.pk)
    assert (acme.stage.name, acme.lost_reason) == ("Lost", "Price")
    assert acme.advances.last().lost_reason == "Price"


def test_other_needs_a_text_and_stores_it(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme")

    refused = lose(producer_client, acme, lost_choice="__other__", lost_reason=" ")
    assert refused.status_code == 400
    assert "Say why the prospect was lost; a reason is required." in text(refused)
    assert Prospect.objects.get(pk=acme.pk).stage.name == "Lead"

    lose(producer_client, acme, lost_choice="__other__", lost_reason="Moved out of state")
    assert Prospect.all_objects.get(pk=acme.pk).lost_reason == "Moved out of state"


def test_a_reason_not_on_the_list_is_refused(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme")
    response = lose(producer_client, acme, lost_choice="Made up")
    assert response.status_code == 400
    assert Prospect.objects.get(pk=acme.pk).stage.name == "Lead"


def test_renaming_a_reason_never_rewrites_a_past_loss(owner_client, owner, producer):
    acme = prospect_create(owner=producer, name="Acme")
    login(owner_client, producer)
    lose(owner_client, acme, lost_choice="Price")
    login(owner_client, owner)
    price = LostReason.objects.get(agency=owner.agency, name="Price")

    owner_client.post(reverse("pipeline_settings:lost_reason", args=[price.pk]),
                      {"name": "Premium too high"})

    assert Prospect.all_objects.get(pk=acme.pk).lost_reason == "Price"


# --- who may, and cost --------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["producer", "leader"])
def test_producers_and_leaders_get_404(client, request, owner, who):
    login(client, request.getfixturevalue(who))
    call = activity_type(owner.agency)
    price = LostReason.objects.get(agency=owner.agency, name="Price")
    for url in (TYPES, REASONS, reverse("pipeline_settings:activity_type", args=[call.pk]),
                reverse("pipeline_settings:lost_reason", args=[price.pk])):
        assert client.get(url).status_code == 404
        assert client.post(url, {"name": "Hacked"}).status_code == 404
    assert not ActivityType.objects.filter(name="Hacked").exists()


def test_another_agencys_rows_are_404(owner_client, other_agency):
    theirs = activity_type(other_agency)
    reason = LostReason.objects.filter(agency=other_agency).first()
    for url in (reverse("pipeline_settings:activity_type", args=[theirs.pk]),
                reverse("pipeline_settings:activity_type_active", args=[theirs.pk]),
                reverse("pipeline_settings:lost_reason_move", args=[reason.pk])):
        assert owner_client.post(url, {"name": "Mine", "active": "0",
                                       "direction": "down"}).status_code == 404
    theirs.refresh_from_db()
    assert (theirs.name, theirs.is_active) == ("Call", True)


@pytest.mark.parametrize("url,model", [(TYPES, ActivityType), (REASONS, LostReason)])
def test_the_list_costs_the_same_however_long_it_is(owner_client, owner, url, model):
    small = queries_of(owner_client.get, url)
    model.objects.bulk_create(model(agency=owner.agency, name=f"Row {n}", position=10 + n)
                              for n in range(30))
    assert queries_of(owner_client.get, url) == small



def test_the_lost_reasons_page_counts_lost_prospects_by_reason(owner_client, owner, producer):
    from pipeline.services import prospect_advance
    for name, reason in [("A", "Price"), ("B", "Price"), ("C", "Moved away")]:
        prospect = prospect_create(owner=producer, name=name)
        prospect_advance(prospect=prospect, to_stage=stage(owner.agency, "Lost"), actor=producer,
                         expected_stage=where(prospect), lost_reason=reason)

    page = text(owner_client.get(REASONS))

    counts = page[page.index('id="lost-by-reason"'):]
    assert counts.index("Price") < counts.index("Moved away")
    assert '<span class="settings-row-main">Price</span> <span class="num">2</span>' in counts
    assert '<span class="settings-row-main">Moved away</span> <span class="num">1</span>' in counts


@pytest.mark.django_db(transaction=True)
def test_migrating_an_existing_agency_gives_it_the_lost_reasons_and_settings_defaults():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("pipeline", "0005_advance_agency_prospect_time_index"),
              ("salesculture", "0005_team_live_version")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old_apps = executor.loader.project_state(before).apps
    old_apps.get_model("salesculture", "Agency").objects.create(name="Old", slug="old")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    agency = Agency.objects.get(slug="old")
    assert names(LostReason, agency) == DEFAULT_LOST_REASONS
    assert (agency.working_weeks_per_year, agency.meeting_weekday, agency.meeting_minutes) == (
        48, 0, 30)
