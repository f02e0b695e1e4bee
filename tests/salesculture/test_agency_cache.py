"""Leader alerts, role fit and the lost-reason report are kept between changes
(salesculture/agency_cache.py): a second look reads only what changes every minute (who
logged anything lately), every kind of write they are computed from shows on the very next
look — a quick-log, a one-on-one, a check-in, a dismissal, a person moved, a plan, a loss, a
renamed stage, the scorecard job's change to a finished week — and the busiest writes (this
week's quick-logs and moves) leave what they do not change kept. A cache that is away costs
speed, never a page or a write."""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accountability.coaching.alerts import alerts_for
from accountability.coaching.rules import CONFIDENCE, MISSED, QUIET, ROLE_FIT
from accountability.models import Commitment, WeeklyScorecard
from accountability.planning.rolefit import role_fit_weeks
from accountability.scorecards.refresh import scorecards_refresh
from accountability.week.morning import morning_list
from pipeline import lost_report
from pipeline.services import activity_log, prospect_advance, prospect_create
from salesculture.agency_cache import (
    CHECK_INS,
    PAST_MOVES,
    agency_changed,
    past_move_topics,
    past_week,
)
from salesculture.models import Producer
from salesculture.weeks import Week
from tests.accountability.coaching_data import one_on_one_with_action
from tests.accountability.test_rolefit import BAD, GOOD, history, plan_with_pace
from tests.conftest import login
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
)
from tests.pipeline.import_helpers import confirm, csv_bytes, upload_job
from tests.pipeline.test_import_activities import PEOPLE_HEADER
from tests.pipeline.test_lost_report import URL as LOST_URL
from tests.pipeline.test_lost_report import _lost
from tests.queries import counting, queries_of


def _quiet(*people):
    """Joined long ago and logged nothing since: the quiet rule fires."""
    Producer.objects.filter(pk__in=[p.pk for p in people]).update(
        created_at=timezone.now() - dt.timedelta(days=400))


def _rows(client, producer) -> list[str]:
    """The alert rows about `producer` on the alerts page, as the leader reads them."""
    html = client.get(reverse("accountability:alerts")).content.decode()
    return [row for row in html.split('class="alert-row"')[1:] if producer.name in row]


def _rules(actor, producer) -> set[str]:
    return {a.rule for a in alerts_for(actor) if a.producer_id == producer.pk}


def test_a_second_look_reads_only_who_logged_lately_and_a_quick_log_shows_at_once(
        producer, leader, client):
    _quiet(producer, leader)
    login(client, leader)
    first = _rows(client, producer)
    assert any("No activity logged" in row for row in first)
    with counting() as again:
        assert alerts_for(leader)
    assert again.queries.count == 1
    # The producer logs a call through the app: the leader's next look no longer says quiet,
    # though the scorecard job has not run yet.
    activity_log(producer=producer, activity_type=activity_type(producer.agency))
    assert not any("No activity logged" in row for row in _rows(client, producer))


def test_a_check_in_a_one_on_one_and_a_missed_week_show_on_the_next_look(producer, leader,
                                                                         agency):
    ActivityFactory(producer=producer)
    assert _rules(leader, producer) == set()
    week = Week.current(agency)
    ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-2).start,
                             process=5, pipeline=5, team=5)
    ConfidenceCheckInFactory(producer=producer, week_start=week.start,
                             process=2, pipeline=2, team=2)
    assert _rules(leader, producer) == {CONFIDENCE}
    for back in (1, 2):
        CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC,
                          week_start=week.shift(-back).start, status=Commitment.Status.MISSED)
    assert _rules(leader, producer) == {CONFIDENCE, MISSED}
    today = timezone.now().astimezone(agency.tz).date()
    one_on_one_with_action(leader=leader, producer=producer, held_on=today - dt.timedelta(days=20),
                           follow_up_on=today - dt.timedelta(days=6))
    assert "follow_up_overdue" in _rules(leader, producer)


def test_a_person_moved_to_another_team_leaves_the_leaders_alerts(producer, leader, agency):
    _quiet(producer)
    ActivityFactory(producer=leader)
    assert _rules(leader, producer) == {QUIET}
    producer.team = TeamFactory(agency=agency, name="South")
    producer.save(update_fields=["team"])
    assert _rules(leader, producer) == set()


