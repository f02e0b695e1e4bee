"""Bad input never breaks a page: every main form and endpoint, sent odd values (huge,
negative, non-numeric, far dates, NUL bytes, emoji, very long text), answers below 500, and
a refusal (4xx) saves nothing. Runs on SQLite and PostgreSQL (which enforces lengths and
integer ranges that SQLite does not)."""

import datetime as dt
import os

import pytest
from django.apps import apps
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountability.meetings.services import meeting_start
from accountability.models import Commitment, GoalPlan, KioskLink
from pipeline.models import ImportJob
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import CommitmentFactory, ProspectFactory

ODD = ["", " ", "0", "1", "-1", "-99999999999", "9" * 30, "1e309", "NaN", "inf", "1.5",
       "0001-01-01", "9999-12-31", "2026-02-30", "2026-W99", "\x00", "a\x00b", "😀" * 60,
       "x" * 5000, "<script>alert(1)</script>", "null", "[]", "on", "next", "this",
       "producer", "leader", "owner", "activity", "specific", "stage_wins"]
VALUES = st.one_of(st.sampled_from(ODD), st.integers(-2**70, 2**70).map(str),
                   st.text(max_size=400), st.dates().map(dt.date.isoformat))

# endpoint name → (who posts, url arguments, field names)
ENDPOINTS = {
    "pipeline:prospect_new": ("producer", {}, [
        "name", "line_of_business", "estimated_revenue", "stage", "next_step", "next_step_due",
        "source"]),
    "pipeline:prospect_edit": ("producer", {"pk": "prospect"}, [
        "name", "line_of_business", "estimated_revenue", "next_step", "next_step_due",
        "source"]),
    "pipeline:prospect_advance": ("producer", {"pk": "prospect"}, [
        "to_stage", "expected_stage", "next_step", "next_step_due", "lost_choice", "lost_reason",
        "note",
        "definition_confirmed", "from", "lob"]),
    "pipeline:prospect_log": ("producer", {"pk": "prospect"}, [
        "activity_type", "quantity", "outcome", "note", "client_token"]),
    "accountability:week_log": ("producer", {}, [
        "activity_type", "quantity", "prospect", "outcome", "note", "client_token", "detail"]),
    "accountability:week_undo": ("producer", {"activity_id": "activity"}, []),
    "accountability:commitments_set": ("producer", {}, [
        "week", "activity_{type}", "wins_any", "wins_{stage}"]),
    "accountability:promise_add": ("producer", {}, ["week", "text", "prospect", "due_date"]),
    "accountability:commitment_done": ("producer", {"pk": "commitment"}, ["done", "week"]),
    "accountability:check_in": ("producer", {}, ["process", "pipeline", "team", "note",
                                                 "next"]),
    "profile": ("producer", {}, ["action", "why", "annual_goal", "digest_enabled"]),
    "accountability:plan": ("producer", {}, ["annual_goal"]),
    "accountability:welcome": ("producer", {}, ["why", "next"]),
    "accountability:meeting_my_turn": ("producer", {}, [
        "kind", "target", "activity_type", "stage", "text"]),
    "accountability:meeting_start": ("leader", {}, ["team", "week"]),
    "accountability:meeting_move": ("leader", {"meeting_id": "meeting"}, ["direction", "at"]),
    "accountability:meeting_rate": ("leader", {"meeting_id": "meeting"}, ["rating"]),
    "accountability:meeting_notes": ("leader", {"meeting_id": "meeting"}, ["notes"]),
    "accountability:meeting_turn_note": ("leader", {"meeting_id": "meeting",
                                                    "turn_id": "turn"}, ["note"]),
    "accountability:meeting_turn_commitment": ("leader", {"meeting_id": "meeting",
                                                          "turn_id": "turn"}, [
        "kind", "target", "activity_type", "stage", "text"]),
    "accountability:meeting_turn_add": ("leader", {"meeting_id": "meeting"}, ["producer"]),
    "accountability:meeting_follow_up": ("leader", {"meeting_id": "meeting"}, ["prospect"]),
    "accountability:meeting_kiosk_create": ("leader", {}, ["team", "label"]),
    "accountability:role_change": ("leader", {"producer_id": "producer"}, ["role"]),
    "invite": ("leader", {}, ["name", "email", "role", "team", "annual_goal"]),
    # the owners' Settings area
    "settings_agency": ("owner", {}, ["name", "time_zone", "working_weeks_per_year",
                                      "meeting_weekday", "meeting_minutes"]),
    "settings_teams": ("owner", {}, ["name"]),
    "settings_team": ("owner", {"pk": "team"}, ["name"]),
    "settings_member_move": ("owner", {"pk": "producer"}, ["p{producer}-team"]),
    "settings_member_leader": ("owner", {"pk": "producer"}, ["leader"]),
    "pipeline_settings:stages": ("owner", {}, ["name", "kind", "definition_of_done",
                                               "stale_after_days"]),
    "pipeline_settings:stage": ("owner", {"pk": "stage"}, ["name", "kind", "definition_of_done",
                                                           "stale_after_days"]),
    "pipeline_settings:stage_move": ("owner", {"pk": "stage"}, ["direction"]),
    "pipeline_settings:activity_types": ("owner", {}, ["name", "icon"]),
    "pipeline_settings:activity_type": ("owner", {"pk": "activity_type"}, ["name", "icon"]),
    "pipeline_settings:activity_type_active": ("owner", {"pk": "activity_type"}, ["active"]),
    "pipeline_settings:lost_reasons": ("owner", {}, ["name"]),
    "pipeline_settings:lost_reason": ("owner", {"pk": "lost_reason"}, ["name"]),
    "pipeline_settings:lost_reason_move": ("owner", {"pk": "lost_reason"}, ["direction"]),
    "pipeline:import": ("leader", {}, ["kind", "file"]),
    "pipeline:import_job": ("leader", {"job_id": "job"}, [
        "name", "owner_email", "stage", "estimated_revenue", "next_step_due"]),
    "pipeline:import_confirm": ("leader", {"job_id": "job"}, ["skip_bad_rows"]),
}


