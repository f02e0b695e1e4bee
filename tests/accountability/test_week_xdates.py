"""My week's "X-dates coming" and the meeting's X-dates in the next 30 days (issue 15): who is
listed, next to what, with which follow-up; scoped to the producer or the team; a fixed number
of queries however many prospects there are."""

import datetime as dt
import html as html_lib
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.meetings.services import meeting_start
from accountability.models import Commitment, Meeting
from pipeline.models import Prospect
from pipeline.services import prospect_create
from pipeline.xdates import agency_today
from salesculture.weeks import Week
from tests.factories import ProducerFactory, stage
from tests.queries import queries_of

WEEK = reverse("accountability:my_week")


def text(response) -> str:
    return html_lib.unescape(response.content.decode())


def renewing(owner, name, away, *, due_in=None, **details):
    today = agency_today(owner.agency)
    return prospect_create(
        owner=owner, name=name, next_step="Call" if due_in is not None else "",
        next_step_due=today + dt.timedelta(days=due_in) if due_in is not None else None,
        details={"x_date": today + dt.timedelta(days=away), **details})


def x_dates_section(html: str) -> str:
    """The strip's HTML; "" when it is not shown (nothing to list)."""
    parts = html.split('data-testid="x-dates"')
    return parts[1].split("</section>")[0] if len(parts) > 1 else ""


def test_my_week_lists_x_dates_coming_next_to_the_next_steps(producer_client, producer):
    renewing(producer, "Ava Hart", 60)  # made first, listed last: soonest X-date first
    renewing(producer, "Harbor Bakery", 30, phone="312 555 0142", current_carrier="Travelers",
             current_premium=18400)
    renewing(producer, "Lopez Family", 45, due_in=50)  # the next step comes after the renewal
    renewing(producer, "Acted On", 30, due_in=3)
    renewing(producer, "Far Off", 90)
    renewing(ProducerFactory(agency=producer.agency), "A colleague's", 30)
    html = text(producer_client.get(WEEK))
    section = x_dates_section(html)
    assert [name for name in ("Harbor Bakery", "Lopez Family", "Ava Hart") if name in section] \
        == ["Harbor Bakery", "Lopez Family", "Ava Hart"]
    assert section.index("Harbor Bakery") < section.index("Lopez Family") < section.index(
        "Ava Hart")
    assert "Acted On" not in section and "Far Off" not in section
    assert "A colleague's" not in section
    flat = " ".join(section.split())
    assert "· 30 days" in flat and "Travelers · $18,400" in flat  # its title, on hover
    assert flat.count('no next step">') == 2  # Harbor Bakery and Ava Hart
    assert flat.count("next step after it") == 1  # Lopez's comes after the renewal
    # Unscheduled, Harbor Bakery is also a next-steps row, with its phone to tap.
    assert 'href="tel:3125550142"' in html.split('id="next-steps"')[1]
    # Next to "due today": inside "Next steps due", under its pills, before the rows.
    steps = html.split('id="next-steps"')[1]
    assert steps.index('data-testid="x-dates"') < steps.index('class="feed"')


def test_a_done_next_step_inside_the_window_takes_it_off_the_list(producer_client, producer):
    prospect = renewing(producer, "Harbor Bakery", 30)
    assert "Harbor Bakery" in x_dates_section(text(producer_client.get(WEEK)))
    Prospect.objects.filter(pk=prospect.pk).update(
        next_step="Send the quote", next_step_due=agency_today(producer.agency))
    assert "Harbor Bakery" not in x_dates_section(text(producer_client.get(WEEK)))


def test_my_week_query_count_does_not_grow_with_x_dates(producer_client, producer):
    def fill(n, start):
        today = agency_today(producer.agency)
        Prospect.objects.bulk_create(
            Prospect(agency=producer.agency, owner=producer, name=f"P{start + i}",
                     stage=stage(producer.agency, "Lead"), stage_entered_at=timezone.now(),
                     phone="312 555 0100", x_date=today + dt.timedelta(days=i % 61))
            for i in range(n))
    fill(3, 0)
    # A first look keeps the morning list's team wins (salesculture/agency_cache.py), as for
    # every look after it: the two measured looks read alike.
    producer_client.get(WEEK)
    small = queries_of(producer_client.get, WEEK)
    fill(200, 3)
    large = queries_of(producer_client.get, WEEK)
    assert small == large
    assert "+193 more" in x_dates_section(text(producer_client.get(WEEK)))  # 203, ten shown


# --- the meeting's pipeline health ---------------------------------------------------------------

@pytest.fixture
def meeting(team, producer, leader, agency):
    meeting = meeting_start(team=team, week_start=Week.current(agency).start - dt.timedelta(
        days=7), actor=leader)
    Meeting.objects.filter(pk=meeting.pk).update(section="pipeline", version=meeting.version + 1)
    return meeting


def meeting_xdates(html: str) -> str:
    return html.split('data-testid="meeting-xdates"')[1].split("</ul>")[0]


def test_the_meeting_lists_x_dates_in_30_days_with_one_click_follow_up(leader_client, meeting,
                                                                       producer, other_producer):
    renewing(producer, "Zeta Roofing", 20)  # made first, listed after: same day, by name
    soon = renewing(producer, "Harbor Bakery", 20)
    renewing(producer, "Ava Hart", 45)  # in its window, but not within 30 days
    renewing(producer, "Acted On", 10, due_in=2)
    renewing(other_producer, "Other agency's", 10)
    renewing(ProducerFactory(agency=producer.agency), "Another team's", 10)
    page = meeting_xdates(text(leader_client.get(reverse("accountability:meeting",
                                                         args=[meeting.pk]))))
    assert "Harbor Bakery" in page and "20 days" in page
    assert page.index("Harbor Bakery") < page.index("Zeta Roofing")
    for absent in ("Ava Hart", "Acted On", "Other agency's", "Another team's"):
        assert absent not in page
    follow = leader_client.post(reverse("accountability:meeting_follow_up", args=[meeting.pk]),
                                {"prospect": soon.pk}, HTTP_HX_REQUEST="true")
    assert follow.status_code == 200
    commitment = Commitment.objects.get()
    assert (commitment.producer, commitment.prospect) == (producer, soon)
    assert commitment.text.startswith("Harbor Bakery: quote before the X-date")
    assert "✓ follow-up committed" in meeting_xdates(text(follow))
    again = leader_client.post(reverse("accountability:meeting_follow_up", args=[meeting.pk]),
                               {"prospect": soon.pk}, HTTP_HX_REQUEST="true")
    assert "already has a follow-up" in json.loads(again["HX-Trigger"])["toast"]["text"]
    assert Commitment.objects.count() == 1


def test_the_meetings_pipeline_query_count_does_not_grow_with_x_dates(leader_client, meeting,
                                                                      producer):
    url = reverse("accountability:meeting", args=[meeting.pk])
    renewing(producer, "First", 10)
    small = queries_of(leader_client.get, url)
    for i in range(40):
        renewing(producer, f"P{i}", i % 30)
    large = queries_of(leader_client.get, url)
    assert small == large