def test_the_scorecard_jobs_change_to_a_finished_week_shows_on_the_next_look(producer, leader):
    """The job writes cards in bulk (no save signal): it says when a finished week's changed."""
    ActivityFactory(producer=producer)
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 13)
    assert _rules(leader, producer) == set()
    # The ledgers hold nothing of those weeks: recomputed, no card keeps its four wins.
    for week in role_fit_weeks(producer.agency):
        scorecards_refresh(agency=producer.agency, week_start=week)
    assert not WeeklyScorecard.objects.filter(producer=producer, wins=GOOD[2]).exists()
    assert _rules(leader, producer) == {ROLE_FIT}


def test_this_weeks_quick_logs_and_moves_leave_role_fit_and_lost_reasons_kept(owner, producer,
                                                                             client):
    day = timezone.now().astimezone(owner.agency.tz).date()
    _lost(producer, "First", day, via=["Contacted"])
    login(client, owner)
    pages = [reverse("accountability:role_fit"), LOST_URL]
    first = [queries_of(client.get, page).count for page in pages]
    activity_log(producer=producer, activity_type=activity_type(producer.agency))
    prospect = prospect_create(owner=producer, name="Busy", line_of_business="personal")
    prospect_advance(prospect=prospect, to_stage=stage(owner.agency, "Contacted"),
                     actor=producer, expected_stage=prospect.stage)
    scorecards_refresh(agency=owner.agency, week_start=Week.current(owner.agency).start)
    again = [queries_of(client.get, page).count for page in pages]
    assert all(kept < computed for kept, computed in zip(again, first, strict=True)), (first, again)
    assert 'data-testid="lost-total">1<' in client.get(LOST_URL).content.decode()


def test_a_leader_and_an_owner_each_see_their_own_people(producer, leader, owner, agency):
    """Each viewer's kept rules are their own: the leader looks first, then the owner, then
    the leader again."""
    south = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"))
    week = Week.current(agency)
    for person in (producer, south, leader, owner):
        ActivityFactory(producer=person)
    for person in (producer, south):
        ConfidenceCheckInFactory(producer=person, week_start=week.shift(-2).start,
                                 process=5, pipeline=5, team=5)
        ConfidenceCheckInFactory(producer=person, week_start=week.start,
                                 process=2, pipeline=2, team=2)
    assert {(a.producer_id, a.rule) for a in alerts_for(leader)} == {(producer.pk, CONFIDENCE)}
    assert {(a.producer_id, a.rule) for a in alerts_for(owner)} == {
        (producer.pk, CONFIDENCE), (south.pk, CONFIDENCE)}
    assert {(a.producer_id, a.rule) for a in alerts_for(leader)} == {(producer.pk, CONFIDENCE)}


def test_a_dismissal_hides_a_kept_alert_at_once(producer, leader, agency, client):
    ActivityFactory(producer=producer)
    week = Week.current(agency)
    for back, rating in ((2, 5), (0, 2)):
        ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-back).start,
                                 process=rating, pipeline=rating, team=rating)
    login(client, leader)
    assert any("Check-in average fell" in row for row in _rows(client, producer))
    response = client.post(reverse("accountability:alert_dismiss"), {
        "producer": producer.pk, "rule": CONFIDENCE, "note": "talked today",
        "next": reverse("accountability:alerts")})
    assert response.status_code == 302
    assert _rows(client, producer) == []


def test_a_write_bumps_its_topic_now_and_once_more_when_it_commits(
        producer, agency, django_capture_on_commit_callbacks):
    key = f"agency-stamp:{agency.pk}:{CHECK_INS}"
    week = Week.current(agency)
    before = 100
    cache.set(key, before, None)
    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        ConfidenceCheckInFactory(producer=producer, week_start=week.start)
        ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-1).start)
        assert cache.get(key) == before + 2  # each write, before it commits
    assert len(callbacks) == 1  # and once more at the commit, however many rows
    callbacks[0]()
    assert cache.get(key) == before + 3


def test_people_imported_show_on_role_fit_at_once(owner, team, client,
                                                  django_capture_on_commit_callbacks):
    login(client, owner)
    assert "Avery Johnson" not in client.get(reverse("accountability:role_fit")).content.decode()
    job = upload_job(client, csv_bytes([["Avery Johnson", "avery@example.com", "Producer",
                                         "North", "150,000"]], PEOPLE_HEADER), kind="people")
    confirm(client, job, django_capture_on_commit_callbacks)
    assert "Avery Johnson" in client.get(reverse("accountability:role_fit")).content.decode()


