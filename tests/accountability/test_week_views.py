import datetime as dt
import html as html_lib

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from accountability.commitments.selectors import WeekTally
from accountability.models import WeeklyScorecard
from accountability.week.selectors import comparison
from pipeline.models import Activity, Prospect
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import Week
from tests.conftest import login
from tests.factories import (
    ActivityFactory,
    CommitmentFactory,
    ConfidenceCheckInFactory,
    ProducerFactory,
    activity_type,
    stage,
    where,
)
from tests.pages import my_week_seen
from tests.queries import queries_of

WEEK = reverse("accountability:my_week")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def plain(response) -> str:
    return " ".join(html_lib.unescape(strip_tags(response.content.decode())).split())


def today(agency):
    return timezone.now().astimezone(agency.tz).date()


def test_my_week_shows_the_why_at_the_top(producer_client, producer):
    producer.why = "For my daughter's college fund."
    producer.save()
    html = text(producer_client.get(WEEK))
    assert html.index("For my daughter's college fund.") < html.index("Log in one tap")


def test_my_week_includes_the_confidence_prompt_with_its_context(producer_client, producer):
    check_in = ConfidenceCheckInFactory(producer=producer)
    # Below the fold: it comes with the part htmx asks for when it scrolls into view.
    response = producer_client.get(reverse("accountability:week_more"),
                                   headers={"HX-Request": "true"})
    assert response.context["check_in"] == check_in
    assert response.context["week"] == Week.current(producer.agency).start
    assert "accountability/confidence/_week_prompt.html" in [t.name for t in response.templates]
    assert "components/wins_feed.html" in [t.name for t in response.templates]


def test_commitment_progress_bars_count_this_weeks_ledger(producer_client, producer):
    call = activity_type(producer.agency, "Call")
    CommitmentFactory(producer=producer, activity_type=call, target=10)
    CommitmentFactory(producer=producer, kind="stage_wins", target=1)
    ActivityFactory(producer=producer, activity_type=call, quantity=4)
    acme = prospect_create(owner=producer, name="Acme Roofing")
    prospect_advance(prospect=acme,
                     expected_stage=where(acme),
                     to_stage=stage(producer.agency, "Contacted"), actor=producer,
                     next_step="Call", next_step_due=today(producer.agency))
    html = text(producer_client.get(WEEK))
    assert "10 × Call" in html and "4 / 10" in html
    assert "1 stage win" in html and "1 / 1" in html
    assert html.count("✓ kept") == 1


def test_quick_log_shows_one_button_per_active_type_with_this_weeks_count(producer_client,
                                                                          producer):
    email = activity_type(producer.agency, "Email")
    email.is_active = False
    email.save()
    ActivityFactory(producer=producer, activity_type=activity_type(producer.agency, "Call"),
                    quantity=3)
    # Last week's calls do not count this week.
    ActivityFactory(producer=producer, activity_type=activity_type(producer.agency, "Call"),
                    occurred_at=timezone.now() - dt.timedelta(days=8))
    response = producer_client.get(WEEK)
    quick = {q["type"].name: q["count"] for q in response.context["quick"]}
    assert "Email" not in quick
    assert quick["Call"] == 3
    tokens = [q["token"] for q in response.context["quick"]]
    assert len(set(tokens)) == len(tokens)


def test_next_steps_due_are_coloured_by_urgency(producer_client, producer):
    day = today(producer.agency)
    lead = stage(producer.agency, "Lead")
    for name, due in [("Later Co", day + dt.timedelta(days=3)), ("Today Co", day),
                      ("Overdue Co", day - dt.timedelta(days=2)), ("Nothing Co", None)]:
        Prospect.objects.create(agency=producer.agency, owner=producer, name=name, stage=lead,
                                stage_entered_at=timezone.now(), next_step="Call" if due else "",
                                next_step_due=due)
    response = producer_client.get(WEEK)
    rows = [(p.name, p.due_state) for p in response.context["next_steps"]]
    assert rows == [("Today Co", "today"), ("Overdue Co", "overdue"),
                    ("Nothing Co", "none"), ("Later Co", "later")]
    html = text(response)
    assert 'class="next-step due-overdue"' in html and 'class="next-step due-none"' in html
    assert "1 overdue" in html and "1 today" in html and "1 unscheduled" in html


