"""Wording that contradicted itself or other pages (found walking the full demo)."""

import datetime as dt
import re

from django.urls import reverse

from accountability.meetings.services import meeting_start
from salesculture.weeks import Week
from tests.accountability.test_meeting_views import goto
from tests.factories import CommitmentFactory


def test_wrap_up_when_everyone_has_committed_does_not_say_no_commitments_yet(
        leader_client, agency, team, producer, leader):
    last_week = Week.current(agency).start - dt.timedelta(days=7)
    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    for person in (producer, leader):
        CommitmentFactory(producer=person, week_start=Week.current(agency).start)
    goto(meeting, "wrap_up")
    page = leader_client.get(reverse("accountability:meeting", args=[meeting.pk])).content.decode()
    assert "Everyone has committed" in page
    assert "No commitments yet" not in page
    heading = re.search(r'<h3 class="mt">([^<]*)</h3>', page).group(1)
    assert heading.startswith("Commitments for the week of")


def test_the_plan_says_when_it_was_computed_in_the_same_clock_as_the_other_pages(
        producer_client, producer):
    """Minutes and the prospect history say '1:02 p.m.'; the plan said '13:02'."""
    page = producer_client.get(reverse("accountability:plan")).content.decode()
    stamp = re.search(r"Computed ([^<]*?) from the last", page).group(1)
    assert re.fullmatch(r"[A-Z][a-z]{2} \d{1,2}, \d{1,2}:\d\d [ap]\.m\.", stamp), stamp


def test_the_tv_shows_no_commitments_as_a_dash_as_the_team_scorecard_does(
        client, agency, team, leader, producer):
    from accountability.meetings.kiosk import kiosk_link_create
    from accountability.scorecards.refresh import scorecards_refresh

    CommitmentFactory(producer=leader, week_start=Week.current(agency).start, target=10)
    scorecards_refresh(agency=agency, week_start=Week.current(agency).start)
    link = kiosk_link_create(team=team, actor=leader, label="Break room TV")
    page = client.get(reverse("accountability:kiosk", args=[link.token])).content.decode()
    row = r"<td>([^<]+)</td>(?:<td[^>]*>[^<]*</td>){2}<td class=\"num\">([^<]*)</td>"
    kept = dict(re.findall(row, page))
    assert kept[producer.name] == "—"  # nothing committed: not "0/0"
    assert kept[leader.name] == "0/1"


def test_a_plan_built_on_agency_history_is_not_called_cannot_compute(
        leader_client, agency, producer):
    """Role fit measured James against his plan while the team page said 'Cannot compute'."""
    from django.utils import timezone

    from accountability.models import GoalPlan

    GoalPlan.objects.create(
        agency=agency, producer=producer, year=timezone.now().astimezone(agency.tz).year,
        annual_goal=240000, weeks_left=6, lines=[],
        label=GoalPlan.Label.INCOMPLETE, computed_at=timezone.now(),
        label_reason="Realism cannot be checked yet: no prospect of this producer's own was "
                     "bound in the last 52 weeks, so the plan rests on agency history.")
    board = leader_client.get(reverse("accountability:team")).content.decode()
    row = re.search(rf"{producer.name}</a>.*?</tr>", board, re.S).group(0)
    assert "Realism not checked yet" in row and "Cannot compute" not in row
    drill = leader_client.get(reverse("accountability:drilldown", args=[producer.pk]))
    assert "Realism not checked yet" in drill.content.decode()


def test_the_drilldowns_coverage_says_what_it_divides_by(leader_client, producer):
    """The drill-down said 8.24× and the confidence page 165% for the same week: two measures
    under one word. The drill-down's header now says which one it is."""
    page = leader_client.get(reverse("accountability:drilldown", args=[producer.pk]))
    assert 'title="Open pipeline value ÷ a quarter of the annual goal' in page.content.decode()


def test_starting_a_meeting_for_a_week_already_held_says_so(leader_client, agency, team, leader):
    """Pressing 'Start the meeting' again for the same week opened the minutes without a word."""
    from accountability.meetings.services import meeting_end

    last_week = Week.current(agency).start - dt.timedelta(days=7)
    meeting_end(meeting=meeting_start(team=team, week_start=last_week, actor=leader),
                actor=leader)
    response = leader_client.post(reverse("accountability:meeting_start"),
                                  {"team": team.pk, "week": last_week.isoformat()}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("accountability:meeting",
                                                     args=[team.meetings.get().pk])
    assert "already held; here are its minutes." in page


def test_someone_who_joined_this_week_is_not_called_out_for_last_weeks_commitments(
        leader_client, agency, team, producer, leader):
    from django.utils import timezone

    from accountability.models import WeeklyScorecard
    from salesculture.models import Producer
    from tests.factories import ProducerFactory

    last_week = Week.current(agency).start - dt.timedelta(days=7)
    WeeklyScorecard.objects.create(agency=agency, producer=leader, week_start=last_week,
                                   commitments_total=2, commitments_kept=2,
                                   computed_at=timezone.now())
    Producer.objects.filter(pk=producer.pk).update(
        created_at=timezone.now() - dt.timedelta(days=60))  # here all along, committed nothing
    newcomer = ProducerFactory(agency=agency, team=team, user__first_name="Nora",
                               user__last_name="Newman")  # joined today
    page = leader_client.get(reverse("accountability:team")).content.decode()
    line = re.search(r'No commitments</span>(.*?)</p>', page, re.S).group(1)
    assert producer.name in line
    assert newcomer.name not in line
