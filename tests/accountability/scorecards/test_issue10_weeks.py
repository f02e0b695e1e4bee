"""Issue 10, the weeks: no week closed, carded or digested from before the agency (or the
person) existed (#4); every week missed by a beat outage closed in order, once (#5); a closed
week's coverage frozen at close (#10); the personal-best title following the week's count
(#1). Each case is built through the services with the clock at the moments it describes, and
read off the pages (and emails) a person reads it on."""

import datetime as dt
import re
import zoneinfo
from contextlib import contextmanager
from decimal import Decimal
from unittest import mock

import pytest
from django.core import mail
from django.urls import reverse

from accountability.models import Celebration, Commitment, WeekClosure, WeeklyScorecard
from accountability.tasks import close_finished_weeks
from pipeline.services import activity_log, prospect_advance, prospect_create
from salesculture.services import producer_update_profile
from tests.conftest import login
from tests.factories import (
    AgencyFactory,
    CommitmentFactory,
    ProducerFactory,
    StageAdvanceFactory,
    TeamFactory,
    activity_type,
    stage,
    where,
)
from tests.pages import my_week_seen

pytestmark = pytest.mark.django_db

CHICAGO = zoneinfo.ZoneInfo("America/Chicago")


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=CHICAGO)


def monday(month: int, day: int) -> dt.date:
    result = dt.date(2026, month, day)
    assert result.weekday() == 0
    return result


OCT_26, NOV_2, NOV_9 = monday(10, 26), monday(11, 2), monday(11, 9)
NOV_16, NOV_23, NOV_30 = monday(11, 16), monday(11, 23), monday(11, 30)


@pytest.fixture
def clock(django_capture_on_commit_callbacks):
    """`with clock(moment):` the agency's clock reads `moment` (django.utils.timezone.now is
    Django's, so freezing it is the clock, not a mock of our code), and work queued on commit
    (the scorecard refresh, the digests) runs when the block ends, as the worker would."""

    @contextmanager
    def at_moment(moment: dt.datetime):
        with (mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC)),
              django_capture_on_commit_callbacks(execute=True)):
            yield

    return at_moment


def person(agency, team, username: str, first: str, last: str, **kwargs):
    return ProducerFactory(agency=agency, team=team, user__username=username,
                           user__first_name=first, user__last_name=last, **kwargs)


def calls(producer, quantity: int, when: dt.datetime | None = None) -> None:
    activity_log(producer=producer, activity_type=activity_type(producer.agency),
                 quantity=quantity, occurred_at=when)


def win(producer, name: str) -> None:
    """A new prospect moved on to Contacted: one stage win, now."""
    prospect = prospect_create(owner=producer, name=name)
    prospect_advance(prospect=prospect,
                     expected_stage=where(prospect), to_stage=stage(producer.agency, "Contacted"),
                     actor=producer)


def page(client, viewer, url: str) -> str:
    client.logout()
    login(client, viewer)
    # My week's production card is below the fold: read it as it is seen once scrolled.
    response = (my_week_seen(client) if url == reverse("accountability:my_week")
                else client.get(url))
    assert response.status_code == 200
    return response.content.decode()


def drilldown(client, viewer, producer, week: dt.date | None = None) -> str:
    url = reverse("accountability:drilldown", args=[producer.pk])
    return page(client, viewer, url + (f"?week={week.isoformat()}" if week else ""))


def week_row(html: str, label: str) -> str | None:
    """The drill-down's week-by-week row for the week labelled `label` ("Nov 16")."""
    found = re.search(rf'<th scope="row">{label}( <span[^>]*>open</span>)?</th>(.*?)</tr>',
                      html, re.S)
    return found.group(2) if found else None


def cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row,
                                                                    re.S)]


def mails_to(producer) -> list:
    return [m for m in mail.outbox if m.to == [producer.user.email]]


# --- #4 weeks from before the agency or the person existed ------------------------------------