def test_the_most_urgent_next_steps_come_first_and_the_rest_fold_away(producer_client,
                                                                      producer):
    day = today(producer.agency)
    lead = stage(producer.agency, "Lead")
    Prospect.objects.bulk_create(
        Prospect(agency=producer.agency, owner=producer, name=f"Overdue {i:02}", stage=lead,
                 stage_entered_at=timezone.now(), next_step="Call",
                 next_step_due=day - dt.timedelta(days=1)) for i in range(15))
    page = plain(producer_client.get(WEEK))
    html = page[page.index("Next steps due"):page.index("This week’s commitments")]
    # The summary counts every open prospect, not only the twelve listed.
    assert "15 overdue" in html
    assert html.index("Overdue 04") < html.index("7 more next steps") < html.index("Overdue 05")
    assert "Overdue 11" in html and "Overdue 12" not in html
    assert "All 15 open prospects on the board" in html


def test_a_phone_sees_quick_log_and_next_steps_before_the_rest(producer_client, producer):
    page = text(producer_client.get(WEEK))
    order = [page.index(marker) for marker in (
        'id="quick-log"', 'id="next-steps"', 'id="week-commitments"', 'id="week-wins"',
        'id="week-compare"', 'id="week-more"')]
    assert order == sorted(order)
    # The rest (the detailed log form, confidence, production, celebrations) is not in the
    # page a phone paints first; it comes when scrolled to, in the same order.
    assert 'id="confidence-prompt"' not in page and 'id="log-form"' not in page
    seen = text(my_week_seen(producer_client))
    order = [seen.index(marker) for marker in (
        'id="week-wins"', 'id="week-compare"', 'id="log-form"', 'id="confidence-prompt"',
        'Recent celebrations')]
    assert order == sorted(order)


def test_this_weeks_wins_are_listed(producer_client, producer):
    acme = prospect_create(owner=producer, name="Acme Roofing")
    prospect_advance(prospect=acme,
                     expected_stage=where(acme),
                     to_stage=stage(producer.agency, "Contacted"), actor=producer,
                     next_step="Call", next_step_due=today(producer.agency))
    assert "Acme Roofing → Contacted" in plain(producer_client.get(WEEK))


def test_a_win_is_labelled_with_its_local_day(producer_client, producer):
    """An evening win in Chicago is the next day in UTC; the feed says the local day."""
    tz = producer.agency.tz
    now = timezone.now().astimezone(tz)
    evening = now.replace(hour=18, minute=30) if now.hour >= 19 else (
        now - dt.timedelta(days=1)).replace(hour=20, minute=0)
    if evening.date() < Week.current(producer.agency).start:
        pytest.skip("Monday before 7 pm: no evening of this week has passed yet")
    acme = prospect_create(owner=producer, name="Acme Roofing", occurred_at=evening)
    prospect_advance(prospect=acme,
                     expected_stage=where(acme),
                     to_stage=stage(producer.agency, "Contacted"), actor=producer,
                     next_step="Call", next_step_due=today(producer.agency), occurred_at=evening)
    assert f"Acme Roofing → Contacted {evening:%a}" in plain(producer_client.get(WEEK))


def test_many_wins_show_the_latest_five_and_fold_the_rest(producer_client, producer):
    contacted = stage(producer.agency, "Contacted")
    for i in range(7):
        prospect = prospect_create(owner=producer, name=f"Win {i}")
        prospect_advance(prospect=prospect,
                         expected_stage=where(prospect), to_stage=contacted, actor=producer,
                         next_step="Call", next_step_due=today(producer.agency))
    html = plain(producer_client.get(WEEK))
    assert "This week’s wins 7" in html
    # Newest first: the two oldest are behind "2 more wins".
    assert html.index("Win 6 → Contacted") < html.index("2 more wins") < html.index("Win 1 →")