def snapshot() -> dict:
    """Every row of our own tables (GoalPlan is a cache the plan page may refresh, and the
    live versions count renders of the boards, which a refreshed plan's new label bumps)."""
    state = {}
    for model in apps.get_models():
        if model._meta.app_label in ("sessions", "admin", "contenttypes") or model is GoalPlan:
            continue
        rows = list(model.objects.order_by("pk").values())
        for row in rows:
            row.pop("last_login", None)
            row.pop("live_version", None)
        state[model._meta.label] = rows
    return state


@pytest.fixture
def world(agency, team, producer, leader, owner):
    prospect = ProspectFactory(owner=producer)
    week = Week.current(agency).start
    commitment = CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC,
                                   week_start=week + dt.timedelta(weeks=1))
    meeting = meeting_start(team=team, week_start=week, actor=leader)
    KioskLink.objects.create(agency=agency, team=team, token="k" * 43, created_by=leader)
    clients = {}
    for role, person in (("producer", producer), ("leader", leader), ("owner", owner)):
        clients[role] = login(Client(), person)
    from pipeline.models import Activity, ActivityType, LostReason, Stage
    activity = Activity.objects.create(agency=agency, producer=producer,
                                       activity_type=ActivityType.objects.filter(
                                           agency=agency).first(), occurred_at=meeting.started_at)
    job = ImportJob.objects.create(
        agency=agency, created_by=leader, kind="prospects", total_rows=1,
        csv_text=f"Name,Owner email,Stage\r\nAcme,{producer.user.email},Lead\r\n",
        mapping={"name": "Name", "owner_email": "Owner email", "stage": "Stage"})
    return {
        "clients": clients,
        "ids": {"prospect": prospect.pk, "commitment": commitment.pk, "meeting": meeting.pk,
                "turn": meeting.turns.get(producer=producer).pk, "producer": producer.pk,
                "activity": activity.pk, "team": team.pk,
                "stage": Stage.objects.filter(agency=agency).order_by("position")[0].pk,
                "activity_type": activity.activity_type_id,
                "lost_reason": LostReason.objects.filter(agency=agency).first().pk,
                "job": job.pk},
        "type": ActivityType.objects.filter(agency=agency).first().pk,
        "stage": Stage.objects.filter(agency=agency).order_by("position")[1].pk,
    }