def test_with_the_cache_away_the_page_and_a_dismissal_still_work(producer, leader, client):
    _quiet(producer, leader)
    login(client, leader)
    away = ConnectionError("cache away")
    with mock.patch.object(cache, "get", side_effect=away), \
            mock.patch.object(cache, "get_many", side_effect=away), \
            mock.patch.object(cache, "set", side_effect=away), \
            mock.patch.object(cache, "set_many", side_effect=away), \
            mock.patch.object(cache, "incr", side_effect=away):
        assert any("No activity logged" in row for row in _rows(client, producer))
        response = client.post(reverse("accountability:alert_dismiss"),
                               {"producer": producer.pk, "rule": QUIET, "note": "talked today",
                                "next": reverse("accountability:alerts")})
        assert response.status_code == 302
        assert _rows(client, producer) == []


def test_role_fit_shows_a_plan_saved_since_the_last_look(producer, leader, client):
    history(producer, [BAD] * 13)
    login(client, leader)
    flagged = "13 of 13 weeks below on both"
    assert flagged not in client.get(reverse("accountability:role_fit")).content.decode()
    plan_with_pace(producer, 4)
    assert flagged in client.get(reverse("accountability:role_fit")).content.decode()


def test_the_lost_report_shows_a_loss_and_a_renamed_stage_at_once(owner, producer, client):
    """Today's losses and the stages' names are read on every view."""
    day = timezone.now().astimezone(owner.agency.tz).date()
    _lost(producer, "First", day, via=["Contacted"])
    login(client, owner)
    assert 'data-testid="lost-total">1<' in client.get(LOST_URL).content.decode()
    _lost(producer, "Second", day, via=["Contacted"])
    html = client.get(LOST_URL).content.decode()
    assert 'data-testid="lost-total">2<' in html and "Contacted" in html
    contacted = stage(owner.agency, "Contacted")
    contacted.name = "Reached"
    contacted.save(update_fields=["name"])
    html = client.get(LOST_URL).content.decode()
    assert "Reached" in html and "Contacted" not in html


def test_a_loss_recorded_after_its_day_shows_in_the_kept_days_at_once(owner, producer, client):
    today = timezone.now().astimezone(owner.agency.tz).date()
    login(client, owner)
    assert 'data-testid="lost-total">0<' in client.get(LOST_URL).content.decode()
    _lost(producer, "Late", today - dt.timedelta(days=3), via=["Contacted"], reason="Timing")
    html = client.get(LOST_URL).content.decode()
    assert 'data-testid="lost-total">1<' in html and "Timing" in html


def test_a_check_in_recomputes_the_confidence_rule_alone(producer, leader, agency):
    ActivityFactory(producer=producer)
    alerts_for(leader)
    week = Week.current(agency)
    ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-2).start,
                             process=5, pipeline=5, team=5)
    ConfidenceCheckInFactory(producer=producer, week_start=week.start,
                             process=2, pipeline=2, team=2)
    with counting() as after:
        assert _rules(leader, producer) == {CONFIDENCE}
    assert after.queries.count == 2  # who logged lately, and the check-ins


def test_the_morning_lists_team_wins_are_kept_until_a_late_move(producer, team):
    """The wins since the last working day are days gone by: kept through today's moves, and
    counted again when a move of theirs is recorded late."""
    teammate = ProducerFactory(agency=producer.agency, team=team)
    yesterday = timezone.now() - dt.timedelta(days=1)
    StageAdvanceFactory(prospect=ProspectFactory(owner=teammate, name="First"),
                        occurred_at=yesterday)
    assert [w.prospect_name for w in morning_list(producer).team_wins] == ["First"]
    today = prospect_create(owner=teammate, name="Today", line_of_business="personal")
    prospect_advance(prospect=today, to_stage=stage(teammate.agency, "Contacted"),
                     actor=teammate, expected_stage=today.stage)
    with counting() as kept:
        assert [w.prospect_name for w in morning_list(producer).team_wins] == ["First"]
    assert kept.queries.count == 2  # next steps and X-dates: the team's wins were kept
    StageAdvanceFactory(prospect=ProspectFactory(owner=teammate, name="Late"),
                        occurred_at=yesterday + dt.timedelta(minutes=5))
    assert [w.prospect_name for w in morning_list(producer).team_wins] == ["Late", "First"]


