"""Leader alerts on hand-built histories: each of the five rules fires (and does not, just
short of it), a dismissal hides an alert for its week and it comes back the next, the
leader's home shows them at the top, the digest repeats them, and the count of queries does
not grow with the team."""

import datetime as dt
import zoneinfo

from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accountability.coaching.alerts import alerts_for, team_alerts
from accountability.coaching.alerts import led_by as alerts_led_by
from accountability.coaching.rules import (
    CONFIDENCE,
    FOLLOW_UP,
    MISSED,
    QUIET,
    ROLE_FIT,
    quiet_since,
)
from accountability.coaching.services import alert_dismiss
from accountability.models import AlertDismissal, Commitment, WeekClosure
from accountability.scorecards.digest import digest_message, weekly_digests
from salesculture.models import AuditEvent, Producer
from salesculture.weeks import Week
from tests.accountability.coaching_data import one_on_one_with_action
from tests.accountability.test_rolefit import BAD, GOOD, history, plan_with_pace
from tests.conftest import login
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ConfidenceCheckInFactory,
    ProducerFactory,
    TeamFactory,
)
from tests.queries import counting, queries_of

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def _old(*people):
    """Joined long ago: the quiet rule leaves out people who joined inside its span."""
    Producer.objects.filter(pk__in=[p.pk for p in people]).update(
        created_at=timezone.now() - dt.timedelta(days=400))


def rules_of(alerts, producer):
    return {a.rule for a in alerts if a.producer_id == producer.pk}


def _active(producer):
    """Logged something today, so the quiet rule stays out of the other rules' tests."""
    ActivityFactory(producer=producer, occurred_at=timezone.now())


# --- the rules -----------------------------------------------------------------------------------

def test_working_days_skip_the_weekend():
    assert quiet_since(dt.date(2026, 3, 5)) == dt.date(2026, 3, 2)  # Thu → Mon, Tue, Wed
    assert quiet_since(dt.date(2026, 3, 9)) == dt.date(2026, 3, 4)  # Mon → Wed, Thu, Fri
    assert quiet_since(dt.date(2026, 3, 8)) == dt.date(2026, 3, 4)  # Sun → Wed, Thu, Fri


def test_confidence_down_a_point_over_three_weeks(producer, leader, agency):
    _active(producer)
    week = Week.current(agency)
    ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-3).start,
                             process=5, pipeline=4, team=4)  # 4.33
    ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-1).start,
                             process=3, pipeline=3, team=3)  # 3.0
    alerts = alerts_for(leader)
    assert rules_of(alerts, producer) == {CONFIDENCE}
    assert "from 4.3 to 3.0" in alerts[0].reason


def test_confidence_down_less_than_a_point_is_no_alert(producer, leader, agency):
    _active(producer)
    week = Week.current(agency)
    ConfidenceCheckInFactory(producer=producer, week_start=week.shift(-3).start,
                             process=4, pipeline=4, team=4)
    ConfidenceCheckInFactory(producer=producer, week_start=week.start,
                             process=4, pipeline=3, team=3)  # 3.33: down 0.67
    assert rules_of(alerts_for(leader), producer) == set()


def _missed(producer, week_start):
    CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC, week_start=week_start,
                      status=Commitment.Status.MISSED)


def test_two_missed_weeks_in_a_row(producer, leader, agency):
    _active(producer)
    week = Week.current(agency)
    _missed(producer, week.shift(-1).start)
    _missed(producer, week.shift(-2).start)
    alerts = alerts_for(leader)
    assert rules_of(alerts, producer) == {MISSED}
    assert alerts[0].url == reverse("accountability:drilldown", args=[producer.pk])


def test_one_missed_week_or_a_gap_is_no_alert(producer, leader, agency):
    _active(producer)
    week = Week.current(agency)
    _missed(producer, week.shift(-1).start)
    _missed(producer, week.shift(-3).start)  # not in a row
    CommitmentFactory(producer=producer, kind=Commitment.Kind.SPECIFIC,
                      week_start=week.shift(-2).start, status=Commitment.Status.KEPT)
    assert rules_of(alerts_for(leader), producer) == set()


