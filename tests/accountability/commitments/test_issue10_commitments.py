"""Issue 10, item 6: one target per measure and week. A second target for the same activity
type, stage or "any stage" replaces the first; simultaneous posts cannot double a target or a
follow-up. Each case is built through the services and read off the page a person reads."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from accountability.commitments.services import (
    commitment_create,
    commitment_follow_up_ensure,
    commitments_set_targets,
)
from accountability.meetings.services import meeting_commitment_add, meeting_start
from accountability.models import Commitment, MeetingTurn
from pipeline.services import activity_log, prospect_create
from salesculture.weeks import Week
from tests.conftest import login, requires_postgres
from tests.factories import AgencyFactory, ProducerFactory, TeamFactory, activity_type, stage


def _row(html: str, producer_id: int) -> str:
    """The team board's row of one producer."""
    match = re.search(rf'<tr[^>]*data-producer="{producer_id}".*?</tr>', html, re.S)
    assert match, f"no row for producer {producer_id}"
    return match.group(0)


def test_a_second_call_target_in_the_meeting_replaces_the_first_and_kept_stays_2_of_4(
        client, agency, team, producer, leader, django_capture_on_commit_callbacks):
    # given: Pat's four targets for this week, and what Pat did against them
    week = Week.current(agency)
    call, email = activity_type(agency, "Call"), activity_type(agency, "Email")
    appointment, quote = activity_type(agency, "Appointment"), activity_type(agency, "Quote")
    with django_capture_on_commit_callbacks(execute=True):
        commitments_set_targets(
            producer=producer, week_start=week.start, actor=producer,
            activity_targets={call.pk: 50, email.pk: 2, appointment.pk: 1, quote.pk: 1},
            stage_targets={})
        activity_log(producer=producer, activity_type=call, quantity=10)
        activity_log(producer=producer, activity_type=email, quantity=3)
        activity_log(producer=producer, activity_type=appointment)
    login(client, leader)
    board = reverse("accountability:team")
    assert "2/4" in _row(client.get(board).content.decode(), producer.pk)  # email, appointment

    # when: in the meeting (reviewing last week) the leader enters "35 × Call" for Pat
    meeting = meeting_start(team=team, week_start=week.previous.start, actor=leader)
    turn = MeetingTurn.objects.get(meeting=meeting, producer=producer)
    with django_capture_on_commit_callbacks(execute=True):
        commitment = meeting_commitment_add(meeting=meeting, turn=turn, actor=leader,
                                            kind=Commitment.Kind.ACTIVITY, target=35,
                                            activity_type=call)

    # then: one Call target, of 35, made in the meeting; the board still reads 2 of 4 kept
    calls = Commitment.objects.filter(producer=producer, week_start=week.start,
                                      activity_type=call)
    assert [(c.pk, c.target, c.meeting_id) for c in calls] == [(commitment.pk, 35, meeting.pk)]
    assert Commitment.objects.filter(producer=producer, week_start=week.start).count() == 4
    row = _row(client.get(board).content.decode(), producer.pk)
    assert "2/4" in row and "2/5" not in row
    # and Pat's commitments page shows the one number that stands
    login(client, producer)
    page = client.get(reverse("accountability:commitments")).content.decode()
    assert "35 × Call" in page and "10 / 35" in page
    assert "50 × Call" not in page


def test_a_second_target_for_next_week_replaces_the_first_on_the_commitments_page(
        producer_client, agency, producer, leader):
    # given: Pat planned 50 calls and 2 wins to Proposal presented for next week
    next_week = Week.current(agency).next.start
    call, proposal = activity_type(agency, "Call"), stage(agency, "Proposal presented")
    first = commitment_create(producer=producer, week_start=next_week, actor=producer,
                              kind=Commitment.Kind.ACTIVITY, target=50, activity_type=call)
    commitment_create(producer=producer, week_start=next_week, actor=producer,
                      kind=Commitment.Kind.STAGE_WINS, target=2, stage=proposal)
    commitment_create(producer=producer, week_start=next_week, actor=producer,
                      kind=Commitment.Kind.STAGE_WINS, target=4)
    # when: a second entry for each measure
    second = commitment_create(producer=producer, week_start=next_week, actor=leader,
                               kind=Commitment.Kind.ACTIVITY, target=35, activity_type=call)
    commitment_create(producer=producer, week_start=next_week, actor=producer,
                      kind=Commitment.Kind.STAGE_WINS, target=1, stage=proposal)
    commitment_create(producer=producer, week_start=next_week, actor=producer,
                      kind=Commitment.Kind.STAGE_WINS, target=6)
    # then: the second stands in place of the first, one row per measure
    assert second.pk == first.pk
    second.refresh_from_db()
    assert (second.target, second.made_by, second.planned_ahead) == (35, leader, True)
    assert sorted(Commitment.objects.filter(producer=producer, week_start=next_week)
                  .values_list("target", flat=True)) == [1, 6, 35]
    page = producer_client.get(reverse("accountability:commitments")).content.decode()
    # one planned row (with its Withdraw button) per measure, showing the second number
    assert page.count('aria-label="Withdraw 35 × Call"') == 1 and "50 × Call" not in page
    assert page.count('aria-label="Withdraw 1 stage win to Proposal presented"') == 1
    assert "2 stage wins to Proposal presented" not in page
    assert page.count('aria-label="Withdraw 6 stage wins"') == 1 and "4 stage wins" not in page


