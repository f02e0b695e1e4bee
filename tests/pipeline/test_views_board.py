import datetime as dt
import html as html_lib
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from pipeline.models import Prospect, StageAdvance
from pipeline.services import prospect_create
from salesculture.weeks import local_now
from tests.conftest import login
from tests.factories import ProducerFactory, ProspectFactory, stage
from tests.queries import queries_of

BOARD = reverse("pipeline:board")


def advance_url(prospect):
    return reverse("pipeline:prospect_advance", args=[prospect.pk])


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def tomorrow():
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


@pytest.fixture
def acme(producer):
    return prospect_create(owner=producer, name="Acme Roofing", estimated_revenue=5000,
                           line_of_business="commercial", next_step="Call",
                           next_step_due=timezone.localdate() + dt.timedelta(days=3))


def test_board_shows_count_and_total_revenue_at_the_top_of_each_column(producer_client, producer):
    prospect_create(owner=producer, name="Acme Roofing", estimated_revenue=5000)
    prospect_create(owner=producer, name="Baker Dental", estimated_revenue=2500)
    prospect_create(owner=producer, name="Cole Bakery", estimated_revenue=1000,
                    stage=stage(producer.agency, "Contacted"))
    response = producer_client.get(BOARD)
    columns = {c["stage"].name: c for c in response.context["columns"]}
    assert (columns["Lead"]["count"], columns["Lead"]["total"]) == (2, Decimal("7500"))
    assert (columns["Contacted"]["count"], columns["Contacted"]["total"]) == (1, Decimal("1000"))
    assert "Bound" not in columns and "Lost" not in columns
    html = response.content.decode()
    assert "$7,500" in html and "Acme Roofing" in html


def test_board_filters_by_line_of_business(producer_client, producer):
    prospect_create(owner=producer, name="Acme Roofing", line_of_business="commercial")
    prospect_create(owner=producer, name="The Smiths", line_of_business="personal")
    html = producer_client.get(BOARD, {"lob": "commercial"}).content.decode()
    assert "Acme Roofing" in html and "The Smiths" not in html


def test_an_empty_board_invites_the_first_prospect(producer_client):
    html = text(producer_client.get(BOARD))
    assert "Your pipeline is empty." in html
    assert f'href="{reverse("pipeline:prospect_new")}">+ Add a prospect' in html
    assert "stage-strip" not in html


def test_an_empty_line_of_business_offers_all_lines(producer_client, producer):
    prospect_create(owner=producer, name="The Smiths", line_of_business="personal")
    html = text(producer_client.get(BOARD, {"lob": "commercial"}))
    assert "No open prospects in this line of business." in html
    assert "Your pipeline is empty." not in html


def test_on_a_phone_a_strip_jumps_to_each_column_with_its_count(producer_client, producer):
    prospect_create(owner=producer, name="Cole Bakery", stage=stage(producer.agency, "Contacted"))
    html = text(producer_client.get(BOARD))
    contacted = stage(producer.agency, "Contacted")
    assert (f'<a href="#col-{contacted.pk}">Contacted <span class="col-count">1</span></a>'
            in html)
    assert f'<section class="board-col" id="col-{contacted.pk}"' in html
    assert "Your pipeline is empty." not in html


def test_card_warns_when_the_prospect_is_stale(producer_client, producer):
    lead = stage(producer.agency, "Lead")  # stale after 7 days
    ProspectFactory(owner=producer, name="Old Lead", stage=lead,
                    stage_entered_at=timezone.now() - dt.timedelta(days=9))
    ProspectFactory(owner=producer, name="Fresh Lead", stage=lead,
                    stage_entered_at=timezone.now() - dt.timedelta(days=2))
    html = producer_client.get(BOARD).content.decode()
    assert "9 days in stage — stale after 7" in html
    assert "2 days in stage" in html
    assert html.count("is-stale") == 1