def test_no_activity_on_three_working_days(producer, leader, agency):
    _old(producer, leader)
    thursday = dt.datetime(2026, 3, 5, 12, tzinfo=CHICAGO)
    ActivityFactory(producer=producer, occurred_at=dt.datetime(2026, 2, 27, 16, tzinfo=CHICAGO))
    alerts = team_alerts(agency, alerts_led_by(leader), now=thursday)
    assert rules_of(alerts, producer) == {QUIET}
    assert "since Mon Mar 2" in alerts[0].reason
    # One call on the Monday of that week: not quiet.
    ActivityFactory(producer=producer, occurred_at=dt.datetime(2026, 3, 2, 9, tzinfo=CHICAGO))
    assert QUIET not in rules_of(team_alerts(agency, alerts_led_by(leader), now=thursday),
                                 producer)


def test_the_weekend_does_not_count_as_quiet(producer, leader, agency):
    _old(producer, leader)
    # Logged on Wednesday; on Monday only Thu and Fri have passed since — plus Wed itself.
    ActivityFactory(producer=producer, occurred_at=dt.datetime(2026, 3, 4, 10, tzinfo=CHICAGO))
    monday = dt.datetime(2026, 3, 9, 8, tzinfo=CHICAGO)
    assert QUIET not in rules_of(team_alerts(agency, alerts_led_by(leader), now=monday), producer)
    tuesday = monday + dt.timedelta(days=1)
    assert QUIET in rules_of(team_alerts(agency, alerts_led_by(leader), now=tuesday), producer)


def test_someone_who_just_joined_is_not_quiet(producer, leader, agency):
    assert QUIET not in rules_of(alerts_for(leader), producer)


def test_a_role_fit_flag(producer, leader):
    _active(producer)
    plan_with_pace(producer, 4)
    history(producer, [GOOD] * 5 + [BAD] * 8)
    alerts = alerts_for(leader)
    assert rules_of(alerts, producer) == {ROLE_FIT}
    assert "8 of the last 13 weeks" in alerts[0].reason
    assert alerts[0].url == reverse("accountability:role_fit_detail", args=[producer.pk])


def test_an_overdue_follow_up(producer, leader, agency):
    _active(producer)
    today = timezone.now().astimezone(agency.tz).date()
    late = one_on_one_with_action(leader=leader, producer=producer,
                                  held_on=today - dt.timedelta(days=20),
                                  follow_up_on=today - dt.timedelta(days=6))
    alerts = alerts_for(leader)
    assert rules_of(alerts, producer) == {FOLLOW_UP}
    assert alerts[0].url == reverse("accountability:one_on_one", args=[late.pk])
    # A one-on-one held since then is the follow-up.
    one_on_one_with_action(leader=leader, producer=producer, held_on=today - dt.timedelta(days=2))
    assert rules_of(alerts_for(leader), producer) == set()


def test_a_follow_up_still_to_come_is_no_alert(producer, leader, agency):
    _active(producer)
    today = timezone.now().astimezone(agency.tz).date()
    one_on_one_with_action(leader=leader, producer=producer, held_on=today,
                           follow_up_on=today + dt.timedelta(days=7))
    assert rules_of(alerts_for(leader), producer) == set()


# --- whose alerts -------------------------------------------------------------------------------

def test_a_leader_sees_their_team_an_owner_everyone_a_producer_none(producer, leader, owner,
                                                                    agency):
    south = ProducerFactory(agency=agency, team=TeamFactory(agency=agency, name="South"))
    for person in (producer, south, owner):
        _missed(person, Week.current(agency).shift(-1).start)
        _missed(person, Week.current(agency).shift(-2).start)
    # The owner is on the leader's team but is not theirs to coach.
    assert {a.producer_id for a in alerts_for(leader)} == {producer.pk}
    assert {a.producer_id for a in alerts_for(owner)} >= {producer.pk, south.pk}
    assert alerts_for(producer) == []


# --- dismissing -----------------------------------------------------------------------------------

