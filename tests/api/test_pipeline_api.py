"""The API's pipeline operations: stages and types, logging and undoing activities, listing,
adding, editing and moving prospects; each with its refusals and the other agency's 404."""

import datetime as dt

import pytest
from django.utils import timezone

from pipeline.models import Activity, Prospect, StageAdvance
from tests.factories import ActivityFactory, ProducerFactory, ProspectFactory, activity_type, stage


@pytest.fixture
def api(api_as, producer):
    return api_as(producer)


def test_stages_and_activity_types_are_the_agencys(api, agency, other_agency):
    stages = api.get("/stages").json()
    assert [s["name"] for s in stages][:2] == ["Lead", "Contacted"]
    assert stages[-1]["kind"] == "lost"
    types = api.get("/activity-types").json()
    assert "Call" in [t["name"] for t in types]
    assert {t["id"] for t in types}.isdisjoint(
        other_agency.activity_types.values_list("pk", flat=True))


# --- activities -------------------------------------------------------------------------------

def test_logging_a_call_counts_it_once_per_client_token(api, agency, producer):
    body = {"activity_type": activity_type(agency).pk, "client_token": "call-1", "note": "Hi"}

    first = api.post("/activities", body)
    again = api.post("/activities", body)

    assert first.status_code == 201, first.content
    assert first.json()["message"] == "Logged 1 × Call."
    assert again.status_code == 200
    assert again.json()["created"] is False
    assert again.json()["message"] == "Already counted: that Call was logged once."
    assert again.json()["activity"]["id"] == first.json()["activity"]["id"]
    assert Activity.objects.filter(producer=producer).count() == 1


def test_a_bad_activity_says_why_next_to_the_field_and_saves_nothing(api, agency, other_agency):
    response = api.post("/activities", {"activity_type": activity_type(other_agency).pk,
                                        "quantity": 0})

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["activity_type"] == ["Choose one of your agency's activity types."]
    assert errors["quantity"] == ["Enter a quantity between 1 and 500."]
    assert not Activity.objects.exists()


def test_an_activity_in_the_future_is_refused_with_the_services_message(api, agency):
    later = (timezone.now() + dt.timedelta(days=2)).isoformat()
    response = api.post("/activities", {"activity_type": activity_type(agency).pk,
                                        "occurred_at": later})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "occurred_at": ["An activity cannot be logged in the future."]}


