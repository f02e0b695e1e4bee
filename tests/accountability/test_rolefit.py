"""Role fit: the 8-of-13-weeks rule on constructed histories, who may see it, and moving a
person to the non-producer role and back."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import GoalPlan, WeeklyScorecard
from accountability.planning.results import PlanResult
from accountability.planning.rolefit import role_fit_get, role_fit_weeks
from accountability.planning.services import goal_plan_store
from pipeline.models import StageAdvance
from salesculture.models import Producer
from salesculture.selectors import selling_producers
from tests.accountability.test_plan_ledger import PATH, journey
from tests.conftest import login
from tests.factories import ProducerFactory, TeamFactory
from tests.queries import queries_of


def plan_with_pace(producer, wins_a_week: float) -> GoalPlan:
    result = PlanResult(producer_id=producer.pk,
                        year=timezone.now().astimezone(producer.agency.tz).year,
                        annual_goal=producer.annual_goal, working_weeks=48, weeks_left=10,
                        label=GoalPlan.Label.REALISTIC)
    result.pace_wins_per_week = wins_a_week
    return goal_plan_store(producer=producer, result=result)


def history(producer, weeks: list[tuple[int, int, int] | None]):
    """One (kept, total, wins) per week of the last 13 finished weeks, oldest first; None
    leaves the week without a scorecard."""
    for week, row in zip(role_fit_weeks(producer.agency), weeks, strict=True):
        if row is None:
            continue
        kept, total, wins = row
        WeeklyScorecard.objects.create(agency=producer.agency, producer=producer,
                                       week_start=week, commitments_kept=kept,
                                       commitments_total=total, wins=wins,
                                       computed_at=timezone.now())


BAD = (1, 4, 1)  # kept 25% (< 50%), wins 1 of 4 a week (25% < 50%)
GOOD = (4, 4, 4)
LOW_KEPT_ONLY = (0, 3, 3)  # wins 75% of plan: not both below


def test_eight_bad_weeks_of_thirteen_flag_a_conversation(producer, leader):
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 5 + [BAD] * 8)
    fit = role_fit_get(actor=leader, producer_id=producer.pk)
    assert fit.flagged
    assert [w.week for w in fit.flagged_weeks] == role_fit_weeks(producer.agency)[5:]


def test_seven_bad_weeks_do_not(producer, leader):
    plan_with_pace(producer, 4)
    history(producer, [BAD, GOOD] * 6 + [BAD])
    fit = role_fit_get(actor=leader, producer_id=producer.pk)
    assert len(fit.flagged_weeks) == 7 and not fit.flagged


def test_both_must_be_below_in_the_same_week(producer, leader):
    plan_with_pace(producer, 4)
    history(producer, [LOW_KEPT_ONLY] * 13)
    fit = role_fit_get(actor=leader, producer_id=producer.pk)
    assert all(w.kept_below and not w.wins_below for w in fit.weeks)
    assert not fit.flagged


def test_a_week_without_commitments_counts_as_none_kept(producer, leader):
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 5 + [None] * 8)
    assert role_fit_get(actor=leader, producer_id=producer.pk).flagged


def test_without_a_plan_nobody_is_flagged(producer, leader):
    history(producer, [BAD] * 13)
    fit = role_fit_get(actor=leader, producer_id=producer.pk)
    assert not fit.assessed and not fit.flagged


def test_thresholds_are_settings(producer, leader, settings):
    settings.SALESCULTURE = {**settings.SALESCULTURE, "ROLE_FIT_WEEKS": 9}
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 5 + [BAD] * 8)
    assert not role_fit_get(actor=leader, producer_id=producer.pk).flagged


def test_page_lists_the_flag_and_the_weeks(producer, leader_client):
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 5 + [BAD] * 8)
    page = leader_client.get(reverse("accountability:role_fit")).content.decode()
    assert "Conversation recommended" in page and "8 of 13 weeks below on both" in page
    detail = leader_client.get(reverse("accountability:role_fit_detail",
                                       args=[producer.pk])).content.decode()
    for week in role_fit_weeks(producer.agency)[5:]:
        assert f'<span class="pill">{week:%b} {week.day}</span>' in detail


def test_producers_never_see_role_fit(client, producer, agency, other_producer, leader):
    peer = ProducerFactory(agency=agency, team=producer.team)
    login(client, peer)
    assert client.get(reverse("accountability:role_fit")).status_code == 404
    assert client.get(reverse("accountability:role_fit_detail",
                              args=[producer.pk])).status_code == 404
    assert client.post(reverse("accountability:role_change", args=[producer.pk]),
                       {"role": "non_producer"}).status_code == 404
    login(client, leader)
    assert client.get(reverse("accountability:role_fit_detail",
                              args=[other_producer.pk])).status_code == 404
    south = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"))
    assert client.get(reverse("accountability:role_fit_detail",
                              args=[south.pk])).status_code == 404


def test_move_to_non_producer_and_back_keeps_history(producer, leader_client, agency):
    journey(producer, PATH[:3], timezone.now())
    url = reverse("accountability:role_change", args=[producer.pk])
    response = leader_client.post(url, {"role": "non_producer"})
    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.role == Producer.Role.NON_PRODUCER
    assert producer not in selling_producers(agency)
    assert StageAdvance.objects.filter(producer=producer).count() == 3
    page = leader_client.get(reverse("accountability:role_fit")).content.decode()
    assert "Non-producer" in page  # still listed, so they can be moved back
    leader_client.post(url, {"role": "producer"})
    producer.refresh_from_db()
    assert producer.role == Producer.Role.PRODUCER and producer in selling_producers(agency)


def test_a_leader_cannot_promote_or_change_themself(producer, leader, leader_client):
    response = leader_client.post(reverse("accountability:role_change", args=[producer.pk]),
                                  {"role": "leader"})
    assert "Choose one of the listed roles." in response.content.decode()
    producer.refresh_from_db()
    assert producer.role == Producer.Role.PRODUCER
    response = leader_client.post(reverse("accountability:role_change", args=[leader.pk]),
                                  {"role": "non_producer"})
    assert "You cannot change your own role here" in response.content.decode()
    leader.refresh_from_db()
    assert leader.role == Producer.Role.LEADER


def test_query_count_does_not_grow_with_people(client, owner, agency):
    login(client, owner)
    url = reverse("accountability:role_fit")

    def add_people(n):
        for _ in range(n):
            person = ProducerFactory(agency=agency, annual_goal=Decimal("100000"))
            plan_with_pace(person, 3)
            history(person, [BAD] * 13)

    add_people(2)
    small = queries_of(client.get, url)
    add_people(10)
    assert queries_of(client.get, url) == small
    assert small < 15


@pytest.mark.parametrize("role", ["producer", "non_producer"])
def test_owner_can_change_roles(role, client, owner, producer):
    login(client, owner)
    client.post(reverse("accountability:role_change", args=[producer.pk]), {"role": role})
    producer.refresh_from_db()
    assert producer.role == role


def test_detail_query_count_does_not_grow_with_history(producer, leader_client):
    url = reverse("accountability:role_fit_detail", args=[producer.pk])
    plan_with_pace(producer, 4)
    history(producer, [None] * 10 + [BAD] * 3)
    small = queries_of(leader_client.get, url)
    WeeklyScorecard.objects.filter(producer=producer).delete()
    history(producer, [BAD] * 13)
    assert queries_of(leader_client.get, url) == small


def test_the_list_comes_a_page_at_a_time_flagged_people_first(client, owner, agency):
    """30 people; the three flagged have names that sort last, yet open page one."""
    for n in range(27):
        person = ProducerFactory(agency=agency, user__first_name=f"Aa{n:02}")
        plan_with_pace(person, 3)
        history(person, [GOOD] * 13)
    flagged = []
    for n in range(3):
        person = ProducerFactory(agency=agency, user__first_name=f"Zz{n}")
        plan_with_pace(person, 4)
        history(person, [BAD] * 13)
        flagged.append(person)
    login(client, owner)
    url = reverse("accountability:role_fit")
    first = client.get(url).content.decode()
    everyone = Producer.objects.filter(agency=agency, is_active=True).count()
    assert f"<strong>3</strong> of {everyone}\n  people: conversation recommended" in first
    assert first.count('class="card fit-row') == 25
    assert all(f'data-producer="{p.pk}"' in first for p in flagged)
    assert first.index(f'data-producer="{flagged[0].pk}"') < first.index("Aa00")
    assert f"1–25 of {everyone}" in first and 'href="?page=2"' in first
    assert first.count("1–25") == 1  # said once, by the pager; the summary says the order
    assert "Flagged first, 25 to a page." in first
    last = client.get(url, {"page": "99"}).content.decode()
    assert f"26–{everyone} of {everyone}" in last
    assert last.count('class="card fit-row') == everyone - 25
    assert f"1–25 of {everyone}" in client.get(url, {"page": "abc"}).content.decode()


@pytest.mark.parametrize("kept_below, wins_below",
                         [(0.5, 0.5), (0.75, 0.25), (0.0, 0.5), (0.75, 0.0)])
def test_the_database_flags_exactly_whom_the_detail_flags(agency, owner, settings, kept_below,
                                                          wins_below):
    """The list counts flags in SQL, the detail in Python: on random histories (weeks with
    and without cards or commitments, plans with a pace, none or zero) they agree."""
    import random

    from accountability.planning.rolefit import judged_flags, role_fit_rules
    from salesculture.weeks import local_now

    settings.SALESCULTURE = {**settings.SALESCULTURE, "ROLE_FIT_KEPT_BELOW": kept_below,
                             "ROLE_FIT_WINS_VS_PLAN_BELOW": wins_below, "ROLE_FIT_WEEKS": 4}
    chance = random.Random(f"{kept_below}-{wins_below}")
    people = []
    for _ in range(12):
        person = ProducerFactory(agency=agency)
        pace = chance.choice([None, 0, 1, 2.5, 4])
        if pace is not None:
            plan_with_pace(person, pace)
        top = chance.choice([1, 4])  # half of them struggle
        history(person, [None if chance.random() < 0.2 else
                         (k := chance.randint(0, top), k + chance.randint(0, 3),
                          chance.randint(0, top)) for _ in range(13)])
        people.append(person)
    by_database = judged_flags(Producer.objects.filter(pk__in=[p.pk for p in people]),
                               agency=agency, weeks=role_fit_weeks(agency),
                               year=local_now(agency).year, conf=role_fit_rules())
    by_python = {}
    for person in people:
        fit = role_fit_get(actor=owner, producer_id=person.pk)
        by_python[person.pk] = (fit.flagged, len(fit.flagged_weeks))
    assert {pk: f for pk, (f, _) in by_database.items()} == {
        pk: f for pk, (f, _) in by_python.items()}
    # The histories flag somebody, unless a threshold of 0 makes a flag impossible.
    assert (sum(f for f, _ in by_python.values()) > 0) == (kept_below > 0 and wins_below > 0)
    assessed = {pk for pk in by_python if role_fit_get(actor=owner, producer_id=pk).assessed}
    assert {pk: w for pk, (_, w) in by_database.items() if pk in assessed} == {
        pk: w for pk, (_, w) in by_python.items() if pk in assessed}


def test_a_threshold_no_binary_fraction_holds_is_drawn_alike_in_both(agency, owner, settings):
    """0.28 × 25 is 7.000000000000001 in floating point: 7 of 25 kept is below it for the
    database's count, and must be for the detail too (it divided: 7/25 = 0.28, not below)."""
    from accountability.planning.rolefit import agency_role_fit_flags

    settings.SALESCULTURE = {**settings.SALESCULTURE, "ROLE_FIT_KEPT_BELOW": 0.28,
                             "ROLE_FIT_WINS_VS_PLAN_BELOW": 0.5, "ROLE_FIT_WEEKS": 4}
    person = ProducerFactory(agency=agency)
    plan_with_pace(person, 10)
    history(person, [(7, 25, 1)] * 13)  # kept 7 of 25; 1 win against a pace of 10
    fit = role_fit_get(actor=owner, producer_id=person.pk)
    assert agency_role_fit_flags(agency) == {person.pk: 13}
    assert fit.flagged and len(fit.flagged_weeks) == 13


@pytest.mark.parametrize("weeks, flagged", [([GOOD] * 5 + [BAD] * 8, True),
                                            ([BAD, GOOD] * 6 + [BAD], False)])
def test_the_drilldown_flags_as_the_role_fit_page_does(client, producer, leader, weeks, flagged):
    """The drill-down judges from its own read of the cards (this week's included, which role
    fit leaves out) and says what the role-fit page says."""
    plan_with_pace(producer, 4)
    history(producer, weeks)
    WeeklyScorecard.objects.create(  # this week, running: not one of the 13
        agency=producer.agency, producer=producer, week_start=role_fit_weeks(
            producer.agency)[-1] + timezone.timedelta(days=7), commitments_kept=0,
        commitments_total=5, wins=0, computed_at=timezone.now())
    login(client, leader)
    page = client.get(reverse("accountability:role_fit")).content.decode()
    drill = client.get(reverse("accountability:drilldown", args=[producer.pk]))
    assert ("Conversation recommended" in drill.content.decode()) is flagged
    assert ('pill-bad">Conversation recommended' in page) is flagged
    assert drill.context["fit"].flagged_count == (8 if flagged else 7)