def test_a_card_says_in_words_when_its_next_step_is_overdue_or_today(producer_client,
                                                                    producer):
    day = timezone.now().astimezone(producer.agency.tz).date()
    late = day - dt.timedelta(days=2)
    ProspectFactory(owner=producer, name="Late Co", next_step="Call back", next_step_due=late)
    ProspectFactory(owner=producer, name="Now Co", next_step="Send quote", next_step_due=day)
    html = text(producer_client.get(BOARD))
    assert f"Call back · <time datetime=\"{late.isoformat()}\">overdue since {late:%a %b} " \
        f"{late.day}</time>" in html
    assert "Send quote · <time" in html and ">today</time>" in html


def test_producer_sees_only_their_own_board(client, producer, team):
    colleague = ProducerFactory(agency=producer.agency, team=team)
    ProspectFactory(owner=colleague, name="Colleague Prospect")
    login(client, producer)
    assert "Colleague Prospect" not in client.get(BOARD).content.decode()
    assert client.get(BOARD, {"producer": colleague.pk}).status_code == 404


def test_leader_switches_to_a_team_member_but_not_another_team(client, leader, producer, agency):
    ProspectFactory(owner=producer, name="Team Prospect")
    other_team_member = ProducerFactory(agency=agency, team__name="South")
    login(client, leader)
    response = client.get(BOARD, {"producer": producer.pk}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="board")
    assert "Team Prospect" in response.content.decode()
    assert "Pat Producer</strong>’s open prospects" in response.content.decode()
    response = client.get(BOARD, {"producer": producer.pk})
    assert producer in response.context["switchable"]
    assert client.get(BOARD, {"producer": other_team_member.pk}).status_code == 404


def test_owner_switches_to_anyone_in_the_agency(client, owner, agency):
    elsewhere = ProducerFactory(agency=agency, team__name="South")
    ProspectFactory(owner=elsewhere, name="South Prospect")
    login(client, owner)
    assert "South Prospect" in client.get(BOARD, {"producer": elsewhere.pk}).content.decode()


def test_another_agencys_producer_is_404(producer_client, other_producer):
    assert producer_client.get(BOARD, {"producer": other_producer.pk}).status_code == 404


def test_htmx_filter_returns_only_the_board_partial(producer_client, producer):
    prospect_create(owner=producer, name="Acme Roofing")
    response = producer_client.get(BOARD, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="board")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html and "Acme Roofing" in html


def test_card_partial_for_cancel(producer_client, acme):
    response = producer_client.get(reverse("pipeline:prospect_card", args=[acme.pk]),
                                   HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="card-{acme.pk}"')
    assert "→ Contacted" in html


def test_card_partial_of_another_agency_is_404(producer_client, other_producer):
    theirs = ProspectFactory(owner=other_producer)
    url = reverse("pipeline:prospect_card", args=[theirs.pk])
    assert producer_client.get(url, HTTP_HX_REQUEST="true").status_code == 404


# --- advancing from the board ---------------------------------------------------------------

def test_advance_form_shows_the_destination_definition_of_done(producer_client, acme, producer):
    contacted = stage(producer.agency, "Contacted")
    response = producer_client.get(advance_url(acme), {"to": contacted.pk, "from": "board"},
                                   HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith(f'<article id="card-{acme.pk}"')
    assert contacted.definition_of_done in html
    assert "Definition met" in html and 'name="next_step_due"' in html
    # The phone's date picker offers no day before today (the agency's today).
    local_today = timezone.now().astimezone(producer.agency.tz).date()
    assert f'name="next_step_due" min="{local_today.isoformat()}"' in html


def test_forward_move_records_a_win_and_celebrates_it(producer_client, acme, producer):
    contacted = stage(producer.agency, "Contacted")
    response = producer_client.post(advance_url(acme), {
        "to_stage": contacted.pk, "expected_stage": acme.stage_id, "from": "board",
        "next_step": "Book the appointment", "next_step_due": tomorrow(),
        "definition_confirmed": "on"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    trigger = json.loads(response["HX-Trigger"])
    assert trigger["toast"]["kind"] == "win"
    assert "Acme Roofing moved to Contacted" in trigger["toast"]["text"]
    assert response["HX-Retarget"] == "#board"
    html = response.content.decode()
    assert "celebrate" in html and "🎉 Win!" in html
    move = StageAdvance.objects.get(prospect=acme, to_stage=contacted)
    assert move.is_win and move.definition_confirmed and move.next_step == "Book the appointment"


def test_forward_move_asks_for_the_next_step_and_saves_nothing(producer_client, acme, producer):
    response = producer_client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": acme.stage_id,
        "next_step": "", "next_step_due": "", "from": "board"}, HTTP_HX_REQUEST="true")
    html = text(response)
    assert "Say what the next step is." in html
    assert "Give the next step a date." in html
    assert StageAdvance.objects.filter(prospect=acme).count() == 1


def test_next_step_due_before_today_is_refused_next_to_the_field(producer_client, acme, producer):
    # The agency's yesterday: around midnight UTC the server's date is already the next day.
    yesterday = (local_now(producer.agency).date() - dt.timedelta(days=1)).isoformat()
    response = producer_client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": acme.stage_id,
        "next_step": "Call back", "next_step_due": yesterday})
    form = response.context["form"]
    assert form.errors["next_step_due"] == ["The next step cannot be due in the past."]
    html = response.content.decode()
    assert "Call back" in html  # what the user typed is kept
    acme.refresh_from_db()
    assert acme.stage.name == "Lead"