def test_a_late_loss_counts_its_own_week_again_and_keeps_the_others(owner, producer, client):
    """The report's past days are kept a week at a time: after a loss recorded late, the next
    look counts that week again (and today, as always), not the 13 weeks; its numbers are
    the whole period's."""
    today = timezone.now().astimezone(owner.agency.tz).date()
    _lost(producer, "Old", today - dt.timedelta(days=40), via=["Contacted"], reason="Price")
    login(client, owner)
    with mock.patch("pipeline.lost_report._tallies_of_spans",
                    wraps=lost_report._tallies_of_spans) as counted:
        client.get(LOST_URL)
        first_look = counted.call_args.args[1]
        agency_changed(owner.agency.pk, PAST_MOVES)  # a change to no week's moves
        client.get(LOST_URL)
        assert counted.call_count == 1
        # A Wednesday of a past week: a move at a week's edge bumps the week it falls in
        # anywhere on earth as well (past_move_topics), which would be counted again too.
        late_day = today - dt.timedelta(days=10)
        late_day -= dt.timedelta(days=late_day.weekday() - 2)
        _lost(producer, "Late", late_day, via=["Contacted"], reason="Timing")
        html = client.get(LOST_URL).content.decode()
    monday = late_day - dt.timedelta(days=late_day.weekday())
    # The 13 weeks before today, Monday to Sunday (the first and last cut by the period).
    assert first_look[0][0] == today - dt.timedelta(weeks=13) + dt.timedelta(days=1)
    assert first_look[-1][1] == today - dt.timedelta(days=1) and len(first_look) in (13, 14)
    assert counted.call_count == 2 and counted.call_args.args[1] == [
        (monday, min(monday + dt.timedelta(days=6), today - dt.timedelta(days=1)))]
    assert 'data-testid="lost-total">2<' in html and "Timing" in html and "Price" in html


def test_a_move_bumps_the_week_of_its_day_in_every_time_zone():
    sunday_night_in_chicago = dt.datetime(2026, 11, 30, 3, 0, tzinfo=dt.UTC)  # a Monday in UTC
    assert past_move_topics(sunday_night_in_chicago) == [
        PAST_MOVES, past_week(dt.date(2026, 11, 23)), past_week(dt.date(2026, 11, 30))]
    wednesday_noon = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.UTC)
    assert past_move_topics(wednesday_noon) == [PAST_MOVES, past_week(dt.date(2026, 11, 25))]
    assert past_week(dt.date(2026, 11, 29)) == past_week(dt.date(2026, 11, 23)) != past_week(
        dt.date(2026, 11, 30))


def test_the_rules_are_worked_out_once_for_everyone_and_outlive_a_person_saved(
        producer, leader, owner, agency):
    """The slower rules are the agency's, a person at a time: the owner's look reads what the
    leader's worked out, and a new hire or a team move changes only whom a look lists."""
    for person in (producer, leader, owner):
        ActivityFactory(producer=person)
    week = Week.current(agency)
    for back, rating in ((2, 5), (0, 2)):
        ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-back).start,
                                 process=rating, pipeline=rating, team=rating)
    assert _rules(leader, producer) == {CONFIDENCE}
    with counting() as owners:
        assert _rules(owner, producer) == {CONFIDENCE}
    assert owners.queries.count == 1  # who logged lately: the rest was the leader's look's
    ProducerFactory(agency=agency, team=producer.team)
    producer.team = TeamFactory(agency=agency, name="South")
    producer.save(update_fields=["team"])
    with counting() as after:
        assert _rules(owner, producer) == {CONFIDENCE}
    assert after.queries.count == 1
    assert _rules(leader, producer) == set()


