"""A half is rounded up wherever a person reads it: my week's average of 0.25 wins a week
read 0.2 (Python's round) while the plan's 0.25 read 0.3 (floatformat)."""

from django.utils import timezone
from django.utils.html import strip_tags

from accountability.models import WeeklyScorecard
from salesculture.weeks import Week
from tests.pages import my_week_seen


def test_my_weeks_average_of_a_quarter_win_reads_0_3(producer_client, producer):
    # given four earlier weeks on the board: one win and 9 activities in all
    week = Week.current(producer.agency)
    for back, (wins, activities) in enumerate([(1, 3), (0, 2), (0, 2), (0, 2)], 1):
        WeeklyScorecard.objects.create(
            agency=producer.agency, producer=producer, week_start=week.shift(-back).start,
            wins=wins, activities_total=activities, computed_at=timezone.now())
    # when the producer opens their week
    html = my_week_seen(producer_client).content.decode()
    text = " ".join(strip_tags(html).split())
    # then 9 ÷ 4 = 2.25 reads 2.3 and 1 ÷ 4 = 0.25 reads 0.3 (half up), not 2.2 and 0.2
    assert "(whole weeks: 2.3 and 0.3)" in text, text[text.find("whole weeks") - 200:][:400]
