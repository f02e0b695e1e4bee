"""A refresh that changed only some producers recomputes (and bumps the versions of) only what
changed (issue 12): each outbox mark names the producers whose cards the write can change, the
task recomputes only theirs when every mark names some, and the result is the one a full
recompute of the agency-week would have stored."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accountability.commitments.services import commitment_create, commitment_mark_done
from accountability.confidence.services import check_in_record
from accountability.models import AgencyFunnelWeek, Celebration, Commitment, WeeklyScorecard
from accountability.planning.funnel_weeks import STORED_FIELDS as FUNNEL_FIELDS
from accountability.scorecards.columns import SCORECARD_FIELDS
from accountability.scorecards.refresh import scorecards_refresh
from accountability.tasks import refresh_scorecards
from pipeline.services import activity_log, prospect_advance, prospect_update
from salesculture.jobs import dirty_week_marks
from salesculture.models import DirtyWeek, Team
from salesculture.weeks import Week
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ConfidenceCheckInFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
    activity_type,
    stage,
    where,
)


@pytest.fixture
def people(agency, team, producer):
    """Three selling producers on two teams (Pat and Sam on North, Kim on South)."""
    south = TeamFactory(agency=agency, name="South")
    sam = ProducerFactory(agency=agency, team=team, user__first_name="Sam")
    kim = ProducerFactory(agency=agency, team=south, user__first_name="Kim")
    return producer, sam, kim


def _history(agency, people):
    """Last week and this week of activities, moves (wins, a bound policy), commitments and
    check-ins for everyone, refreshed in full: the stored state a partial refresh starts from."""
    this = Week.current(agency)
    last = this.previous
    for n, p in enumerate(people):
        for week in (last, this):
            at = min(week.begins + dt.timedelta(days=1, hours=n), timezone.now())
            ActivityFactory(producer=p, occurred_at=at, quantity=3 + n)
            prospect = ProspectFactory(owner=p, estimated_revenue=Decimal(1000 * (n + 1)))
            StageAdvanceFactory(prospect=prospect, occurred_at=at,
                                to_stage=stage(agency, "Appointment set"))
            CommitmentFactory(producer=p, week_start=week.start, target=4)
            ConfidenceCheckInFactory(producer=p, week_start=week.start, process=2 + n)
        ProspectFactory(owner=p, stage=stage(agency, "Proposal presented"),
                        premium=Decimal(500 * (n + 1)))
    for week, final in ((last, True), (this, None)):
        scorecards_refresh(agency=agency, week_start=week.start, final=final)
    DirtyWeek.objects.all().delete()
    return last, this


def _stored(agency) -> dict:
    """Everything a refresh writes, without the moments it wrote them."""
    return {
        "cards": {(c["producer_id"], c["week_start"]): c for c in WeeklyScorecard.objects
                  .filter(agency=agency).values("producer_id", "week_start", "is_final",
                                                *SCORECARD_FIELDS)},
        "celebrations": sorted(Celebration.objects.filter(agency=agency).values_list(
            "producer_id", "kind", "source_key", "week_start", "title", "detail")),
        "commitments": sorted(Commitment.objects.filter(agency=agency).values_list(
            "pk", "status", "actual")),
        "funnel": {f["week_start"]: f for f in AgencyFunnelWeek.objects.filter(agency=agency)
                   .values("week_start", *FUNNEL_FIELDS)},
        # A partial refresh marks its changed producers' later weeks, a full one whole weeks.
        "later weeks": sorted(set(DirtyWeek.objects.filter(agency=agency).values_list(
            "week_start", flat=True))),
    }


def _partial_equals_full(agency, week, final=None):
    """The stored state after a partial refresh of the producers the outbox names equals the
    one after a full refresh of the week (each run from the same state)."""
    marks, named = dirty_week_marks(agency_id=agency.pk, week_start=week.start)
    assert named, "every write here names its producers"
    DirtyWeek.objects.filter(pk__in=marks).delete()
    saved = transaction.savepoint()
    partial = scorecards_refresh(agency=agency, week_start=week.start, final=final,
                                 producer_ids=named)
    after_partial = _stored(agency)
    assert set(DirtyWeek.objects.values_list("producer_id", flat=True)) <= named
    transaction.savepoint_rollback(saved)
    full = scorecards_refresh(agency=agency, week_start=week.start, final=final)
    assert _stored(agency) == after_partial
    assert partial.changed_producer_ids == full.changed_producer_ids
    assert partial.changed_producer_ids <= named
    return named


def _log(agency, people, week):
    pat, _, _ = people
    activity_log(producer=pat, activity_type=activity_type(agency), quantity=5,
                 occurred_at=min(week.begins + dt.timedelta(days=2), timezone.now()),
                 validate_window=False)


def _advance_to_bound(agency, people, week):
    _, sam, _ = people
    prospect = ProspectFactory(owner=sam, stage=stage(agency, "Proposal presented"),
                               premium=Decimal(900))
    prospect_advance(prospect=prospect, expected_stage=where(prospect),
                     to_stage=stage(agency, "Bound"), actor=sam,
                     occurred_at=min(week.begins + dt.timedelta(days=2), timezone.now()))


def _check_in(agency, people, week):
    check_in_record(producer=people[2], week_start=week.start, process=5, pipeline=5, team=1)


def _commit(agency, people, week):
    kim = people[2]
    if week == Week.current(agency):
        commitment_create(producer=kim, week_start=week.start, kind=Commitment.Kind.ACTIVITY,
                          actor=kim, target=1, activity_type=activity_type(agency))
    promise = CommitmentFactory(producer=kim, week_start=week.start,
                                kind=Commitment.Kind.SPECIFIC)
    commitment_mark_done(commitment=promise, actor=kim, done=True)


def _hand_over(agency, people, week):
    pat, sam, _ = people
    prospect = pat.prospects.filter(stage__kind="open").first()
    prospect_update(prospect=prospect, name=prospect.name,
                    line_of_business=prospect.line_of_business,
                    estimated_revenue=Decimal(7777), next_step="Call back",
                    next_step_due=None, owner=sam, actor=pat)


WRITES = {"activity": _log, "advance": _advance_to_bound, "check-in": _check_in,
          "commitment": _commit, "hand-over": _hand_over}


@pytest.mark.parametrize("write", WRITES)
def test_a_partial_refresh_stores_what_a_full_one_would_this_week(agency, people, write):
    _, this = _history(agency, people)
    WRITES[write](agency, people, this)
    _partial_equals_full(agency, this)


@pytest.mark.parametrize("write", ["activity", "advance", "check-in", "commitment"])
def test_a_partial_refresh_of_a_closed_week_judges_as_a_full_one(agency, people, write):
    last, _ = _history(agency, people)
    WRITES[write](agency, people, last)
    _partial_equals_full(agency, last, final=True)


def test_a_quick_log_marks_its_producer(producer, producer_client):
    call = activity_type(producer.agency, "Call")
    producer_client.post(reverse("accountability:week_log"),
                         {"activity_type": call.pk, "client_token": "t1"})

    assert list(DirtyWeek.objects.values_list("producer_id", flat=True)) == [producer.pk]


def test_an_advance_marks_its_owner(agency, producer):
    prospect = ProspectFactory(owner=producer)
    prospect_advance(prospect=prospect, expected_stage=where(prospect),
                     to_stage=stage(agency, "Contacted"), actor=producer)

    assert set(DirtyWeek.objects.values_list("producer_id", flat=True)) == {producer.pk}


def test_handing_a_prospect_over_marks_both_owners(agency, people):
    pat, sam, _ = people
    prospect = ProspectFactory(owner=pat)
    DirtyWeek.objects.all().delete()
    prospect_update(prospect=prospect, name=prospect.name,
                    line_of_business=prospect.line_of_business,
                    estimated_revenue=prospect.estimated_revenue, next_step="",
                    next_step_due=None, owner=sam, actor=pat)

    assert set(DirtyWeek.objects.values_list("producer_id", flat=True)) == {pat.pk, sam.pk}


def _card(producer, week):
    return WeeklyScorecard.objects.get(producer=producer, week_start=week.start)


def test_the_task_recomputes_only_the_named_producer_and_bumps_only_their_team(
        agency, people, django_capture_on_commit_callbacks):
    pat, sam, kim = people
    _, this = _history(agency, people)
    south = Team.objects.get(agency=agency, name="South")
    versions = {t.pk: t.live_version for t in Team.objects.filter(agency=agency)}
    # Kim's ledger changes behind the outbox's back: a partial refresh must not read it.
    ActivityFactory(producer=kim, occurred_at=min(this.begins + dt.timedelta(hours=1),
                                                 timezone.now()), quantity=9)
    kim_before, sam_before = _card(kim, this), _card(sam, this)

    with django_capture_on_commit_callbacks(execute=True):
        _log(agency, people, this)

    assert not DirtyWeek.objects.exists()
    assert _card(pat, this).activities_total == 3 + 5
    assert _card(kim, this).computed_at == kim_before.computed_at
    assert _card(sam, this).computed_at == sam_before.computed_at
    assert Team.objects.get(pk=pat.team_id).live_version == versions[pat.team_id] + 1
    assert Team.objects.get(pk=south.pk).live_version == versions[south.pk]
    funnel = AgencyFunnelWeek.objects.get(agency=agency, week_start=this.start)
    assert sum(funnel.activity_counts.values()) == sum(
        c.activities_total for c in WeeklyScorecard.objects.filter(week_start=this.start))


def test_a_mark_without_a_producer_makes_the_refresh_full(agency, people):
    pat, _, kim = people
    _, this = _history(agency, people)
    ActivityFactory(producer=kim, occurred_at=min(this.begins + dt.timedelta(hours=1),
                                                 timezone.now()), quantity=9)
    DirtyWeek.objects.create(agency=agency, week_start=this.start, producer=pat)
    DirtyWeek.objects.create(agency=agency, week_start=this.start)

    assert dirty_week_marks(agency_id=agency.pk, week_start=this.start)[1] is None
    changed = refresh_scorecards(agency.pk, this.start.isoformat())

    assert changed == [kim.pk]
    assert _card(kim, this).activities_total == 3 + 2 + 9


def test_a_second_partial_run_changes_nothing(agency, people):
    pat, _, _ = people
    _, this = _history(agency, people)
    _log(agency, people, this)
    assert refresh_scorecards(agency.pk, this.start.isoformat()) == [pat.pk]
    agency.refresh_from_db()
    version, card = agency.live_version, _card(pat, this)

    DirtyWeek.objects.create(agency=agency, week_start=this.start, producer=pat)
    assert refresh_scorecards(agency.pk, this.start.isoformat()) == []

    agency.refresh_from_db()
    assert agency.live_version == version
    assert _card(pat, this).computed_at == card.computed_at