def test_role_fit_judges_a_person_saved_or_hired_since_alone(producer, owner, agency, client):
    """Everyone's flags are judged once and kept through a person saved; a new hire, not in
    them yet, is judged apart."""
    from accountability.planning import rolefit

    plan_with_pace(producer, 4)
    history(producer, [BAD] * 13)
    login(client, owner)
    page = reverse("accountability:role_fit")
    flagged = "13 of 13 weeks below on both"
    assert flagged in client.get(page).content.decode()
    producer.team = TeamFactory(agency=agency, name="South")
    producer.save(update_fields=["team"])
    with mock.patch.object(rolefit, "_judged", wraps=rolefit._judged) as judged:
        assert flagged in client.get(page).content.decode()
        assert judged.call_count == 0
        hired = ProducerFactory(agency=agency, team=producer.team)
        html = client.get(page).content.decode()
    assert flagged in html and hired.name in html
    assert [list(call.args[0].values_list("pk", flat=True)) for call in judged.call_args_list] \
        == [[hired.pk]]


def test_the_scorecard_job_judges_role_fit_once_a_finished_week_changed(
        producer, leader, client, django_capture_on_commit_callbacks):
    """The worker, not the first leader to look, pays for judging everyone again."""
    from accountability.planning import rolefit

    ActivityFactory(producer=producer)
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 13)
    login(client, leader)
    page = reverse("accountability:role_fit")
    flagged = "13 of 13 weeks below on both"
    assert flagged not in client.get(page).content.decode()
    # The ledgers hold nothing of those weeks: recomputed, every week is below on both.
    with django_capture_on_commit_callbacks(execute=True):
        for week in role_fit_weeks(producer.agency):
            scorecards_refresh(agency=producer.agency, week_start=week)
    with mock.patch.object(rolefit, "_judged", wraps=rolefit._judged) as judged:
        assert flagged in client.get(page).content.decode()
        assert _rules(leader, producer) == {ROLE_FIT}
    assert judged.call_count == 0


def test_a_person_saved_keeps_the_owners_lost_weeks_but_not_the_leaders(owner, leader,
                                                                        producer, client):
    """The whole agency's losses do not depend on who is on which team: a team move counts
    none of the owner's past weeks again, and the people are named afresh. The leader's
    report, which is their team's, loses the producer at once."""
    today = timezone.now().astimezone(owner.agency.tz).date()
    _lost(producer, "Old", today - dt.timedelta(days=40), via=["Contacted"], reason="Price")
    login(client, leader)
    assert 'data-testid="lost-total">1<' in client.get(LOST_URL).content.decode()
    login(client, owner)
    client.get(LOST_URL)
    producer.user.first_name = "Renamed"
    producer.user.save(update_fields=["first_name"])
    producer.team = TeamFactory(agency=owner.agency, name="South")
    producer.save(update_fields=["team"])
    with mock.patch("pipeline.lost_report._tallies_of_spans",
                    wraps=lost_report._tallies_of_spans) as counted:
        html = client.get(LOST_URL).content.decode()
    assert counted.call_count == 0
    assert 'data-testid="lost-total">1<' in html and "Renamed" in html
    login(client, leader)
    assert 'data-testid="lost-total">0<' in client.get(LOST_URL).content.decode()


@pytest.mark.parametrize("saved_by", ["the producer's goal", "the nightly plans"])
def test_a_plan_saved_judges_role_fit_again_for_the_next_look(
        saved_by, producer, leader, client, django_capture_on_commit_callbacks):
    from accountability.models import GoalPlan
    from accountability.planning import rolefit
    from accountability.planning.results import PlanResult
    from accountability.planning.services import goal_plans_refresh_agency, goal_set

    history(producer, [BAD] * 13)
    login(client, leader)
    page = reverse("accountability:role_fit")
    flagged = "13 of 13 weeks below on both"
    assert flagged not in client.get(page).content.decode()  # no plan, nobody is flagged
    # The goal's plan as the ledgers would make it (these hold no funnel to plan from).
    paced = PlanResult(producer_id=producer.pk,
                       year=timezone.now().astimezone(producer.agency.tz).year,
                       annual_goal=150000, working_weeks=48, weeks_left=10,
                       label=GoalPlan.Label.REALISTIC)
    paced.pace_wins_per_week = 4
    with django_capture_on_commit_callbacks(execute=True), \
            mock.patch("accountability.planning.services.plan_compute", return_value=paced):
        if saved_by == "the nightly plans":
            goal_plans_refresh_agency(agency=producer.agency)
        else:
            goal_set(producer=producer, annual_goal="150000")
    with mock.patch.object(rolefit, "_judged", wraps=rolefit._judged) as judged:
        assert flagged in client.get(page).content.decode()
    assert judged.call_count == 0