def test_the_week_is_compared_with_the_last_four_scorecards(producer_client, producer):
    week = Week.current(producer.agency).start
    for weeks_back, (activities, wins) in enumerate([(20, 1), (30, 2), (40, 3), (50, 2)], 1):
        WeeklyScorecard.objects.create(
            agency=producer.agency, producer=producer,
            week_start=week - dt.timedelta(weeks=weeks_back),
            activities_total=activities, wins=wins, computed_at=timezone.now())
    # A fifth week back is not part of the comparison.
    WeeklyScorecard.objects.create(agency=producer.agency, producer=producer,
                                   week_start=week - dt.timedelta(weeks=5),
                                   activities_total=1000, wins=50, computed_at=timezone.now())
    ActivityFactory(producer=producer, quantity=12)
    # The page says the week's numbers at once; the comparison comes with the part below.
    assert "This week so far: 12 activities and 0 wins." in plain(producer_client.get(WEEK))
    html = plain(my_week_seen(producer_client))
    assert "This week so far: 12 activities and 0 wins." in html
    assert "By this point of the week your last 4 weeks averaged" in html
    assert "(whole weeks: 35 and 2)" in html


def test_the_comparison_is_made_at_the_same_point_of_earlier_weeks(producer):
    agency = producer.agency  # Chicago; daylight saving ended on Sunday Nov 1, 2026
    week = dt.date(2026, 11, 16)
    thursday_2pm = dt.datetime(2026, 11, 19, 14, 0, tzinfo=agency.tz)
    for weeks_back in range(1, 5):
        WeeklyScorecard.objects.create(
            agency=agency, producer=producer, week_start=week - dt.timedelta(weeks=weeks_back),
            activities_total=100, wins=8, computed_at=timezone.now())

    def at(day, hour, minute=0, quantity=1):
        ActivityFactory(producer=producer, quantity=quantity,
                        occurred_at=dt.datetime(2026, *day, hour, minute, tzinfo=agency.tz))

    at((11, 11), 10, quantity=10)   # Wed before the point: counted
    at((11, 13), 10, quantity=30)   # the Friday after: not
    at((11, 5), 13, 59, quantity=6)  # Thursday 1:59 pm: counted
    at((11, 5), 14, 1, quantity=100)  # Thursday 2:01 pm: not
    at((10, 29), 13, 30, quantity=4)  # 1:30 pm daylight time (this week is standard): counted
    acme = prospect_create(owner=producer, name="Acme Roofing",
                           occurred_at=dt.datetime(2026, 11, 9, 9, 0, tzinfo=agency.tz))
    prospect_advance(prospect=acme,
                     expected_stage=where(acme),
                     to_stage=stage(agency, "Contacted"), actor=producer,
                     occurred_at=dt.datetime(2026, 11, 10, 9, 0, tzinfo=agency.tz),
                     next_step="Call", next_step_due=dt.date(2026, 11, 12))
    ledger = WeekTally(counts={1: 5}, wins_by_stage={})
    result = comparison(producer, week, ledger, now=thursday_2pm)
    # 20/4, and 1/4 = 0.25 rounded half up as every page reads it (issue 10, #9)
    assert (result["pace_activities"], result["pace_wins"]) == (5.0, 0.3)
    assert (result["avg_activities"], result["avg_wins"]) == (100, 8)
    assert result["activities_ahead"] is True and result["wins_ahead"] is False


def test_no_history_says_so(producer_client):
    assert "No earlier weeks to compare with yet." in text(my_week_seen(producer_client))


def test_anonymous_is_sent_to_log_in(client):
    response = client.get(WEEK)
    assert response.status_code == 302 and "/login/" in response["Location"]


def _fill(producer, prospects, activities):
    lead = stage(producer.agency, "Lead")
    day = today(producer.agency)
    Prospect.objects.bulk_create(
        Prospect(agency=producer.agency, owner=producer, name=f"P{i}", stage=lead,
                 stage_entered_at=timezone.now(), next_step="Call",
                 next_step_due=day + dt.timedelta(days=i % 5 - 2)) for i in range(prospects))
    types = list(producer.agency.activity_types.all())
    Activity.objects.bulk_create(
        Activity(agency=producer.agency, producer=producer, activity_type=types[i % len(types)],
                 occurred_at=timezone.now() - dt.timedelta(minutes=i))
        for i in range(activities))


def _history(producer, activities):
    """Four earlier weeks on the board, with activities spread over them."""
    week = Week.current(producer.agency).start
    for weeks_back in range(1, 5):
        WeeklyScorecard.objects.get_or_create(
            agency=producer.agency, producer=producer,
            week_start=week - dt.timedelta(weeks=weeks_back),
            defaults={"activities_total": 10, "wins": 1, "computed_at": timezone.now()})
    types = list(producer.agency.activity_types.all())
    Activity.objects.bulk_create(
        Activity(agency=producer.agency, producer=producer, activity_type=types[0],
                 occurred_at=timezone.now() - dt.timedelta(days=7, hours=i % 500))
        for i in range(activities))


