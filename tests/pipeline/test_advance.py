import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from pipeline.models import Prospect, StageAdvance
from pipeline.services import prospect_advance, prospect_create
from tests.conftest import requires_postgres
from tests.factories import ProducerFactory, ProspectFactory, stage, where


@pytest.fixture
def prospect(producer):
    return prospect_create(owner=producer, name="Acme Roofing", estimated_revenue=5000)


def test_creating_a_prospect_records_its_first_stage_without_a_win(prospect):
    row = StageAdvance.objects.get(prospect=prospect)
    assert (row.from_stage, row.to_stage.name, row.is_win) == (None, "Lead", False)


def test_forward_move_is_a_win_and_moves_the_prospect(prospect, producer):
    appointment = stage(producer.agency, "Appointment set")
    advance = prospect_advance(prospect=prospect,
                               expected_stage=where(prospect), to_stage=appointment, actor=producer,
                               next_step="Meet at their office",
                               next_step_due=timezone.localdate() + dt.timedelta(days=2))
    prospect.refresh_from_db()
    assert advance.is_win
    assert prospect.stage.name == "Appointment set"
    assert prospect.next_step == "Meet at their office"
    assert StageAdvance.objects.filter(prospect=prospect, is_win=True).count() == 1


def test_backward_move_is_recorded_but_not_a_win(prospect, producer):
    prospect_advance(prospect=prospect,
                     expected_stage=where(prospect),
                     to_stage=stage(producer.agency, "Discovery done"),
                     actor=producer)
    back = prospect_advance(prospect=prospect,
                            expected_stage=where(prospect),
                            to_stage=stage(producer.agency, "Contacted"),
                            actor=producer)
    assert back.from_stage.name == "Discovery done"
    assert not back.is_win


def test_lost_needs_a_reason_with_a_clear_message_and_changes_nothing(prospect, producer):
    with pytest.raises(ValidationError) as excinfo:
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect), to_stage=stage(producer.agency, "Lost"),
                         actor=producer, lost_reason="   ")
    assert excinfo.value.message_dict == {
        "lost_reason": ["Say why the prospect was lost; a reason is required."]}
    prospect.refresh_from_db()
    assert prospect.stage.name == "Lead"
    assert StageAdvance.objects.filter(prospect=prospect).count() == 1


def test_lost_with_a_reason_is_not_a_win(prospect, producer):
    move = prospect_advance(prospect=prospect,
                            expected_stage=where(prospect), to_stage=stage(producer.agency, "Lost"),
                            actor=producer, lost_reason="Price")
    prospect.refresh_from_db()
    assert not move.is_win
    assert prospect.lost_reason == "Price"


def test_move_to_the_same_stage_is_refused(prospect, producer):
    with pytest.raises(ValidationError) as excinfo:
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect), to_stage=stage(producer.agency, "Lead"),
                         actor=producer)
    assert excinfo.value.message_dict == {"to_stage": ["Acme Roofing is already in Lead."]}


def test_stage_of_another_agency_is_refused(prospect, producer, other_agency):
    with pytest.raises(ValidationError) as excinfo:
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect), to_stage=stage(other_agency, "Contacted"),
                         actor=producer)
    assert "to_stage" in excinfo.value.message_dict
    assert StageAdvance.objects.filter(prospect=prospect).count() == 1


def test_a_move_based_on_a_stale_view_is_refused(prospect, producer):
    lead = stage(producer.agency, "Lead")
    prospect_advance(prospect=prospect, to_stage=stage(producer.agency, "Contacted"),
                     actor=producer, expected_stage=lead)
    with pytest.raises(ValidationError, match="moved to Contacted meanwhile"):
        prospect_advance(prospect=prospect, to_stage=stage(producer.agency, "Appointment set"),
                         actor=producer, expected_stage=lead)


def test_next_step_due_in_the_past_is_refused(prospect, producer):
    with pytest.raises(ValidationError) as excinfo:
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect),
                         to_stage=stage(producer.agency, "Contacted"),
                         actor=producer, next_step="Call",
                         next_step_due=timezone.localdate() - dt.timedelta(days=3))
    assert excinfo.value.message_dict == {
        "next_step_due": ["The next step cannot be due in the past."]}


def test_the_ledger_is_append_only(prospect):
    row = StageAdvance.objects.get(prospect=prospect)
    row.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        row.save()


@requires_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_moves_of_one_prospect_leave_exactly_one_ledger_row():
    # given a prospect in Lead and two requests that both saw it in Lead
    owner = ProducerFactory()
    prospect = ProspectFactory(owner=owner)
    lead, contacted = stage(owner.agency, "Lead"), stage(owner.agency, "Contacted")
    barrier = threading.Barrier(2)
    outcomes = []

    def move():
        try:
            barrier.wait()
            prospect_advance(prospect=Prospect.objects.get(pk=prospect.pk), to_stage=contacted,
                             actor=owner, expected_stage=lead)
            outcomes.append("moved")
        except ValidationError as error:
            outcomes.append(error.messages[0])
        except Exception as error:  # surfaced by the assertion below
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    # when both run at once on two real connections
    threads = [threading.Thread(target=move) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # then exactly one applied and the other was refused
    assert sorted(outcomes)[1] == "moved"
    assert "already in Contacted" in sorted(outcomes)[0] or "meanwhile" in sorted(outcomes)[0]
    assert StageAdvance.objects.filter(prospect=prospect, to_stage=contacted).count() == 1
    assert connection.vendor == "postgresql"
