"""The same producer-week shows the same number of wins on every page (found walking the full
demo: the meeting's reel said "81 wins in all" where the team scorecard said 78 stage wins,
because it counted kept-week and personal-best celebrations as wins)."""

import datetime as dt
import re

from django.urls import reverse

from accountability.meetings.agenda import position_key
from accountability.meetings.services import meeting_move, meeting_start
from accountability.models import Celebration, Commitment, WeeklyScorecard
from salesculture.weeks import Week
from tests.accountability.test_meeting_reel_and_late_turns import celebrate, wins
from tests.factories import CommitmentFactory


def test_the_meeting_reel_counts_stage_wins_as_the_team_scorecard_does(
        leader_client, agency, team, leader, producer):
    last_week = Week.current(agency).start - dt.timedelta(days=7)
    # given 14 stage wins and a week where every commitment was kept (one more celebration)
    wins(producer, last_week, 14, to="Contacted")
    CommitmentFactory(producer=producer, week_start=last_week, kind=Commitment.Kind.STAGE_WINS,
                      activity_type=None, target=3)
    celebrate(agency, last_week)
    assert Celebration.objects.filter(week_start=last_week, kind="kept_week").exists()
    card = WeeklyScorecard.objects.get(producer=producer, week_start=last_week)
    assert card.wins == 14  # what the team scorecard, the drill-down and the turn show

    meeting = meeting_start(team=team, week_start=last_week, actor=leader)
    page = leader_client.get(reverse("accountability:meeting", args=[meeting.pk])).content.decode()
    count = re.search(r'class="reel-count">([^<]*)<', page).group(1)
    assert "14 stage wins and 1 more celebration" in count
    # the wall of all wins: 14 stage wins, the kept week apart
    wall = None
    for _ in range(20):
        meeting_move(meeting=meeting, actor=leader, direction="next", seen=position_key(meeting))
        meeting.refresh_from_db()
        html = leader_client.get(reverse("accountability:meeting", args=[meeting.pk])).content
        if b'id="wins-wall"' in html:
            wall = html.decode()
            break
    assert wall, "the reel never reached the wall"
    assert "All 14 stage wins and 1 more celebration" in wall
    row = re.search(rf"<th scope=\"row\">{producer.name}</th>(.*?)</tr>", wall).group(1)
    assert re.search(r'class="num wall-total">(\d+)<', row).group(1) == "14"
