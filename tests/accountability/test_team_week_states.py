"""What the board says about a week that is still running, the Monday summary of last week,
the wins feed that follows the chosen week, and the note that tells a producer what they see
of colleagues."""

import datetime as dt
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accountability.models import Celebration, WeeklyScorecard
from accountability.scorecards.presenters import MISSED, OPEN
from accountability.scorecards.selectors import team_scorecard
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import CommitmentFactory, ProducerFactory, activity_type


def card(producer, week, **fields):
    defaults = {"agency": producer.agency, "computed_at": timezone.now()}
    return WeeklyScorecard.objects.create(producer=producer, week_start=week,
                                          **{**defaults, **fields})


def _row(html: str, producer_id: int) -> str:
    match = re.search(rf'<tr[^>]*data-producer="{producer_id}".*?</tr>', html, re.S)
    assert match, f"no row for producer {producer_id}"
    return match.group(0)


def _unmet_calls(producer, week):
    call = activity_type(producer.agency, "Call")
    c = CommitmentFactory(producer=producer, week_start=week, target=10)
    card(producer, week, activity_counts={str(call.pk): 4}, commitment_actuals={str(c.pk): 4},
         commitments_total=1, commitments_kept=0,
         is_final=week < Week.current(producer.agency).start)


def test_an_unmet_commitment_is_not_red_while_the_week_runs(leader_client, agency, leader):
    this_week = Week.current(agency).start
    _unmet_calls(leader, this_week)

    html = leader_client.get(reverse("accountability:team")).content.decode()

    row = _row(html, leader.pk)
    assert "cell cell-open" in row and "4/10" in row
    assert "cell-missed" not in html
    assert "so far" in row  # the cell's title: 4 done of 10 committed so far
    assert "Kept so far" in html and "nothing is missed yet" in html
    assert team_scorecard(actor=leader, week=this_week).rows[0].cells[0].status == OPEN


def test_the_same_shortfall_is_red_once_the_week_is_over(leader_client, agency, leader):
    last_week = Week.current(agency).start - dt.timedelta(weeks=1)
    _unmet_calls(leader, last_week)

    html = leader_client.get(reverse("accountability:team"),
                             {"week": last_week.isoformat()}).content.decode()

    row = _row(html, leader.pk)
    assert "cell cell-missed" in row and "4/10" in row
    assert "✗ missed" in html and "Kept so far" not in html
    assert team_scorecard(actor=leader, week=last_week).totals[0].status == MISSED


def test_this_week_sums_up_last_week_for_a_monday_glance(leader_client, agency, team, leader,
                                                        producer):
    last_week = Week.current(agency).start - dt.timedelta(weeks=1)
    quiet = ProducerFactory(agency=agency, team=team, user__first_name="Quinn",
                            user__last_name="Quiet")
    card(leader, last_week, wins=3, commitments_total=2, commitments_kept=2, is_final=True)
    card(producer, last_week, wins=2, commitments_total=4, commitments_kept=1, is_final=True)
    card(quiet, last_week, wins=0, is_final=True)

    html = leader_client.get(reverse("accountability:team")).content.decode()

    summary = re.search(r'<section class="last-week".*?</section>', html, re.S).group(0)
    assert "final" in summary
    assert "<b>5</b> stage wins" in summary and "<b>3 of 6</b> commitments kept (50%)" in summary
    kept = re.search(r"Kept every commitment</span>(.*?)</p>", summary, re.S).group(1)
    missed = re.search(r"Missed some</span>(.*?)</p>", summary, re.S).group(1)
    none = re.search(r"No commitments</span>(.*?)</p>", summary, re.S).group(1)
    assert leader.name in kept and "2/2" in kept and producer.name not in kept
    assert producer.name in missed and "1/4" in missed and leader.name not in missed
    assert "Quinn Quiet" in none
    most = re.search(r"Most stage wins</span>(.*?)</p>", summary, re.S).group(1)
    assert most.index(leader.name) < most.index(producer.name) and "Quinn Quiet" not in most
    assert "<b>3</b>" in most and "<b>2</b>" in most
    assert f"week={last_week.isoformat()}" in summary

    # a past week shows its own board, without a summary of the week before it
    past = leader_client.get(reverse("accountability:team"),
                             {"week": last_week.isoformat()}).content.decode()
    assert 'class="last-week"' not in past