def test_a_malformed_body_answers_400_with_a_field_map(api):
    response = api.post("/activities", {"activity_type": "a call"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["activity_type"]


def test_a_colleagues_prospect_cannot_take_my_activity(api, agency, producer):
    colleague = ProducerFactory(agency=agency, team=producer.team)
    theirs = ProspectFactory(owner=colleague)
    response = api.post("/activities", {"activity_type": activity_type(agency).pk,
                                        "prospect": theirs.pk})
    assert response.status_code == 400
    assert response.json()["errors"]["prospect"] == ["Choose one of your own prospects."]


def test_undo_takes_back_my_activity_and_not_anyone_elses(api, agency, producer, other_producer):
    logged = api.post("/activities", {"activity_type": activity_type(agency).pk}).json()
    foreign = ActivityFactory(producer=other_producer)

    assert api.delete(f"/activities/{foreign.pk}").status_code == 404
    assert api.delete(f"/activities/{logged['activity']['id']}").status_code == 204
    assert not Activity.objects.filter(producer=producer).exists()
    assert Activity.objects.filter(pk=foreign.pk).exists()


def test_undo_after_the_window_is_refused(api, producer):
    old = ActivityFactory(producer=producer)
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(hours=1))
    response = api.delete(f"/activities/{old.pk}")
    assert response.status_code == 400
    assert response.json()["detail"] == ("Too late to undo; activities can be undone within a "
                                         "minute.")


def test_my_activities_are_listed_newest_first_and_filtered_by_time(api, producer):
    now = timezone.now()
    ActivityFactory(producer=producer, occurred_at=now - dt.timedelta(days=3), note="old")
    ActivityFactory(producer=producer, occurred_at=now - dt.timedelta(hours=1), note="new")
    ActivityFactory(note="someone else's")

    everything = api.get("/activities").json()
    recent = api.get("/activities", {"since": (now - dt.timedelta(days=1)).isoformat()}).json()

    assert [a["note"] for a in everything["items"]] == ["new", "old"]
    assert [a["note"] for a in recent["items"]] == ["new"]
    assert recent["count"] == 1 and recent["next_page"] is None


def test_a_list_pages(api, producer):
    for _ in range(3):
        ActivityFactory(producer=producer)
    first = api.get("/activities", {"page_size": 2}).json()
    second = api.get("/activities", {"page_size": 2, "page": 2}).json()
    assert (len(first["items"]), first["count"], first["next_page"]) == (2, 3, 2)
    assert (len(second["items"]), second["next_page"]) == (1, None)


def test_a_time_far_from_now_is_refused(api):
    response = api.get("/activities", {"since": "0001-01-01T00:00:00+05:00"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"since": ["Give a time between 2000 and 2100."]}


# --- prospects --------------------------------------------------------------------------------

def test_adding_a_prospect_puts_it_on_my_board_once_per_token(api, producer):
    body = {"name": "Acme Roofing", "line_of_business": "commercial",
            "estimated_revenue": "4200", "client_token": "crm-1"}

    first = api.post("/prospects", body)
    again = api.post("/prospects", body)

    assert first.status_code == 201, first.content
    assert first.json()["stage"]["name"] == "Lead"
    assert first.json()["owner"] == {"id": producer.pk, "name": "Pat Producer"}
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Prospect.objects.filter(owner=producer).count() == 1


def test_a_prospect_without_a_name_or_in_a_closed_stage_is_refused(api, agency):
    response = api.post("/prospects", {"name": "", "stage": stage(agency, "Bound").pk})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["name"] == ["This field is required."]
    assert errors["stage"] == ["Choose a stage of your agency's pipeline."]
    assert not Prospect.objects.exists()


def test_prospects_list_what_the_pages_show(api_as, agency, producer, leader, other_producer):
    mine = ProspectFactory(owner=producer, name="Mine")
    ProspectFactory(owner=other_producer, name="Elsewhere")
    colleague = ProducerFactory(agency=agency, team=None)
    ProspectFactory(owner=colleague, name="Not my team")

    assert [p["name"] for p in api_as(producer).get("/prospects").json()["items"]] == ["Mine"]
    leads = api_as(leader).get("/prospects").json()["items"]
    assert [p["id"] for p in leads] == [mine.pk]


def test_prospects_filter_by_stage_and_owner(api, agency, producer):
    ProspectFactory(owner=producer, name="Lead one")
    ProspectFactory(owner=producer, name="Contacted one", stage=stage(agency, "Contacted"))
    listed = api.get("/prospects", {"stage": stage(agency, "Contacted").pk,
                                    "owner": producer.pk}).json()
    assert [p["name"] for p in listed["items"]] == ["Contacted one"]


def test_another_agencys_prospect_is_a_404_everywhere(api, agency, other_producer):
    foreign = ProspectFactory(owner=other_producer, name="Foreign")
    contacted = stage(agency, "Contacted")
    assert api.get(f"/prospects/{foreign.pk}").status_code == 404
    assert api.patch(f"/prospects/{foreign.pk}", {"name": "Mine now"}).status_code == 404
    moved = api.post(f"/prospects/{foreign.pk}/advance",
                     {"to_stage": contacted.pk, "expected_stage": foreign.stage_id})
    assert moved.status_code == 404
    assert moved.json() == {"detail": "Not found.", "errors": {}}
    foreign.refresh_from_db()
    assert (foreign.name, foreign.stage.name) == ("Foreign", "Lead")


def test_editing_changes_only_the_fields_sent(api, producer):
    prospect = ProspectFactory(owner=producer, name="Acme", source="Referral")
    response = api.patch(f"/prospects/{prospect.pk}", {"next_step": "Send the quote",
                                                      "next_step_due": str(timezone.localdate()
                                                                           + dt.timedelta(1))})
    assert response.status_code == 200, response.content
    prospect.refresh_from_db()
    assert (prospect.name, prospect.source, prospect.next_step) == (
        "Acme", "Referral", "Send the quote")


def test_an_edit_with_a_past_due_date_is_refused(api, producer):
    prospect = ProspectFactory(owner=producer)
    response = api.patch(f"/prospects/{prospect.pk}",
                         {"next_step": "Call", "next_step_due": "2020-01-06"})
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "next_step_due": ["The next step cannot be due in the past."]}


def _advance(api, prospect, to, **extra):
    body = {"to_stage": to.pk, "expected_stage": prospect.stage_id, "next_step": "Call back",
            "next_step_due": str(timezone.localdate() + dt.timedelta(days=2)), **extra}
    return api.post(f"/prospects/{prospect.pk}/advance", body)


def test_advancing_says_how_many_wins_the_move_earned(api, agency, producer):
    prospect = ProspectFactory(owner=producer, name="Acme")

    response = _advance(api, prospect, stage(agency, "Appointment set"))

    assert response.status_code == 200, response.content
    answer = response.json()
    assert answer["wins"] == 2
    assert [s["name"] for s in answer["stages_won"]] == ["Contacted", "Appointment set"]
    assert answer["message"] == ("🎉 Win! Acme moved to Appointment set. 2 stage wins. "
                                 "Success is the next step.")
    assert answer["prospect"]["stage"]["name"] == "Appointment set"
    assert StageAdvance.objects.filter(prospect=prospect, wins=2).count() == 1


def test_a_retried_advance_is_refused_and_moves_nothing_twice(api, agency, producer):
    prospect = ProspectFactory(owner=producer, name="Acme")
    contacted = stage(agency, "Contacted")
    assert _advance(api, prospect, contacted).status_code == 200

    retry = _advance(api, prospect, stage(agency, "Appointment set"))

    assert retry.status_code == 400
    assert retry.json()["detail"] == ("Acme was moved to Contacted meanwhile; nothing was "
                                      "changed. Look again and retry.")
    assert StageAdvance.objects.filter(prospect=prospect).count() == 1  # the one move


def test_an_advance_to_lost_needs_a_reason(api, agency, producer):
    prospect = ProspectFactory(owner=producer)
    response = _advance(api, prospect, stage(agency, "Lost"))
    assert response.status_code == 400
    assert response.json()["errors"]["lost_reason"] == [
        "Say why the prospect was lost; a reason is required."]
    prospect.refresh_from_db()
    assert prospect.stage.name == "Lead"


def test_a_leader_moves_a_team_members_prospect_not_another_teams(api_as, agency, producer,
                                                                   leader):
    elsewhere = ProducerFactory(agency=agency, team=None)
    theirs = ProspectFactory(owner=elsewhere)
    mine = ProspectFactory(owner=producer)
    api = api_as(leader)
    assert _advance(api, mine, stage(agency, "Contacted")).status_code == 200
    assert _advance(api, theirs, stage(agency, "Contacted")).status_code == 404


def test_ids_beyond_any_integer_column_in_a_body_are_refused_not_a_crash(api, producer):
    big = 2**70
    logged = api.post("/activities", {"activity_type": big, "prospect": big})
    assert logged.status_code == 400
    assert set(logged.json()["errors"]) == {"activity_type", "prospect"}
    prospect = ProspectFactory(owner=producer)
    moved = api.post(f"/prospects/{prospect.pk}/advance",
                     {"to_stage": big, "expected_stage": prospect.stage_id})
    assert moved.status_code == 400
    assert api.post("/prospects", {"name": "Acme", "stage": big}).status_code == 400
    assert api.get(f"/prospects/{big}").status_code == 404
    assert api.delete(f"/activities/{big}").status_code == 404