def test_a_new_agency_gets_no_closed_week_no_zero_cards_and_no_digest(clock):
    # given: an agency set up on Monday at midnight, with a leader and a producer
    with clock(at(NOV_23, 0, 0)):
        agency = AgencyFactory()
        team = TeamFactory(agency=agency, name="North")
        pat = person(agency, team, "pat", "Pat", "Producer")
        lee = person(agency, team, "lee", "Lee", "Leader", role="leader")

    # when: the week-close job runs five minutes later, and again later that day
    for moment in (at(NOV_23, 0, 5), at(NOV_23, 15)):
        with clock(moment):
            close_finished_weeks()

    # then: last week, which ended before the agency existed, is not closed, nobody has a
    # scorecard for it and nobody got a digest "Your week of Nov 16: 0 stage wins"
    assert not WeekClosure.objects.filter(agency=agency).exists()
    assert not WeeklyScorecard.objects.filter(agency=agency, week_start=NOV_16).exists()
    assert mail.outbox == []

    # and: the agency's first week closes the next Monday, with one digest each for it
    with clock(at(NOV_23, 11)):
        calls(pat, 3)
    with clock(at(NOV_30, 0, 5)):
        close_finished_weeks()
        close_finished_weeks()
    assert list(WeekClosure.objects.filter(agency=agency)
                .values_list("week_start", flat=True)) == [NOV_23]
    assert [m.subject for m in mails_to(pat)] == [
        "Your week of Nov 23: 0 stage wins, no commitments"]
    assert "Activities: 3" in mails_to(pat)[0].body
    assert len(mails_to(lee)) == 1


def test_someone_who_joined_after_a_week_gets_no_card_digest_or_average_for_it(client, clock):
    # given: an agency since Monday Nov 9; Pat sells
    with clock(at(NOV_9, 9)):
        agency = AgencyFactory()
        team = TeamFactory(agency=agency, name="North")
        pat = person(agency, team, "pat", "Pat", "Producer")
        lee = person(agency, team, "lee", "Lee", "Leader", role="leader")
    with clock(at(NOV_9 + dt.timedelta(days=2))):
        calls(pat, 5)
    # Nora joins on Monday 00:02, between the end of the week and its close at 00:05
    with clock(at(NOV_16, 0, 2)):
        nora = person(agency, team, "nora", "Nora", "Newman")
    with clock(at(NOV_16, 0, 5)):
        close_finished_weeks()
    # Pat logs a call late for that closed week (the scorecards of Nov 9 are refreshed again)
    with clock(at(NOV_16, 9)):
        calls(pat, 1, when=at(NOV_9 + dt.timedelta(days=6), 18))
    # Nora's first week: 4 calls on Tuesday; the next week 1 call on Tuesday
    with clock(at(NOV_16 + dt.timedelta(days=1))):
        calls(nora, 4)
    with clock(at(NOV_23, 0, 5)):
        close_finished_weeks()
    with clock(at(NOV_23 + dt.timedelta(days=1))):
        calls(nora, 1)

    # then: no scorecard, and no digest, for a week that ended before Nora joined
    assert not WeeklyScorecard.objects.filter(producer=nora, week_start=NOV_9).exists()
    assert [m.subject for m in mails_to(nora)] == [
        "Your week of Nov 16: 0 stage wins, no commitments"]
    assert [m.subject for m in mails_to(pat)] == [
        "Your week of Nov 9: 0 stage wins, no commitments",
        "Your week of Nov 16: 0 stage wins, no commitments"]
    nov_9_digest = mails_to(lee)[0]
    assert "Pat Producer: 0 wins, 5 activities" in nov_9_digest.body
    assert "Nora" not in nov_9_digest.body  # not on the team table of a week before her

    with clock(at(NOV_23 + dt.timedelta(days=3), 12)):
        # my week: the last weeks' average counts only Nov 16 (4 calls), not a Nov 9 of zeros
        mine = page(client, nora, reverse("accountability:my_week"))
        compare = re.sub(r"\s+", " ", re.search(r'<p id="week-compare".*?</p>', mine,
                                                re.S).group(0))
        assert "your last 1 week averaged" in compare
        assert "(whole weeks: 4 and 0)" in compare
        # the drill-down: no row, and no bar of zeros, for Nov 9
        html = drilldown(client, lee, nora)
        assert week_row(html, "Nov 9") is None
        assert cells(week_row(html, "Nov 16"))[:2] == ["4", "0"]
        assert "<title>Nov 9: no scorecard</title>" in html
        assert "<title>Nov 16: 4</title>" in html
        # while Pat's Nov 9 stays on his: 6 calls with the late one
        assert cells(week_row(drilldown(client, lee, pat), "Nov 9"))[:2] == ["6", "0"]


# --- #5 weeks missed by a beat outage ----------------------------------------------------------