def test_my_week_query_count_does_not_grow_with_data(producer_client, producer):
    CommitmentFactory(producer=producer)
    _fill(producer, 5, 5)
    _history(producer, 5)
    more = reverse("accountability:week_more")

    def below():
        return producer_client.get(more, headers={"HX-Request": "true"})

    small, small_below = queries_of(producer_client.get, WEEK), queries_of(below)
    _fill(producer, 195, 495)
    _history(producer, 500)
    for _ in range(5):
        CommitmentFactory(producer=producer, kind="specific")
    ProducerFactory(agency=producer.agency)
    large, large_below = queries_of(producer_client.get, WEEK), queries_of(below)
    assert small == large and large <= 15
    assert small_below == large_below and large_below <= 13
    print(f"my week queries: {large}, below the fold: {large_below}")


def test_without_javascript_the_rest_of_the_week_is_a_link_away(producer_client, producer):
    ConfidenceCheckInFactory(producer=producer)
    page = text(producer_client.get(WEEK))
    assert '<a href="?whole=1#week-more">The rest of my week</a>' in page
    whole = text(producer_client.get(WEEK, {"whole": "1"}))
    assert 'id="log-form"' in whole and "Confidence this week" in whole
    assert "Recent celebrations" in whole and "week-more-wait" not in whole
    # The part alone is for htmx; a plain request for it lands on the whole page there.
    response = producer_client.get(reverse("accountability:week_more"))
    assert response.status_code == 302 and response["Location"] == f"{WEEK}?whole=1#week-more"


def test_the_part_below_the_fold_is_the_producers_own(client, producer):
    """It takes no one's id: whoever asks gets their own week (a colleague's check-in and
    celebrations never show), and someone signed out is sent to log in."""
    colleague = ProducerFactory(agency=producer.agency, team=producer.team)
    ConfidenceCheckInFactory(producer=colleague, note="colleague's private note")
    login(client, producer)
    html = text(client.get(reverse("accountability:week_more"), headers={"HX-Request": "true"}))
    assert "colleague's private note" not in html and 'id="confidence-prompt"' in html
    client.logout()
    response = client.get(reverse("accountability:week_more"), headers={"HX-Request": "true"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_log_form_errors_do_not_leak_into_the_check_in_prompt(producer_client, producer):
    # The confidence prompt reads its own `form`; the activity form travels as `log_form`.
    response = producer_client.post(reverse("accountability:week_log"), {
        "detail": "1", "activity_type": activity_type(producer.agency).pk, "quantity": "0",
        "note": "typed note"})
    html = text(response)
    assert html.count('value="typed note"') == 1
    assert "Enter a quantity between 1 and 500." in html


def test_the_log_form_offers_open_and_recently_closed_prospects_and_accepts_any_own(
        producer_client, producer):
    """Years of closed prospects would make the list (and the page) ever longer: it offers
    the open ones and those closed in the last two weeks, saying where they ended, yet a
    prospect closed long ago can still be logged against."""
    agency = producer.agency
    now = timezone.now()
    open_one = prospect_create(owner=producer, name="Open Oak", stage=stage(agency, "Lead"))
    for name, days in (("Recent Rowan", 3), ("Old Olive", 40)):
        closed = prospect_create(owner=producer, name=name, stage=stage(agency, "Lead"),
                                 occurred_at=now - dt.timedelta(days=days + 1))
        prospect_advance(prospect=closed, expected_stage=where(closed),
                         to_stage=stage(agency, "Lost"), actor=producer, lost_reason="Price",
                         occurred_at=now - dt.timedelta(days=days))
    page = text(my_week_seen(producer_client))
    assert f'value="{open_one.pk}">Open Oak</option>' in page
    assert "Recent Rowan (Lost)" in page
    assert "Old Olive" not in page
    old = Prospect.objects.get(name="Old Olive")
    producer_client.post(reverse("accountability:week_log"), {
        "detail": "1", "activity_type": activity_type(agency).pk, "quantity": "2",
        "prospect": old.pk, "client_token": "old-olive"})
    assert Activity.objects.get(prospect=old).quantity == 2