# Per endpoint (forms) and in all (query parameters); SC_FUZZ_EXAMPLES=500 digs deeper.
EXAMPLES = int(os.environ.get("SC_FUZZ_EXAMPLES", "20"))


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_odd_input_answers_below_500_and_a_refusal_saves_nothing(world, name, data):
    role, args, fields = ENDPOINTS[name]
    fields = [f.format(type=world["type"], stage=world["stage"], producer=world["ids"]["producer"])
              for f in fields]
    payload = data.draw(st.fixed_dictionaries({f: VALUES for f in fields}), label="payload")
    htmx = data.draw(st.booleans(), label="htmx")
    url = reverse(name, kwargs={k: world["ids"][v] for k, v in args.items()})
    before = snapshot()

    response = world["clients"][role].post(url, payload,
                                           **({"HTTP_HX_REQUEST": "true"} if htmx else {}))

    assert response.status_code < 500, (url, payload)
    if response.status_code >= 400:
        assert snapshot() == before, (url, payload, response.status_code)


PAGES = {
    "producer": ["/week/", "/pipeline/", "/commitments/", "/team/", "/plan/", "/funnel/",
                 "/confidence/", "/meeting/turn/", "/live/team/", "/live/wins/",
                 "/pipeline/prospects/{prospect}/advance/", "/pipeline/prospects/{prospect}/card/",
                 "/team/producer/{producer}/", "/meeting/{meeting}/minutes/", "/export/",
                 "/export/prospects.csv", "/export/activities.csv", "/export/ledger.csv",
                 "/export/scorecards.csv"],
    "leader": ["/team/", "/live/team/", "/live/wins/", "/pipeline/", "/funnel/",
               "/meeting/{meeting}/", "/meeting/{meeting}/poll/", "/role-fit/",
               "/team/producer/{producer}/", "/kiosk/{token}/", "/kiosk/{token}/poll/",
               "/import/", "/import/{job}/", "/import/{job}/progress/",
               "/import/{job}/errors.csv", "/export/ledger.csv", "/export/scorecards.csv"],
    "owner": ["/settings/", "/settings/agency/", "/settings/stages/", "/settings/teams/",
              "/settings/activity-types/", "/settings/lost-reasons/", "/settings/stages/{stage}/",
              "/settings/teams/{team}/"],
}
PARAMS = ["week", "v", "seen", "producer", "team", "scope", "weeks", "sort", "dir", "lob",
          "to", "to_stage", "expected_stage", "next_step_due", "k", "view", "from",
          "activity_{type}", "wins_any", "start", "end", "kind"]


@settings(max_examples=EXAMPLES * 10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_odd_query_parameters_answer_below_500_and_change_nothing(world, data):
    role = data.draw(st.sampled_from(sorted(PAGES)), label="role")
    page = data.draw(st.sampled_from(PAGES[role]), label="page")
    names = data.draw(st.lists(st.sampled_from(PARAMS), min_size=1, max_size=3, unique=True),
                      label="params")
    query = {n.format(type=world["type"]): data.draw(VALUES, label=n) for n in names}
    htmx = data.draw(st.booleans(), label="htmx")
    url = page.format(token="k" * 43, **world["ids"])
    before = snapshot()

    response = world["clients"][role].get(url, query,
                                          **({"HTTP_HX_REQUEST": "true"} if htmx else {}))

    assert response.status_code < 500, (url, query)
    if not url.startswith("/plan/"):  # the plan page may refresh its stored plan (accepted)
        assert snapshot() == before, (url, query)


@pytest.mark.parametrize("big", [2**31, 2**63, 10**30])
def test_ids_beyond_any_integer_column_are_404(world, big):
    from tests.test_cross_agency_access import TOKEN_ROUTES, routes_with_ids

    for name, params in routes_with_ids():
        if name in TOKEN_ROUTES:
            continue
        url = reverse(name, kwargs={p: big for p in params})
        for role in ("producer", "leader", "owner"):
            client = world["clients"][role]
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url, {"note": "x"}).status_code in (404, 405), url