def test_weeks_missed_while_beat_was_down_close_in_order_once_each(client, clock):
    # given: an agency since Oct 26; Pat keeps a "5 calls" commitment in each of the three
    # weeks from Nov 2, and beat is down from before the first close until Nov 23
    with clock(at(OCT_26, 9)):
        agency = AgencyFactory()
        team = TeamFactory(agency=agency, name="North")
        pat = person(agency, team, "pat", "Pat", "Producer")
        lee = person(agency, team, "lee", "Lee", "Leader", role="leader")
    for week in (NOV_2, NOV_9, NOV_16):
        CommitmentFactory(producer=pat, week_start=week, target=5)
        with clock(at(week + dt.timedelta(days=2))):
            calls(pat, 6)

    # when: beat is back on Monday Nov 23 00:05, and fires twice
    with clock(at(NOV_23, 0, 5)):
        close_finished_weeks()
    state = (list(WeekClosure.objects.values_list("week_start", "closed_at", "digests_sent")),
             list(Celebration.objects.values_list("source_key", "title")),
             list(Commitment.objects.values_list("status", "actual")), len(mail.outbox))
    with clock(at(NOV_23, 0, 10)):
        close_finished_weeks()

    # then: the four finished weeks are closed, oldest first, once each
    closures = list(WeekClosure.objects.filter(agency=agency).order_by("pk")
                    .values_list("week_start", flat=True))
    assert closures == [OCT_26, NOV_2, NOV_9, NOV_16]
    assert sorted(Commitment.objects.values_list("status", "actual")) == [("kept", 6)] * 3
    assert all(WeeklyScorecard.objects.filter(producer=pat).values_list("is_final", flat=True))
    # judged in order, so Nov 16 makes a streak of three kept weeks
    streak = "Pat Producer: 3 weeks in a row with every commitment kept"
    assert Celebration.objects.filter(title=streak, week_start=NOV_16).count() == 1
    # one digest per person per week, in order
    assert [m.subject for m in mails_to(pat)] == [
        "Your week of Oct 26: 0 stage wins, no commitments",
        "Your week of Nov 2: 0 stage wins, 1/1 commitments kept",
        "Your week of Nov 9: 0 stage wins, 1/1 commitments kept",
        "Your week of Nov 16: 0 stage wins, 1/1 commitments kept"]
    assert len(mails_to(lee)) == 4
    assert streak in mails_to(pat)[-1].body and streak in mails_to(lee)[-1].body
    # and the second run changed nothing
    assert state == (
        list(WeekClosure.objects.values_list("week_start", "closed_at", "digests_sent")),
        list(Celebration.objects.values_list("source_key", "title")),
        list(Commitment.objects.values_list("status", "actual")), len(mail.outbox))

    with clock(at(NOV_23, 9)):
        team_page = page(client, lee, reverse("accountability:team") + f"?week={NOV_16}")
        assert streak in team_page
        html = drilldown(client, lee, pat)
        assert streak in html
        for label in ("Nov 2", "Nov 9", "Nov 16"):
            assert cells(week_row(html, label))[:3] == ["6", "0", "1/1"]
        assert html.count('<span class="pill pill-good">kept</span>') == 3


def test_the_catch_up_reaches_back_a_year_at_most(clock):
    with clock(at(monday(1, 5), 9) - dt.timedelta(weeks=60)):
        agency = AgencyFactory()
    with clock(at(NOV_23, 0, 5)):
        close_finished_weeks()
    closed = list(WeekClosure.objects.filter(agency=agency).order_by("week_start")
                  .values_list("week_start", flat=True))
    assert len(closed) == 52
    assert (closed[0], closed[-1]) == (NOV_16 - dt.timedelta(weeks=51), NOV_16)


def test_history_imported_from_before_the_agency_is_closed_but_digested_to_nobody(clock):
    # given: an agency set up on Nov 16 whose ledger was imported with a move from Nov 4
    with clock(at(NOV_16, 9)):
        agency = AgencyFactory()
        pat = ProducerFactory(agency=agency)
        StageAdvanceFactory(prospect__owner=pat, occurred_at=at(NOV_2 + dt.timedelta(days=2)))
    with clock(at(NOV_23, 0, 5)):
        close_finished_weeks()
    # the weeks it records are closed, with Pat's card for the imported win, but nobody is
    # sent a digest for weeks from before they joined
    assert list(WeekClosure.objects.filter(agency=agency).order_by("week_start")
                .values_list("week_start", flat=True)) == [NOV_2, NOV_9, NOV_16]
    assert WeeklyScorecard.objects.get(producer=pat, week_start=NOV_2).wins == 1
    assert [m.subject for m in mail.outbox] == [
        "Your week of Nov 16: 0 stage wins, no commitments"]