def test_the_wins_feed_follows_the_chosen_week(leader_client, agency, leader):
    this_week = Week.current(agency).start
    old_week = this_week - dt.timedelta(weeks=3)
    for week, title in ((this_week, "Fresh win this week"), (old_week, "Old win three weeks ago")):
        Celebration.objects.create(
            agency=agency, producer=leader, kind="personal_best", source_key=title,
            week_start=week, title=title,
            occurred_at=timezone.now() - dt.timedelta(days=(this_week - week).days))
    card(leader, old_week, wins=1)
    url = reverse("accountability:team")

    now = leader_client.get(url).content.decode()
    then = leader_client.get(url, {"week": old_week.isoformat()}).content.decode()
    then_feed = leader_client.get(url, {"week": old_week.isoformat()},
                                  HTTP_HX_REQUEST="true", HTTP_HX_TARGET="team-wins")
    far = leader_client.get(url, {"week": "2001-01-01"}).content.decode()

    assert "Fresh win this week" in now and "newest first" in now
    assert "Old win three weeks ago" in then and "Fresh win this week" not in then
    assert f"Wins in the week of {old_week:%b} {old_week.day}" in then
    assert "Old win three weeks ago" in then_feed.content.decode()
    assert "Fresh win this week" not in then_feed.content.decode()
    assert "No wins that week." in far and "Fresh win this week" not in far


def test_a_producer_is_told_calmly_what_they_see_of_colleagues(agency, producer,
                                                              leader_client):
    client = Client()
    login(client, producer)
    html = client.get(reverse("accountability:team")).content.decode()
    note = re.search(r'<p class="board-note" data-testid="producer-view-note".*?</p>', html,
                     re.S).group(0)
    assert "Colleagues' prospects, pipelines and plans stay with them and their leader" in note
    assert reverse("accountability:drilldown", args=[producer.pk]) in note

    assert "producer-view-note" not in leader_client.get(
        reverse("accountability:team")).content.decode()


def test_a_brand_new_agency_gets_a_calm_board(client, agency, owner):
    login(client, owner)
    html = client.get(reverse("accountability:team")).content.decode()
    assert "No numbers yet this week" in html
    assert 'data-testid="leaders-vs-team"' not in html  # no medians of nothing
    assert 'class="last-week"' not in html
    assert "No wins yet." in html
    assert f'data-producer="{owner.pk}"' in html  # everyone who sells is listed, at zero
    total = re.search(r'<tr class="total">.*?</tr>', html, re.S).group(0)
    assert "0/0" not in total


def test_win_icons_are_labelled_svg_not_emoji(leader_client, agency, leader):
    week = Week.current(agency).start
    kinds = (("personal_best", ""), ("streak", ""), ("advance", "Bound! A new client."))
    for kind, detail in kinds:
        Celebration.objects.create(agency=agency, producer=leader, kind=kind, detail=detail,
                                   source_key=f"icon:{kind}", week_start=week,
                                   title=f"{kind} title", occurred_at=timezone.now())
    html = leader_client.get(reverse("accountability:team")).content.decode()
    feed = re.search(r'id="team-wins".*?</ul>', html, re.S).group(0)
    for label in ("Personal best", "Streak of kept weeks", "New client"):
        assert f'role="img" aria-label="{label}"><svg' in feed
    assert not re.search("[\U0001F300-\U0001FAFF]", feed)  # no emoji to fall back to boxes
    assert "Bound! A new client." in feed  # a detail that says something is kept


def test_a_past_weeks_long_feed_folds_after_twelve(leader_client, agency, leader):
    week = Week.current(agency).start - dt.timedelta(weeks=2)
    for n in range(15):
        Celebration.objects.create(
            agency=agency, producer=leader, kind="advance", source_key=f"fold:{n}",
            week_start=week, title=f"Win number {n:02d}",
            occurred_at=timezone.now() - dt.timedelta(days=14, minutes=n))
    card(leader, week, wins=15)

    html = leader_client.get(reverse("accountability:team"),
                             {"week": week.isoformat()}).content.decode()

    feed = re.search(r'id="team-wins".*?</div>', html, re.S).group(0)
    shown, folded = feed.split('<details class="wins-more">')
    assert shown.count('class="win win-advance') == 12 and "Win number 00" in shown
    assert "Show 3 more" in folded and folded.count('class="win win-advance') == 3
    assert "Win number 14" in folded
    assert "the newest" not in html  # all of the week's wins are listed


def test_a_week_with_more_wins_than_listed_says_so(leader_client, agency, leader):
    from accountability.scorecards.selectors import WEEK_FEED_LIMIT

    week = Week.current(agency).start - dt.timedelta(weeks=2)
    for n in range(WEEK_FEED_LIMIT + 5):
        Celebration.objects.create(
            agency=agency, producer=leader, kind="advance", source_key=f"many:{n}",
            week_start=week, title=f"Win {n}", occurred_at=timezone.now())
    card(leader, week, wins=WEEK_FEED_LIMIT + 5)
    html = leader_client.get(reverse("accountability:team"),
                             {"week": week.isoformat()}).content.decode()
    assert f"the newest {WEEK_FEED_LIMIT}</span>" in html