def test_a_dismissed_alert_comes_back_next_week_if_the_cause_persists(producer, leader, agency):
    _active(producer)
    today = timezone.now().astimezone(agency.tz).date()
    one_on_one_with_action(leader=leader, producer=producer,
                           held_on=today - dt.timedelta(days=20),
                           follow_up_on=today - dt.timedelta(days=6))
    alert_dismiss(actor=leader, producer=producer, rule=FOLLOW_UP, note="Booked for Friday")
    assert FOLLOW_UP not in rules_of(alerts_for(leader), producer)
    next_week = timezone.now() + dt.timedelta(weeks=1)
    assert FOLLOW_UP in rules_of(alerts_for(leader, now=next_week), producer)
    event = AuditEvent.objects.get(kind="alert.dismissed")
    assert event.changes == {"note": [None, "Booked for Friday"]}


def test_dismissing_from_the_home_page(producer, leader, agency, client):
    _active(producer)
    _missed(producer, Week.current(agency).shift(-1).start)
    _missed(producer, Week.current(agency).shift(-2).start)
    login(client, leader)
    home = client.get(reverse("accountability:team")).content.decode()
    assert home.index('id="leader-alerts"') < home.index('id="team-scorecard"')
    assert f'data-producer="{producer.pk}" data-rule="{MISSED}"' in home_alerts(client)

    refused = client.post(reverse("accountability:alert_dismiss"),
                          {"producer": producer.pk, "rule": MISSED, "note": " "},
                          HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "Say in a few words why" in refused.content.decode()
    assert not AlertDismissal.objects.exists()

    swapped = client.post(reverse("accountability:alert_dismiss"),
                          {"producer": producer.pk, "rule": MISSED, "note": "Talked Tuesday"},
                          HTTP_HX_REQUEST="true")
    assert swapped.status_code == 200
    assert f'data-rule="{MISSED}"' not in swapped.content.decode()
    assert "Nobody needs attention" in swapped.content.decode()
    assert 'data-rule="' not in home_alerts(client)


def home_alerts(client) -> str:
    """The alerts section as the home page fetches it once the board is shown."""
    response = client.get(reverse("accountability:alerts"), HTTP_HX_REQUEST="true",
                          HTTP_HX_CURRENT_URL="http://testserver/team/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="next" value="/team/"' in html or "Nobody needs attention" in html
    return html


def test_a_producer_cannot_dismiss_and_another_teams_leader_gets_404(producer, leader, agency,
                                                                     client):
    south_leader = ProducerFactory(agency=agency, role="leader",
                                   team=TeamFactory(agency=agency, name="South"))
    data = {"producer": producer.pk, "rule": MISSED, "note": "x"}
    login(client, producer)
    assert client.post(reverse("accountability:alert_dismiss"), data).status_code == 404
    client.logout()
    login(client, south_leader)
    assert client.post(reverse("accountability:alert_dismiss"), data).status_code == 404
    assert not AlertDismissal.objects.exists()


# --- the digest repeats them ------------------------------------------------------------------

def test_the_digest_repeats_a_leaders_alerts(producer, leader, agency):
    _old(producer, leader)  # both were there in the week the digest is about
    _active(producer)
    _active(leader)
    week = Week.current(agency)
    _missed(producer, week.shift(-1).start)
    _missed(producer, week.shift(-2).start)
    WeekClosure.objects.create(agency=agency, week_start=week.previous.start,
                               closed_at=timezone.now())
    digests = {d.producer.pk: d for d in weekly_digests(agency=agency,
                                                         week_start=week.previous.start)}
    assert [a.rule for a in digests[leader.pk].alerts] == [MISSED]
    assert digests[producer.pk].alerts == []
    message = digest_message(digests[leader.pk])
    assert "NEEDS YOUR ATTENTION" in message.body
    assert "Pat Producer · Missed two weeks in a row" in message.body
    html = message.alternatives[0][0]
    assert "Needs your attention" in html
    assert reverse("accountability:drilldown", args=[producer.pk]) in html


# --- cost ---------------------------------------------------------------------------------------

def _team_with_alerts(agency, team, n):
    week = Week.current(agency)
    for _ in range(n):
        person = ProducerFactory(agency=agency, team=team)
        _missed(person, week.shift(-1).start)
        _missed(person, week.shift(-2).start)
        ConfidenceCheckInFactory(producer=person, week_start=week.shift(-2).start,
                                 process=5, pipeline=5, team=5)
        ConfidenceCheckInFactory(producer=person, week_start=week.start,
                                 process=2, pipeline=2, team=2)
        one_on_one_with_action(leader=None, producer=person, held_on=dt.date(2026, 1, 5),
                               follow_up_on=dt.date(2026, 1, 12))
    _old(*Producer.objects.filter(agency=agency))


def test_alerts_cost_the_same_for_3_and_30_people(agency, team, owner):
    _team_with_alerts(agency, team, 3)
    cache.clear()  # the alerts as computed, not as kept (tests/salesculture/test_agency_cache.py)
    with counting() as small:
        few = alerts_for(owner)
    _team_with_alerts(agency, team, 27)
    cache.clear()
    with counting() as large:
        many = alerts_for(owner)
    assert len(many) > len(few) >= 12
    assert small.queries == large.queries
    assert small.queries.count <= 6  # who logged lately, then each slower rule and dismissals


def test_the_home_page_costs_the_same_for_3_and_30_people(agency, team, owner, client):
    login(client, owner)
    _team_with_alerts(agency, team, 3)
    client.get(reverse("accountability:team"))  # the shared board is rendered and cached once
    small = queries_of(client.get, reverse("accountability:team"))
    _team_with_alerts(agency, team, 27)
    client.get(reverse("accountability:team"))
    large = queries_of(client.get, reverse("accountability:team"))
    assert 'id="leader-alerts"' in client.get(reverse("accountability:team")).content.decode()
    assert "more alerts →" in home_alerts(client)
    assert small == large
    assert queries_of(client.get, reverse("accountability:alerts")) == queries_of(
        client.get, reverse("accountability:alerts"))


# --- the alerts page: a page at a time, by rule -----------------------------------------------

def test_the_alerts_page_shows_forty_at_a_time_and_narrows_to_a_rule(agency, team, owner,
                                                                     client):
    """An owner of hundreds can have hundreds of alerts: the page lists them 40 at a time
    with each rule's count, and a rule's pill narrows the list to it."""
    _team_with_alerts(agency, team, 11)  # 11 × (confidence, missed, quiet, follow-up)
    login(client, owner)
    html = client.get(reverse("accountability:alerts")).content.decode()
    assert html.count('class="alert-row"') == 40
    assert "1–40 of 44" in html and 'href="?page=2">Next →' in html
    assert 'aria-current="page">All 44</a>' in html
    assert "Missed two weeks in a row 11</a>" in html
    second = client.get(reverse("accountability:alerts"), {"page": 2}).content.decode()
    assert second.count('class="alert-row"') == 4 and "41–44 of 44" in second
    missed = client.get(reverse("accountability:alerts"), {"rule": MISSED}).content.decode()
    assert missed.count('class="alert-row"') == 11
    assert missed.count(f'data-rule="{MISSED}"') == 11 and "Next →" not in missed
    # A made-up rule or page shows the first page of all of them, not an error.
    odd = client.get(reverse("accountability:alerts"), {"rule": "nope", "page": "x"})
    assert odd.status_code == 200 and "1–40 of 44" in odd.content.decode()
    # The cost does not grow with the alerts or the page asked for.
    assert queries_of(client.get, reverse("accountability:alerts")) == queries_of(
        client.get, reverse("accountability:alerts"), {"page": 2, "rule": MISSED})


def test_a_dismissal_on_a_later_page_answers_with_that_page(agency, team, owner, client):
    _team_with_alerts(agency, team, 11)
    login(client, owner)
    html = client.get(reverse("accountability:alerts"), {"rule": MISSED}).content.decode()
    person = Producer.objects.filter(agency=agency, team=team).exclude(pk=owner.pk).first()
    response = client.post(reverse("accountability:alert_dismiss"), {
        "producer": person.pk, "rule": MISSED, "note": "Talked on Tuesday",
        "next": f"{reverse('accountability:alerts')}?rule={MISSED}"},
        headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.count('class="alert-row"') == 10
    assert html.count(f'data-rule="{MISSED}"') == 10
    assert f"?rule={MISSED}" in html and 'aria-current="page">Missed two weeks in a row 10' in html