# --- #10 a closed week's coverage --------------------------------------------------------------

def test_a_closed_weeks_coverage_stays_what_it_was_at_close(client, clock):
    # given: Pat (goal $120,000: a quarter is $30,000) with $45,900 open at the end of Nov 16
    with clock(at(NOV_9, 9)):
        agency = AgencyFactory()
        team = TeamFactory(agency=agency, name="North")
        pat = person(agency, team, "pat", "Pat", "Producer")
        lee = person(agency, team, "lee", "Lee", "Leader", role="leader")
    with clock(at(NOV_16 + dt.timedelta(days=1))):
        prospect_create(owner=pat, name="Shaw Dental", estimated_revenue=Decimal("45900"))
        calls(pat, 2)
    with clock(at(NOV_23, 0, 5)):
        close_finished_weeks()
    # when: the goal is cut to $49,355 (a quarter: $12,338.75), then a call is logged late
    # for last week, which refreshes the closed week
    with clock(at(NOV_23, 9)):
        producer_update_profile(producer=pat, why=pat.why, annual_goal=Decimal("49355"),
                                digest_enabled=True)
        calls(pat, 1, when=at(NOV_16 + dt.timedelta(days=6), 17))
        calls(pat, 1)

    # then: Nov 16 keeps its coverage from the close (1.53×) and takes the late call; the
    # running week follows today's goal (3.72×)
    with clock(at(NOV_23, 10)):
        html = drilldown(client, lee, pat)
    closed = cells(week_row(html, "Nov 16"))
    assert closed[0] == "3" and closed[5] == "1.53×"
    assert cells(week_row(html, "Nov 23"))[5] == "3.72×"
    assert WeeklyScorecard.objects.get(producer=pat, week_start=NOV_16).is_final


# --- #1 the personal-best title -------------------------------------------------------------

def test_the_personal_best_title_follows_the_weeks_count_everywhere(client, clock):
    # given: Pat's best week so far is Nov 9, with 2 stage wins
    with clock(at(NOV_2, 9)):
        agency = AgencyFactory()
        team = TeamFactory(agency=agency, name="North")
        pat = person(agency, team, "pat", "Pat", "Producer")
        lee = person(agency, team, "lee", "Lee", "Leader", role="leader")
    for n in range(2):
        with clock(at(NOV_9 + dt.timedelta(days=1), 10 + n)):
            win(pat, f"Early {n}")
    with clock(at(NOV_16, 0, 5)):
        close_finished_weeks()
    # when: 3 wins from Tuesday to Thursday of the week of Nov 16
    for n in range(3):
        with clock(at(NOV_16 + dt.timedelta(days=1 + n))):
            win(pat, f"Client {n}")
    three = "Personal best: Pat Producer has 3 stage wins this week"
    four = "Personal best: Pat Producer has 4 stage wins this week"
    my_week, team, drill = (reverse("accountability:my_week"), reverse("accountability:team"),
                            reverse("accountability:drilldown", args=[pat.pk]))
    with clock(at(NOV_16 + dt.timedelta(days=3), 15)):
        for viewer, url in ((pat, my_week), (lee, team), (lee, drill)):
            assert three in page(client, viewer, url)
    # and a fourth on Friday
    with clock(at(NOV_16 + dt.timedelta(days=4))):
        win(pat, "Client 3")

    # then: every page says 4, none 3
    with clock(at(NOV_16 + dt.timedelta(days=4), 15)):
        for viewer, url in ((pat, my_week), (lee, team), (pat, team), (lee, drill)):
            html = page(client, viewer, url)
            assert four in html and three not in html, (viewer, url)
    # and so do the digests of the week
    with clock(at(NOV_23, 0, 5)):
        close_finished_weeks()
    pat_digest, lee_digest = mails_to(pat)[-1], mails_to(lee)[-1]
    assert pat_digest.subject == "Your week of Nov 16: 4 stage wins, no commitments"
    for message in (pat_digest, lee_digest):
        assert f"* {four}" in message.body and three not in message.body
        assert four in message.alternatives[0][0]
    assert Celebration.objects.filter(kind="personal_best", week_start=NOV_16).count() == 1
    # dated at the win that first set it, the third (the feed orders celebrations by it)
    best = Celebration.objects.get(kind="personal_best", week_start=NOV_16)
    assert best.occurred_at == at(NOV_16 + dt.timedelta(days=3))
