"""The audit trail (issue 11, #9): each kind of change is written by its service with who did
it and what changed, the owners' history page tells it in a sentence, filters by person and
kind, shows one agency only, and keeps events when what they are about is gone."""

import datetime as dt
import html
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse

from accountability.commitments.services import (
    commitment_create,
    commitment_mark_done,
    commitment_withdraw,
    commitments_set_targets,
)
from accountability.meetings.kiosk import kiosk_link_create, kiosk_link_revoke
from accountability.models import Commitment
from accountability.planning.services import goal_set, role_fit_set_role
from pipeline.services import prospect_create, prospect_update
from salesculture.audit import audit_record
from salesculture.models import AuditEvent, Producer
from salesculture.services import producer_set_active, producer_update_profile
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import ProducerFactory, activity_type
from tests.queries import queries_of

AUDIT = reverse("audit")
Kind = AuditEvent.Kind


def text(response) -> str:
    return html.unescape(response.content.decode())


def only_event(**filters) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**filters))
    assert len(events) == 1, events
    return events[0]


@pytest.fixture
def next_week(agency):
    return Week.current(agency).start + dt.timedelta(weeks=1)


@pytest.fixture
def owner_client(client, owner):
    return login(client, owner)


# --- the table is append-only ---------------------------------------------------------------

def test_an_event_cannot_be_changed_or_deleted_in_code_or_in_the_admin(producer):
    event = audit_record(agency=producer.agency, actor=producer, kind=Kind.WHY_CHANGED,
                         subject=producer)
    event.kind = Kind.GOAL_CHANGED
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()
    assert AuditEvent.objects.get().kind == Kind.WHY_CHANGED
    model_admin = admin.site._registry[AuditEvent]
    assert not model_admin.has_add_permission(None)
    assert not model_admin.has_change_permission(None, event)
    assert not model_admin.has_delete_permission(None, event)


def test_secrets_and_unknown_kinds_are_refused_by_the_writer(producer):
    event = audit_record(agency=producer.agency, actor=producer, kind=Kind.TV_LINK_CREATED,
                         subject=producer, changes={"token": ["a", "b"], "label": [None, "TV"]})
    assert event.changes == {"label": [None, "TV"]}
    with pytest.raises(ValueError):
        audit_record(agency=producer.agency, actor=producer, kind="prospect.teleported",
                     subject=producer)


# --- each kind, written by its service --------------------------------------------------------

def test_an_edit_records_the_changed_fields_and_an_owner_change_its_own_event(producer, owner):
    prospect = prospect_create(owner=producer, name="Smith Family Auto", estimated_revenue=2000)
    other = ProducerFactory(agency=producer.agency, user__first_name="Ben",
                            user__last_name="Seller")

    prospect_update(prospect=prospect, name="Smith Family Auto", line_of_business="commercial",
                    estimated_revenue=Decimal("3500"), next_step="Call the owner",
                    next_step_due=None, source="", actor=owner, owner=other)

    edit = only_event(kind=Kind.PROSPECT_EDITED)
    assert (edit.actor, edit.subject_id, edit.subject_label) == (owner, prospect.pk,
                                                                 "Smith Family Auto")
    assert edit.changes == {"line_of_business": ["Personal lines", "Commercial lines"],
                            "estimated_revenue": ["2000.00", "3500.00"],
                            "next_step": ["", "Call the owner"]}
    moved = only_event(kind=Kind.PROSPECT_OWNER_CHANGED)
    assert moved.actor == owner and moved.changes == {"owner": ["Pat Producer", "Ben Seller"]}


def test_an_edit_that_changes_nothing_records_nothing(producer):
    prospect = prospect_create(owner=producer, name="Acme", estimated_revenue=2000)
    prospect_update(prospect=prospect, name="Acme ", line_of_business="personal",
                    estimated_revenue=Decimal("2000.00"), next_step="", next_step_due=None,
                    actor=producer)
    assert not AuditEvent.objects.exists()