def test_the_database_refuses_a_second_row_for_one_measure(agency, producer):
    # The constraints are the backstop behind the services.
    week = Week.current(agency).next.start
    call = activity_type(agency, "Call")
    commitment_create(producer=producer, week_start=week, actor=producer,
                      kind=Commitment.Kind.ACTIVITY, target=50, activity_type=call)
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(agency=agency, producer=producer, week_start=week,
                                  kind=Commitment.Kind.ACTIVITY, target=35,
                                  activity_type=call, made_at=timezone.now())
    commitment_create(producer=producer, week_start=week, actor=producer,
                      kind=Commitment.Kind.STAGE_WINS, target=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.create(agency=agency, producer=producer, week_start=week,
                                  kind=Commitment.Kind.STAGE_WINS, target=1, made_at=timezone.now())


def test_a_follow_up_is_made_once_per_prospect_and_week(agency, producer, leader):
    week = Week.current(agency).start
    prospect = prospect_create(owner=producer, name="Moss Dental", estimated_revenue=2000)
    first, made = commitment_follow_up_ensure(producer=producer, week_start=week,
                                              prospect=prospect, actor=leader,
                                              text="Moss Dental: send the quote")
    again, made_again = commitment_follow_up_ensure(producer=producer, week_start=week,
                                                    prospect=prospect, actor=leader,
                                                    text="Moss Dental: call back")
    assert (made, made_again, again.pk) == (True, False, first.pk)
    assert list(Commitment.objects.values_list("text", flat=True)) == [
        "Moss Dental: send the quote"]


# --- simultaneous posts (PostgreSQL: SQLite has one writer at a time) -------------------------

def _at_once(n: int, work) -> list[str]:
    """Run `work` on n threads released together, each on its own connection."""
    barrier = threading.Barrier(n)
    outcomes: list[str] = []

    def run():
        try:
            barrier.wait()
            work()
            outcomes.append("ok")
        except ValidationError as error:
            outcomes.append(" ".join(error.messages))
        except Exception as error:  # surfaced by the callers' assertions
            outcomes.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.fixture
def people(transactional_db):
    agency = AgencyFactory(name="Race Agency")
    team = TeamFactory(agency=agency, name="North")
    return (ProducerFactory(agency=agency, team=team),
            ProducerFactory(agency=agency, team=team, role="leader"))


@requires_postgres
def test_two_simultaneous_posts_of_the_targets_form_leave_one_row_per_target(
        people, client):
    # given: the targets form for next week, posted twice at once (a double submit)
    producer, _ = people
    agency = producer.agency
    week = Week.current(agency).next.start
    call, email = activity_type(agency, "Call"), activity_type(agency, "Email")
    bound = stage(agency, "Bound")

    def post():
        commitments_set_targets(producer=producer, week_start=week, actor=producer,
                                activity_targets={call.pk: 50, email.pk: 20},
                                stage_targets={bound.pk: 1, None: 8})

    # when
    outcomes = _at_once(2, post)

    # then: both went through, and each target is one row
    assert outcomes == ["ok", "ok"]
    rows = Commitment.objects.filter(producer=producer, week_start=week)
    assert sorted(rows.values_list("target", flat=True)) == [1, 8, 20, 50]
    login(client, producer)
    page = client.get(reverse("accountability:commitments")).content.decode()
    assert page.count('aria-label="Withdraw 50 × Call"') == 1
    assert page.count('aria-label="Withdraw 8 stage wins"') == 1
    assert connection.vendor == "postgresql"


@requires_postgres
def test_six_simultaneous_follow_ups_for_one_prospect_make_one(people):
    producer, leader = people
    week = Week.current(producer.agency).start
    prospect = prospect_create(owner=producer, name="Shaw Dental", estimated_revenue=2000)

    def follow_up():
        commitment_follow_up_ensure(producer=producer, week_start=week, prospect=prospect,
                                    actor=leader, text="Shaw Dental: agree the next step")

    assert _at_once(6, follow_up) == ["ok"] * 6
    assert Commitment.objects.filter(prospect=prospect).count() == 1


@requires_postgres
def test_two_simultaneous_meeting_targets_for_one_measure_leave_one_row(people):
    producer, leader = people
    agency = producer.agency
    week = Week.current(agency).next.start
    call = activity_type(agency, "Call")
    targets = iter([35, 50])
    lock = threading.Lock()

    def commit():
        with lock:
            target = next(targets)
        commitment_create(producer=producer, week_start=week, actor=leader,
                          kind=Commitment.Kind.ACTIVITY, target=target, activity_type=call)

    assert _at_once(2, commit) == ["ok", "ok"]
    assert Commitment.objects.filter(producer=producer, week_start=week).count() == 1