def test_lost_asks_for_the_reason(producer_client, acme, producer):
    lost = stage(producer.agency, "Lost")
    response = producer_client.post(advance_url(acme), {
        "to_stage": lost.pk, "expected_stage": acme.stage_id, "lost_reason": ""})
    assert response.context["form"].errors["lost_reason"] == [
        "Say why the prospect was lost; a reason is required."]
    response = producer_client.post(advance_url(acme), {
        "to_stage": lost.pk, "expected_stage": acme.stage_id, "lost_reason": "Price"})
    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.stage.name, acme.lost_reason) == ("Lost", "Price")


def test_stage_of_another_agency_is_refused(producer_client, acme, other_agency):
    response = producer_client.post(advance_url(acme), {
        "to_stage": stage(other_agency, "Contacted").pk, "expected_stage": acme.stage_id,
        "next_step": "x", "next_step_due": tomorrow()})
    assert response.context["form"].errors["to_stage"] == [
        "Choose a stage of your agency's pipeline."]
    assert StageAdvance.objects.filter(prospect=acme).count() == 1


def test_a_stale_card_is_refused_with_a_clear_message(producer_client, acme, producer):
    lead = acme.stage
    # Someone else moved it meanwhile.
    Prospect.objects.filter(pk=acme.pk).update(stage=stage(producer.agency, "Appointment set"))
    response = producer_client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": lead.pk,
        "next_step": "Call", "next_step_due": tomorrow(), "from": "board"},
        HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "was moved to Appointment set meanwhile; nothing was changed" in html
    assert StageAdvance.objects.filter(prospect=acme).count() == 1
    # The form now shows where the prospect is, so a retry is a deliberate move from there.
    appointment = stage(producer.agency, "Appointment set")
    assert f'name="expected_stage" value="{appointment.pk}"' in html
    assert "Now in <strong>Appointment set</strong>" in html


def test_advance_of_another_producers_prospect_is_404(producer_client, producer, team):
    colleague = ProducerFactory(agency=producer.agency, team=team)
    theirs = ProspectFactory(owner=colleague)
    assert producer_client.get(advance_url(theirs)).status_code == 404
    response = producer_client.post(advance_url(theirs), {
        "to_stage": stage(producer.agency, "Contacted").pk, "next_step": "x",
        "next_step_due": tomorrow()})
    assert response.status_code == 404
    assert not StageAdvance.objects.filter(prospect=theirs).exists()


def test_advance_works_without_javascript(producer_client, acme, producer):
    response = producer_client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": acme.stage_id,
        "next_step": "Call", "next_step_due": tomorrow(), "from": "board"})
    assert response.status_code == 302 and response["Location"] == BOARD
    page = text(producer_client.get(BOARD))
    assert '<li class="flash-win success">🎉 Win! Acme Roofing moved to Contacted' in page


def test_a_win_from_the_prospect_page_is_celebrated_where_the_producer_lands(
        producer_client, acme, producer):
    response = producer_client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": acme.stage_id,
        "next_step": "Call", "next_step_due": tomorrow()}, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("pipeline:prospect", args=[acme.pk])
    page = text(producer_client.get(response["HX-Redirect"]))
    assert '<li class="flash-win success">🎉 Win! Acme Roofing moved to Contacted' in page