def test_commitments_made_ticked_unticked_and_withdrawn_are_recorded(producer, leader,
                                                                     next_week):
    promise = commitment_create(producer=producer, week_start=next_week, actor=leader,
                                kind=Commitment.Kind.SPECIFIC, text="Send the Acme proposal")
    commitment_mark_done(commitment=promise, actor=producer, done=True)
    commitment_mark_done(commitment=promise, actor=producer, done=True)  # no change, no event
    commitment_mark_done(commitment=promise, actor=producer, done=False)
    promise_id = promise.pk
    commitment_withdraw(commitment=promise, actor=producer)

    made, ticked, unticked, withdrawn = AuditEvent.objects.order_by("id")
    label = f"“Send the Acme proposal”, week of {next_week:%b} {next_week.day}"
    assert {e.subject_label for e in (made, ticked, unticked, withdrawn)} == {label}
    assert (made.kind, made.actor, made.changes) == (
        Kind.COMMITMENT_CREATED, leader,
        {"producer": [None, "Pat Producer"], "text": [None, "Send the Acme proposal"]})
    assert (ticked.kind, ticked.actor, ticked.changes) == (Kind.COMMITMENT_TICKED, producer,
                                                            {"done": [False, True]})
    assert (unticked.kind, unticked.changes) == (Kind.COMMITMENT_UNTICKED,
                                                 {"done": [True, False]})
    assert (withdrawn.kind, withdrawn.actor) == (Kind.COMMITMENT_WITHDRAWN, producer)
    assert not Commitment.objects.exists() and withdrawn.subject_id == promise_id


def test_setting_targets_records_one_event_per_commitment_changed(producer, agency, next_week):
    call, email = activity_type(agency, "Call"), activity_type(agency, "Email")
    commitments_set_targets(producer=producer, week_start=next_week, actor=producer,
                            activity_targets={call.pk: 25, email.pk: 10}, stage_targets={})
    assert list(AuditEvent.objects.order_by("id").values_list("kind", "subject_label")) == [
        (Kind.COMMITMENT_CREATED, f"25 × Call, week of {next_week:%b} {next_week.day}"),
        (Kind.COMMITMENT_CREATED, f"10 × Email, week of {next_week:%b} {next_week.day}")]

    commitments_set_targets(producer=producer, week_start=next_week, actor=producer,
                            activity_targets={call.pk: 30, email.pk: 0}, stage_targets={})

    latest = list(AuditEvent.objects.order_by("id")[2:])
    assert [(e.kind, e.changes) for e in latest] == [
        (Kind.COMMITMENT_CREATED, {"producer": [None, "Pat Producer"], "target": [None, 30]}),
        (Kind.COMMITMENT_WITHDRAWN, {"producer": ["Pat Producer", None], "target": [10, None]})]


def test_the_goal_is_recorded_with_its_figures_and_the_why_without_its_text(producer):
    producer_update_profile(producer=producer, why="For my daughter's college.",
                            annual_goal=Decimal("150000"), digest_enabled=True)

    goal = only_event(kind=Kind.GOAL_CHANGED)
    assert (goal.actor, goal.subject_id) == (producer, producer.pk)
    assert goal.changes == {"annual_goal": ["120000.00", "150000.00"]}
    why = only_event(kind=Kind.WHY_CHANGED)
    assert why.actor == producer and why.changes == {}
    assert "daughter" not in str(list(AuditEvent.objects.values()))


def test_a_goal_set_on_the_plan_page_is_recorded(producer):
    goal_set(producer=producer, annual_goal="90000")
    assert only_event(kind=Kind.GOAL_CHANGED).changes == {
        "annual_goal": ["120000.00", "90000.00"]}


def test_a_role_change_is_recorded_with_who_changed_it(producer, leader):
    role_fit_set_role(actor=leader, producer=producer, role=Producer.Role.NON_PRODUCER)
    event = only_event(kind=Kind.ROLE_CHANGED)
    assert (event.actor, event.subject_label, event.changes) == (
        leader, "Pat Producer", {"role": ["producer", "non_producer"]})


