"""The drill-down's commitments never show an ended week as still open."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from accountability.models import WeeklyScorecard
from salesculture.weeks import Week
from tests.factories import CommitmentFactory, activity_type


def test_an_ended_week_not_yet_judged_shows_kept_or_missed_not_open(leader_client, agency,
                                                                   producer):
    this_week = Week.current(agency).start
    last_week = this_week - dt.timedelta(weeks=1)
    # given: last week's commitments still OPEN (the rollover has not run), this week's too
    short = CommitmentFactory(producer=producer, week_start=last_week, target=10)
    # (one target per activity type and week: the second is for emails)
    enough = CommitmentFactory(producer=producer, week_start=last_week, target=3,
                               activity_type=activity_type(agency, "Email"))
    running = CommitmentFactory(producer=producer, week_start=this_week, target=10)
    for week, actuals in ((last_week, {str(short.pk): 4, str(enough.pk): 3}),
                          (this_week, {str(running.pk): 4})):
        WeeklyScorecard.objects.create(agency=agency, producer=producer, week_start=week,
                                       commitment_actuals=actuals, computed_at=timezone.now())

    html = leader_client.get(reverse("accountability:drilldown", args=[producer.pk])).content
    html = html.decode()

    # then: last week reads missed (4 of 10) and kept (3 of 3); this week is still open
    assert html.count("commitment-missed") == 1 and html.count("commitment-kept") == 1
    assert html.count("commitment-open") == 1
