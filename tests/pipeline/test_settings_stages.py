"""The owners' Stages settings: add, edit, reorder, retire, delete; a retired stage keeps its
history on every page; reordering never changes a win already earned."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import WeeklyScorecard
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.models import Stage, StageAdvance, StageWin
from pipeline.services import prospect_advance, prospect_create
from pipeline.settings_services import stage_retire
from salesculture.models import AuditEvent
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, stage, where
from tests.queries import queries_of

STAGES = reverse("pipeline_settings:stages")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def order(agency) -> list[str]:
    return list(Stage.objects.filter(agency=agency).order_by("position")
                .values_list("name", flat=True))


def new_stage(**overrides):
    return {"name": "Quoted", "kind": "open", "stale_after_days": "10",
            "definition_of_done": "A written quote is in the prospect's hands.", **overrides}


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


def move(prospect, to, actor, **kwargs):
    later = (timezone.localdate() + dt.timedelta(days=3))
    return prospect_advance(prospect=prospect, to_stage=stage(prospect.agency, to), actor=actor,
                            expected_stage=where(prospect), next_step="Call back",
                            next_step_due=later, lost_reason="Price" if to == "Lost" else "",
                            **kwargs)


# --- add and edit -------------------------------------------------------------------------------

def test_owner_adds_an_open_stage_after_the_last_open_one(owner_client, owner):
    response = owner_client.post(STAGES, new_stage())

    assert response.status_code == 302
    agency = owner.agency
    assert order(agency)[-3:] == ["Quoted", "Bound", "Lost"]
    quoted = Stage.objects.get(agency=agency, name="Quoted")
    assert (quoted.kind, quoted.stale_after_days) == ("open", 10)
    page = text(owner_client.get(STAGES))
    assert "Stage Quoted added." in page and ">Quoted</a>" in page
    event = AuditEvent.objects.get(kind="stage.added")
    assert (event.subject_label, event.actor_id) == ("Quoted", owner.pk)
    assert "added the stage “Quoted”" in text(owner_client.get(reverse("audit")))


@pytest.mark.parametrize("field,value,message", [
    ("name", "", "Give the stage a name."),
    ("name", "contacted", "“contacted” is already one of your agency's stages."),
    ("stale_after_days", "0", "Enter a number of days between 1 and 365."),
    ("stale_after_days", "lots", "Enter a number of days between 1 and 365."),
    ("definition_of_done", "  ", "Say what must be true for a prospect to reach this stage."),
    ("kind", "maybe", "Choose open, won or lost."),
])
def test_bad_input_is_said_next_to_the_field_and_nothing_is_saved(owner_client, owner, field,
                                                                  value, message):
    before = order(owner.agency)

    response = owner_client.post(STAGES, new_stage(**{field: value}))

    assert response.status_code == 400
    form = response.context["form"]
    assert message in form.errors[field]
    assert message in text(response)
    assert order(owner.agency) == before
    assert not AuditEvent.objects.exists()


def test_owner_renames_a_stage_and_changes_its_definition(owner_client, owner):
    lead = stage(owner.agency, "Lead")
    url = reverse("pipeline_settings:stage", args=[lead.pk])

    response = owner_client.post(url, new_stage(name="New lead", stale_after_days="5"))

    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.name, lead.stale_after_days) == ("New lead", 5)
    event = AuditEvent.objects.get(kind="stage.changed")
    assert event.changes["name"] == ["Lead", "New lead"]


def test_a_stage_with_history_keeps_its_kind(owner_client, owner, producer):
    prospect_create(owner=producer, name="Acme")  # in Lead
    lead = stage(owner.agency, "Lead")

    response = owner_client.post(reverse("pipeline_settings:stage", args=[lead.pk]),
                                 new_stage(name="Lead", kind="won"))

    assert response.status_code == 400
    assert "Lead has history, so it keeps its kind" in text(response)
    lead.refresh_from_db()
    assert lead.kind == "open"


# --- reorder ------------------------------------------------------------------------------------

def test_reorder_with_htmx_swaps_the_list_alone(owner_client, owner):
    contacted = stage(owner.agency, "Contacted")
    url = reverse("pipeline_settings:stage_move", args=[contacted.pk])

    response = owner_client.post(url, {"direction": "up"}, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    body = text(response)
    assert body.lstrip().startswith('<section class="card" id="stage-list"')
    assert body.index(">Contacted</a>") < body.index(">Lead</a>")
    assert order(owner.agency)[:2] == ["Contacted", "Lead"]
    event = AuditEvent.objects.get(kind="stage.moved")
    assert event.changes["order"][1][:2] == ["Contacted", "Lead"]


def test_reorder_without_javascript_comes_back_to_the_page(owner_client, owner):
    lead = stage(owner.agency, "Lead")
    url = reverse("pipeline_settings:stage_move", args=[lead.pk])

    response = owner_client.post(url, {"direction": "down"})

    assert response.status_code == 302 and response["Location"] == STAGES
    assert order(owner.agency)[:2] == ["Contacted", "Lead"]
    # The first stage cannot go further up: nothing changes, nothing is recorded.
    owner_client.post(reverse("pipeline_settings:stage_move",
                              args=[stage(owner.agency, "Contacted").pk]), {"direction": "up"})
    assert order(owner.agency)[:2] == ["Contacted", "Lead"]
    assert AuditEvent.objects.filter(kind="stage.moved").count() == 1


def test_reordering_never_changes_past_wins(owner_client, owner, producer):
    # given: wins earned along the default order, and the producer's scorecard of the week
    agency = owner.agency
    acme = prospect_create(owner=producer, name="Acme")
    move(acme, "Contacted", producer)
    move(acme, "Discovery done", producer)  # a skip: wins Appointment set and Discovery done
    wins_before = sorted(StageWin.objects.values_list("prospect_id", "stage__name", "advance_id"))
    ledger_before = list(StageAdvance.objects.order_by("pk").values_list("pk", "wins", "is_win"))
    assert [name for _, name, _ in wins_before] == ["Appointment set", "Contacted",
                                                    "Discovery done"]

    # when: Discovery done is moved to the top, and Appointment set after it
    discovery = stage(agency, "Discovery done")
    for _ in range(3):
        owner_client.post(reverse("pipeline_settings:stage_move", args=[discovery.pk]),
                          {"direction": "up"})
    assert order(agency)[0] == "Discovery done"

    # then: every stored win and ledger judgement is as it was
    assert sorted(StageWin.objects.values_list("prospect_id", "stage__name",
                                               "advance_id")) == wins_before
    assert list(StageAdvance.objects.order_by("pk")
                .values_list("pk", "wins", "is_win")) == ledger_before
    # and the scorecard job, run again, counts the same three wins
    scorecards_refresh(agency=agency, week_start=Week.current(agency).start)
    card = WeeklyScorecard.objects.get(producer=producer, week_start=Week.current(agency).start)
    assert card.wins == 3


# --- retire and delete --------------------------------------------------------------------------

def test_a_stage_in_use_cannot_be_deleted_only_retired(owner_client, owner, producer):
    agency = owner.agency
    acme = prospect_create(owner=producer, name="Acme")
    move(acme, "Contacted", producer)
    move(acme, "Appointment set", producer)
    contacted = stage(agency, "Contacted")

    response = owner_client.post(reverse("pipeline_settings:stage_delete", args=[contacted.pk]),
                                 follow=True)
    assert "Contacted has history, so it cannot be deleted" in text(response)
    assert Stage.objects.filter(pk=contacted.pk).exists()

    response = owner_client.post(reverse("pipeline_settings:stage_retire", args=[contacted.pk]),
                                 follow=True)
    contacted.refresh_from_db()
    assert contacted.retired_at is not None
    assert "Contacted is retired" in text(response)
    assert AuditEvent.objects.filter(kind="stage.retired", subject_id=contacted.pk).count() == 1


def test_a_retired_stage_keeps_its_history_and_is_no_longer_offered(client, owner, producer):
    # given: Acme went through Contacted, which is then retired
    agency = owner.agency
    acme = prospect_create(owner=producer, name="Acme")
    move(acme, "Contacted", producer)
    move(acme, "Appointment set", producer)
    contacted = stage(agency, "Contacted")
    login(client, owner)
    client.post(reverse("pipeline_settings:stage_retire", args=[contacted.pk]))
    login(client, producer)

    # then: the prospect's ledger still names it
    page = text(client.get(reverse("pipeline:prospect", args=[acme.pk])))
    assert "Contacted" in page
    # the move picker and the new prospect form do not offer it
    picker = text(client.get(reverse("pipeline:prospect_advance", args=[acme.pk])))
    offered = [" ".join(o.split()) for o in re.findall(r"<option[^>]*>([^<]*)</option>", picker)]
    assert "Lead (back)" in offered and "Bound" in offered
    assert not any("Contacted" in option for option in offered)
    new = client.get(reverse("pipeline:prospect_new"))
    assert contacted not in new.context["form"].fields["stage"].queryset
    # a move to it is refused, nothing written
    moves = StageAdvance.objects.count()
    response = client.post(reverse("pipeline:prospect_advance", args=[acme.pk]), {
        "to_stage": contacted.pk, "expected_stage": where(acme).pk, "next_step": "Call",
        "next_step_due": (timezone.localdate() + dt.timedelta(days=2)).isoformat()})
    assert response.status_code == 400 and StageAdvance.objects.count() == moves
    # its wins still count on the scorecard and show on the drilldown's funnel
    scorecards_refresh(agency=agency, week_start=Week.current(agency).start)
    card = WeeklyScorecard.objects.get(producer=producer, week_start=Week.current(agency).start)
    assert card.wins == 2 and card.wins_by_stage.get(str(contacted.pk)) == 1
    login(client, owner)
    drill = text(client.get(reverse("accountability:drilldown", args=[producer.pk])))
    assert "Contacted</span>" in drill[drill.index('class="funnel"'):]
    # and the agency funnel still shows it
    funnel = text(client.get(reverse("accountability:funnel") + "?scope=agency"))
    assert "Contacted" in funnel[funnel.index("</h1>"):]


def test_a_move_that_skips_a_retired_stage_does_not_win_it(owner, producer):
    agency = owner.agency
    acme = prospect_create(owner=producer, name="Acme")
    stage_retire(stage=stage(agency, "Contacted"), actor=owner)

    advance = move(acme, "Appointment set", producer)

    assert advance.wins == 1
    assert list(StageWin.objects.values_list("stage__name", flat=True)) == ["Appointment set"]


def test_an_open_stage_with_prospects_in_it_is_not_retired(owner_client, owner, producer):
    prospect_create(owner=producer, name="Acme")  # in Lead
    lead = stage(owner.agency, "Lead")

    response = owner_client.post(reverse("pipeline_settings:stage_retire", args=[lead.pk]),
                                 follow=True)

    assert "1 prospect is in Lead; move them to another stage first." in text(response)
    lead.refresh_from_db()
    assert lead.retired_at is None


def test_the_last_won_stage_stays_in_use(owner_client, owner):
    bound = stage(owner.agency, "Bound")

    response = owner_client.post(reverse("pipeline_settings:stage_retire", args=[bound.pk]),
                                 follow=True)

    assert "Keep at least one won stage in use" in text(response)
    bound.refresh_from_db()
    assert bound.retired_at is None
    assert not AuditEvent.objects.filter(kind="stage.retired").exists()


def test_a_stage_never_used_is_deleted_and_a_retired_one_brought_back(owner_client, owner):
    owner_client.post(STAGES, new_stage())
    quoted = Stage.objects.get(agency=owner.agency, name="Quoted")
    owner_client.post(reverse("pipeline_settings:stage_delete", args=[quoted.pk]))
    assert not Stage.objects.filter(pk=quoted.pk).exists()
    assert AuditEvent.objects.filter(kind="stage.deleted", subject_label="Quoted").exists()

    lost = stage(owner.agency, "Lost")
    owner_client.post(reverse("pipeline_settings:stage_retire", args=[lost.pk]))
    owner_client.post(reverse("pipeline_settings:stage_restore", args=[lost.pk]))
    lost.refresh_from_db()
    assert lost.retired_at is None
    assert AuditEvent.objects.filter(kind="stage.restored").count() == 1


# --- who may ------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["producer", "leader"])
def test_producers_and_leaders_get_404_and_change_nothing(client, request, owner, who):
    login(client, request.getfixturevalue(who))
    lead = stage(owner.agency, "Lead")
    before = order(owner.agency)
    for name, method in [("stages", "get"), ("stages", "post"), ("stage", "get"),
                         ("stage_move", "post"), ("stage_retire", "post"),
                         ("stage_delete", "post")]:
        url = reverse(f"pipeline_settings:{name}", args=[] if name == "stages" else [lead.pk])
        response = getattr(client, method)(url, {"direction": "down", **new_stage()})
        assert response.status_code == 404, (name, method)
    assert order(owner.agency) == before


def test_another_agencys_stage_is_404(owner_client, other_agency):
    theirs = stage(other_agency, "Lead")
    for name in ("stage", "stage_move", "stage_retire", "stage_restore", "stage_delete"):
        url = reverse(f"pipeline_settings:{name}", args=[theirs.pk])
        assert owner_client.post(url, {"direction": "down"}).status_code == 404
    assert owner_client.get(reverse("pipeline_settings:stage", args=[theirs.pk])
                            ).status_code == 404
    assert order(other_agency)[0] == "Lead"


def test_the_stages_page_costs_the_same_however_many_stages_and_prospects(owner_client, owner):
    small = queries_of(owner_client.get, STAGES)
    agency = owner.agency
    for n in range(12):
        owner_client.post(STAGES, new_stage(name=f"Step {n}"))
    someone = ProducerFactory(agency=agency)
    for n in range(20):
        prospect_create(owner=someone, name=f"P{n}")
    assert queries_of(owner_client.get, STAGES) == small