def test_deactivating_and_reactivating_are_recorded_once_each(producer, owner):
    producer_set_active(producer=producer, active=False, actor=owner)
    producer_set_active(producer=producer, active=False, actor=owner)
    producer_set_active(producer=producer, active=True, actor=owner)
    assert list(AuditEvent.objects.order_by("id").values_list("kind", "actor")) == [
        (Kind.PRODUCER_DEACTIVATED, owner.pk), (Kind.PRODUCER_REACTIVATED, owner.pk)]


def test_the_admin_deactivates_and_changes_roles_through_the_services(admin_client, producer):
    changelist = reverse("admin:salesculture_producer_changelist")
    admin_client.post(changelist, {"action": "deactivate", "_selected_action": [producer.pk]})
    producer.refresh_from_db()
    assert not producer.is_active

    event = only_event(kind=Kind.PRODUCER_DEACTIVATED)
    # The admin is no one of the agency: recorded without an actor ("An administrator").
    assert event.actor is None and event.subject_id == producer.pk


def test_an_edit_in_the_admins_form_is_recorded_like_one_in_the_app(admin_client, producer):
    url = reverse("admin:salesculture_producer_change", args=[producer.pk])
    response = admin_client.post(url, {
        "user": producer.user_id, "agency": producer.agency_id, "team": producer.team_id,
        "role": "leader", "why": "A new why", "annual_goal": "99000", "digest_enabled": "on"})
    assert response.status_code == 302

    assert sorted(AuditEvent.objects.values_list("kind", flat=True)) == [
        Kind.GOAL_CHANGED, Kind.PRODUCER_DEACTIVATED, Kind.ROLE_CHANGED, Kind.WHY_CHANGED]
    assert only_event(kind=Kind.ROLE_CHANGED).changes == {"role": ["producer", "leader"]}


def test_tv_links_are_recorded_by_label_never_by_token(leader, team):
    link = kiosk_link_create(team=team, actor=leader, label="Lobby TV")
    kiosk_link_revoke(link=link, actor=leader)
    kiosk_link_revoke(link=link, actor=leader)

    created, revoked = AuditEvent.objects.order_by("id")
    assert (created.kind, created.subject_label, created.subject_id) == (
        Kind.TV_LINK_CREATED, "Lobby TV", link.pk)
    assert created.changes == {"team": [None, "North"], "show_prospect_names": [None, False]}
    assert revoked.kind == Kind.TV_LINK_REVOKED and revoked.actor == leader
    assert link.token not in str(list(AuditEvent.objects.values()))


# --- the owners' page ---------------------------------------------------------------------------

def test_the_page_tells_each_change_in_a_sentence(owner_client, producer, leader, owner, team,
                                                  next_week):
    producer.user.first_name, producer.user.last_name = "Ana", ""
    producer.user.save()
    producer_update_profile(producer=producer, why="x", annual_goal=Decimal("150000"),
                            digest_enabled=True)
    commitment_create(producer=producer, week_start=next_week, actor=leader,
                      kind=Commitment.Kind.ACTIVITY, activity_type=activity_type(team.agency),
                      target=25)
    kiosk_link_create(team=team, actor=leader, label="Lobby TV")
    role_fit_set_role(actor=owner, producer=leader, role=Producer.Role.PRODUCER)

    page = text(owner_client.get(AUDIT))

    assert "Ana changed the goal from $120,000 to $150,000" in page
    assert "Ana changed their why" in page
    assert "Olive Owner changed Lee Leader’s role from Leader to Producer" in page
    assert (f"Lee Leader committed Ana to 25 × Call, week of {next_week:%b} {next_week.day}"
            in page)
    assert "Lee Leader created the TV link “Lobby TV” for North" in page
    assert page.index("Leader’s role") < page.index("changed the goal")  # newest first


def test_the_page_filters_by_person_and_by_kind(owner_client, producer, leader, team):
    producer_update_profile(producer=producer, why="mine", annual_goal=Decimal("150000"),
                            digest_enabled=True)
    kiosk_link_create(team=team, actor=leader, label="Lobby TV")

    by_leader = text(owner_client.get(AUDIT, {"person": leader.pk}))
    by_kind = text(owner_client.get(AUDIT, {"kind": Kind.WHY_CHANGED}))

    assert "Lobby TV" in by_leader and "changed the goal" not in by_leader
    assert "changed their why" in by_kind
    assert "changed the goal" not in by_kind and "Lobby TV" not in by_kind