def test_a_backward_move_is_not_celebrated(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme Roofing",
                           stage=stage(producer.agency, "Contacted"))
    producer_client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Lead").pk, "expected_stage": acme.stage_id,
        "next_step": "Call", "next_step_due": tomorrow()})
    page = text(producer_client.get(reverse("pipeline:prospect", args=[acme.pk])))
    assert '<li class="flash-success">Acme Roofing moved back to Lead.' in page
    assert not StageAdvance.objects.filter(prospect=acme, is_win=True).exists()


# --- query counts -----------------------------------------------------------------------------

def _fill(producer, n):
    stages = [stage(producer.agency, name) for name in ("Lead", "Contacted", "Discovery done")]
    Prospect.objects.bulk_create(
        Prospect(agency=producer.agency, owner=producer, name=f"P{i}", stage=stages[i % 3],
                 stage_entered_at=timezone.now(), estimated_revenue=1000,
                 next_step="Call", next_step_due=timezone.localdate())
        for i in range(n))


@pytest.mark.parametrize("extra", [{}, {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "board"}])
def test_board_query_count_does_not_grow_with_prospects(producer_client, producer, extra):
    _fill(producer, 5)
    small = queries_of(producer_client.get, BOARD, **extra)
    _fill(producer, 195)
    large = queries_of(producer_client.get, BOARD, **extra)
    assert small == large
    assert large <= 12
    print(f"board queries ({'htmx' if extra else 'page'}): {large}")


def test_leader_board_query_count_does_not_grow(leader_client, leader, producer, team):
    _fill(producer, 5)
    small = queries_of(leader_client.get, f"{BOARD}?producer={producer.pk}")
    _fill(producer, 195)
    for _ in range(10):
        ProducerFactory(agency=producer.agency, team=team)
    assert queries_of(leader_client.get, f"{BOARD}?producer={producer.pk}") == small


def test_card_partial_query_count_does_not_grow(producer_client, producer, acme):
    url = reverse("pipeline:prospect_card", args=[acme.pk])
    _fill(producer, 5)
    small = queries_of(producer_client.get, url, HTTP_HX_REQUEST="true")
    _fill(producer, 195)
    large = queries_of(producer_client.get, url, HTTP_HX_REQUEST="true")
    assert small == large and large <= 8
    print(f"card partial queries: {large}")


def test_advance_from_the_board_query_count_does_not_grow(producer_client, producer):
    def move():
        prospect = prospect_create(owner=producer, name="Mover")
        with CaptureQueriesContext(connection) as ctx:
            response = producer_client.post(advance_url(prospect), {
                "to_stage": stage(producer.agency, "Contacted").pk,
                "expected_stage": prospect.stage_id, "from": "board", "next_step": "Call",
                "next_step_due": tomorrow()}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200 and "HX-Retarget" in response
        return len(ctx.captured_queries)

    _fill(producer, 5)
    small = move()
    _fill(producer, 195)
    large = move()
    assert small == large
    print(f"advance from the board (partial): {large}")


def test_a_leader_advances_a_team_members_prospect_credited_to_the_owner(client, leader,
                                                                         producer):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    login(client, leader)
    client.post(advance_url(acme), {
        "to_stage": stage(producer.agency, "Contacted").pk, "expected_stage": acme.stage_id,
        "next_step": "Call", "next_step_due": tomorrow()})
    move = StageAdvance.objects.get(prospect=acme, is_win=True)
    assert (move.producer, move.moved_by) == (producer, leader)


def test_the_last_open_column_offers_the_one_tap_win_to_the_won_stage(producer_client, producer):
    """The prospect page offers '→ Bound' from Proposal presented; the board must too."""
    last_open = stage(producer.agency, "Proposal presented")
    won = stage(producer.agency, "Bound")
    prospect = prospect_create(owner=producer, name="Acme Roofing", stage=last_open)
    html = text(producer_client.get(BOARD))
    assert f"{advance_url(prospect)}?to={won.pk}&from=board" in html
    assert "→ Bound" in html