def test_another_agencys_events_are_never_shown(owner_client, other_producer):
    producer_update_profile(producer=other_producer, why="theirs",
                            annual_goal=Decimal("130000"), digest_enabled=True)

    page = text(owner_client.get(AUDIT))

    assert "No changes recorded yet." in page and "$130,000" not in page
    assert owner_client.get(AUDIT, {"person": other_producer.pk}).status_code == 404
    assert owner_client.get(AUDIT, {"kind": "nonsense"}).status_code == 404


@pytest.mark.parametrize("who", ["producer", "leader"])
def test_only_owners_see_the_page(client, who, request):
    login(client, request.getfixturevalue(who))
    assert client.get(AUDIT).status_code == 404
    assert 'href="/audit/"' not in text(client.get(reverse("profile")))


def test_owners_find_the_page_in_the_nav_and_visitors_are_sent_to_log_in(client, owner):
    assert client.get(AUDIT).status_code == 302
    login(client, owner)
    assert 'href="/audit/"' in text(client.get(reverse("profile")))


def test_events_survive_the_deletion_of_who_and_what_they_are_about(owner_client, agency, team,
                                                                    next_week):
    carl = ProducerFactory(agency=agency, team=team, user__first_name="Carl",
                           user__last_name="Gone")
    producer_update_profile(producer=carl, why="", annual_goal=Decimal("200000"),
                            digest_enabled=True)
    promise = commitment_create(producer=carl, week_start=next_week, actor=carl,
                                kind=Commitment.Kind.SPECIFIC, text="Call Acme")
    commitment_withdraw(commitment=promise, actor=carl)

    carl.user.delete()  # the person's rows go: their commitments, their producer row

    assert not Producer.objects.filter(pk=carl.pk).exists()
    assert AuditEvent.objects.filter(actor__isnull=True, actor_label="Carl Gone").count() == 4
    page = text(owner_client.get(AUDIT))
    assert "Carl Gone changed the goal from $120,000 to $200,000" in page
    assert "Carl Gone withdrew the commitment “Call Acme”" in page


def test_fifty_events_a_page_newest_first(owner_client, owner):
    for goal in range(100000, 100000 + 51 * 1000, 1000):
        producer_update_profile(producer=owner, why=owner.why, annual_goal=Decimal(goal),
                                digest_enabled=True)

    first, second = text(owner_client.get(AUDIT)), text(owner_client.get(AUDIT, {"page": 2}))

    assert first.count("changed the goal") == 50 and "Page 1 of 2" in first
    assert "to $150,000" in first and "from $120,000 to $100,000" not in first
    assert second.count("changed the goal") == 1 and "from $120,000 to $100,000" in second


def test_the_page_costs_the_same_queries_for_3_and_30_events(owner_client, owner, producer):
    def add(n):
        for _ in range(n):
            producer_update_profile(producer=producer, why=producer.why + "!",
                                    annual_goal=producer.annual_goal, digest_enabled=True)

    add(3)
    small = queries_of(owner_client.get, AUDIT)
    add(27)
    large = queries_of(owner_client.get, AUDIT)

    assert AuditEvent.objects.count() == 30
    assert small == large
    assert queries_of(owner_client.get, AUDIT, {"person": producer.pk, "kind": "why.changed"}) \
        == small


def test_names_on_the_page_are_escaped(owner_client, producer):
    evil = '<script>alert("x")</script>'
    prospect = prospect_create(owner=producer, name=evil, estimated_revenue=1000)
    prospect_update(prospect=prospect, name=evil + "!", line_of_business="personal",
                    estimated_revenue=Decimal("1000"), next_step="", next_step_due=None,
                    actor=producer)

    content = owner_client.get(AUDIT).content.decode()

    assert "<script>alert" not in content
    assert "edited prospect &lt;script&gt;" in content
