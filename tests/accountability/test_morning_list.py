"""Issue 15 item 6: the morning list. Emailed (opt-in) once per producer per working day at
the hour they chose in their agency's zone, by an idempotent beat job; never on a closed day;
the same list heads My week."""

import datetime as dt
import html as html_lib
import re
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from accountability.tasks import send_morning_list, send_morning_lists
from accountability.week.morning import morning_list
from salesculture.models import MorningListSent
from tests.conftest import login
from tests.factories import (
    AgencyFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
)
from tests.queries import counting

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
LOS_ANGELES = zoneinfo.ZoneInfo("America/Los_Angeles")
TUESDAY = dt.date(2026, 12, 1)


def at(day: dt.date, hour: int, minute: int, tz) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def beat_at(moment: dt.datetime) -> list[str]:
    """Runs the beat job at that moment; returns to whom the new emails went."""
    before = len(mail.outbox)
    with time_machine.travel(moment, tick=False):
        send_morning_lists.apply()
    return sorted(m.to[0] for m in mail.outbox[before:])


def opted_in(agency, *, hour: int = 7, **kwargs):
    return ProducerFactory(agency=agency, morning_list_enabled=True, morning_list_hour=hour,
                           **kwargs)


@pytest.fixture
def two_zones(db):
    east = AgencyFactory(name="East", time_zone="America/New_York")
    west = AgencyFactory(name="West", time_zone="America/Los_Angeles")
    return opted_in(east, user__email="nia@east.test"), opted_in(west, user__email="lou@west.test")


def test_each_producer_gets_one_at_their_hour_in_their_own_zone(two_zones):
    east, west = two_zones

    assert beat_at(at(TUESDAY, 6, 59, NEW_YORK)) == []
    assert beat_at(at(TUESDAY, 7, 0, NEW_YORK)) == ["nia@east.test"]  # 04:00 in Los Angeles
    assert beat_at(at(TUESDAY, 6, 59, LOS_ANGELES)) == []
    assert beat_at(at(TUESDAY, 7, 0, LOS_ANGELES)) == ["lou@west.test"]
    # Later runs of the same morning send nothing more.
    assert beat_at(at(TUESDAY, 7, 5, LOS_ANGELES)) == []
    assert beat_at(at(TUESDAY, 8, 30, LOS_ANGELES)) == []
    assert set(MorningListSent.objects.values_list("producer_id", "local_date")) == {
        (east.pk, TUESDAY), (west.pk, TUESDAY)}
    # The next working day is a new day.
    assert beat_at(at(TUESDAY + dt.timedelta(days=1), 7, 0, NEW_YORK)) == ["nia@east.test"]


def test_running_the_job_twice_sends_nothing_more(two_zones):
    east, _ = two_zones
    moment = at(TUESDAY, 7, 0, NEW_YORK)
    assert beat_at(moment) == ["nia@east.test"]
    assert beat_at(moment) == []
    with time_machine.travel(moment, tick=False):
        # The per-producer task queued twice (a redelivered message) claims nothing the 2nd time.
        assert send_morning_list.apply(args=[east.pk, TUESDAY.isoformat()]).get() is False
    assert len(mail.outbox) == 1 and MorningListSent.objects.count() == 1


def test_the_hour_is_the_producers_own(db):
    agency = AgencyFactory(time_zone="America/New_York")
    opted_in(agency, hour=9, user__email="late@east.test")
    assert beat_at(at(TUESDAY, 7, 0, NEW_YORK)) == []
    assert beat_at(at(TUESDAY, 8, 59, NEW_YORK)) == []
    assert beat_at(at(TUESDAY, 9, 0, NEW_YORK)) == ["late@east.test"]


def test_a_beat_that_was_down_catches_up_the_same_morning_but_not_in_the_afternoon(two_zones):
    assert beat_at(at(TUESDAY, 15, 0, NEW_YORK)) == []  # too late for a morning list
    assert beat_at(at(TUESDAY, 8, 40, LOS_ANGELES)) == ["lou@west.test"]


def test_never_on_a_closed_weekday_or_a_closed_date(two_zones):
    east, west = two_zones
    saturday = dt.date(2026, 12, 5)
    assert beat_at(at(saturday, 7, 0, NEW_YORK)) == []
    assert beat_at(at(saturday, 7, 0, LOS_ANGELES)) == []

    east.agency.closed_dates = [TUESDAY.isoformat()]  # a holiday in the East only
    east.agency.save()
    assert beat_at(at(TUESDAY, 7, 0, NEW_YORK)) == []
    assert beat_at(at(TUESDAY, 7, 0, LOS_ANGELES)) == ["lou@west.test"]

    west.agency.closed_weekdays = [0, 1, 2, 3, 4, 5]  # opens on Sundays only
    west.agency.save()
    sunday = dt.date(2026, 12, 6)
    assert beat_at(at(sunday, 7, 0, LOS_ANGELES)) == ["lou@west.test"]
    assert MorningListSent.objects.filter(local_date=saturday).count() == 0


def test_opted_out_and_inactive_people_get_nothing(db):
    agency = AgencyFactory(time_zone="America/New_York")
    ProducerFactory(agency=agency, user__email="no@east.test")  # never opted in
    opted_in(agency, user__email="gone@east.test", is_active=False)
    opted_in(agency, user__email="")
    assert beat_at(at(TUESDAY, 7, 0, NEW_YORK)) == []
    assert MorningListSent.objects.count() == 0


def test_the_email_lists_todays_steps_overdue_xdates_and_the_teams_wins(db):
    agency = AgencyFactory(time_zone="America/New_York")
    north, south = TeamFactory(agency=agency, name="North"), TeamFactory(agency=agency)
    nia = opted_in(agency, team=north, user__email="nia@east.test", user__first_name="Nia")
    tia = ProducerFactory(agency=agency, team=north, user__first_name="Tia")
    sam = ProducerFactory(agency=agency, team=south, user__first_name="Sam")
    with time_machine.travel(at(TUESDAY - dt.timedelta(days=1), 15, 0, NEW_YORK), tick=False):
        ProspectFactory(owner=nia, name="Acme Roofing", next_step="Call about the quote",
                        next_step_due=TUESDAY)
        ProspectFactory(owner=nia, name="Birch Dental", next_step="Send the proposal",
                        next_step_due=TUESDAY - dt.timedelta(days=3))
        ProspectFactory(owner=nia, name="Cedar Farm", next_step="Later", next_step_due=TUESDAY
                        + dt.timedelta(days=2))
        ProspectFactory(owner=nia, name="Dune Homes", x_date=TUESDAY + dt.timedelta(days=60),
                        current_carrier="Old Mutual")
        ProspectFactory(owner=nia, name="Elm Autos", x_date=TUESDAY + dt.timedelta(days=61))
        StageAdvanceFactory(prospect=ProspectFactory(owner=tia, name="Tia's Secret Client"))
        StageAdvanceFactory(prospect=ProspectFactory(owner=sam, name="Sam's Client"))

    assert beat_at(at(TUESDAY, 7, 0, NEW_YORK)) == ["nia@east.test"]

    message = mail.outbox[-1]
    assert message.subject == ("Your morning list for Tuesday December 1: 1 next step today, "
                               "1 overdue, 1 X-date open")
    body = message.body
    assert "Acme Roofing: Call about the quote" in body
    assert "Birch Dental: Send the proposal (due Nov 28)" in body
    assert "Dune Homes: X-date Jan 30, Old Mutual" in body
    assert "YESTERDAY’S WINS" in body and "Tia First" not in body
    assert "Tia" in body and "moved a prospect to Contacted" in body
    for absent in ("Cedar Farm", "Elm Autos", "Secret Client", "Sam"):
        assert absent not in body, absent
    [(html, kind)] = message.alternatives
    assert kind == "text/html"
    assert "Acme Roofing" in html and "Dune Homes" in html and "Tia's Secret" not in html
    assert "http://" in html and "/week/" in html


def test_mondays_list_counts_the_teams_wins_since_friday(db):
    agency = AgencyFactory(time_zone="America/New_York")
    nia = opted_in(agency, user__email="nia@east.test")
    friday, monday = dt.date(2026, 12, 4), dt.date(2026, 12, 7)
    with time_machine.travel(at(friday, 16, 0, NEW_YORK), tick=False):
        StageAdvanceFactory(prospect=ProspectFactory(owner=nia, name="Friday Win"))
    with time_machine.travel(at(monday, 7, 0, NEW_YORK), tick=False):
        listed = morning_list(nia)
    assert listed.wins_label == "Wins since Friday"
    assert [w.prospect_name for w in listed.team_wins] == ["Friday Win"]


def test_a_mail_server_away_rolls_the_claim_back_so_the_retry_sends_once(two_zones, settings):
    east, _ = two_zones
    settings.EMAIL_BACKEND = f"{__name__}.MailServerDown"
    with time_machine.travel(at(TUESDAY, 7, 0, NEW_YORK), tick=False), pytest.raises(OSError):
        send_morning_list.apply(args=[east.pk, TUESDAY.isoformat()], throw=True,
                                retries=send_morning_list.max_retries)
    assert MorningListSent.objects.count() == 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert beat_at(at(TUESDAY, 7, 5, NEW_YORK)) == ["nia@east.test"]


class MailServerDown:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("connection refused")


# --- the same list at the top of My week ----------------------------------------------------

def text(response) -> str:
    return " ".join(html_lib.unescape(response.content.decode()).split())


def test_my_week_opens_with_the_same_list(client, producer, team):
    today = dt.datetime.now(producer.agency.tz).date()
    ProspectFactory(owner=producer, name="Acme Roofing", next_step="Call about the quote",
                    next_step_due=today)
    ProspectFactory(owner=producer, name="Dune Homes", x_date=today + dt.timedelta(days=60))
    login(client, producer)

    page = text(client.get(reverse("accountability:my_week")))

    morning = page[page.index('id="morning-list"'):]
    morning = " ".join(re.sub(r"<[^>]+>", " ", morning[:morning.index("</details>")]).split())
    assert "This morning 1 today · 1 X-date open" in morning  # the folded line
    assert "Next steps today (1)" in morning and "Acme Roofing — Call about the quote" in morning
    assert "X-date windows open" in morning and "Dune Homes" in morning
    assert "Email me this list each morning" in morning
    # It heads the page: before the week's title and its next steps.
    assert page.index('id="morning-list"') < page.index("<h1>Week of")


def test_the_list_is_a_fixed_number_of_queries(producer, team):
    teammate = ProducerFactory(agency=producer.agency, team=team)
    yesterday = dt.datetime.now(producer.agency.tz) - dt.timedelta(days=1)
    today = dt.datetime.now(producer.agency.tz).date()

    def add(n):
        for _ in range(n):
            ProspectFactory(owner=producer, next_step_due=today, x_date=today
                            + dt.timedelta(days=60))
            StageAdvanceFactory(prospect=ProspectFactory(owner=teammate), occurred_at=yesterday)

    add(1)
    with counting() as small:
        morning_list(producer)
    add(15)
    with counting() as large:
        listed = morning_list(producer)
    assert len(small.queries) == len(large.queries) == 3
    assert listed.summary == "16 today · 10 X-dates open · 10+ team wins"
    assert listed.due_today_count == 16 and listed.due_today_more == 16 - len(listed.due_today)


# --- where it is asked for, and where the closed days are set ---------------------------------

def test_a_producer_opts_in_and_picks_the_hour(client, producer):
    login(client, producer)
    url = reverse("accountability:morning_settings")
    assert "The morning list" in text(client.get(url))
    assert url in text(client.get(reverse("profile")))

    response = client.post(url, {"enabled": "on", "hour": "6"})

    assert response.status_code == 302
    producer.refresh_from_db()
    assert producer.morning_list_enabled and producer.morning_list_hour == 6
    refused = client.post(url, {"enabled": "", "hour": "24"})
    assert refused.status_code == 400 and "Choose an hour from the list." in text(refused)
    producer.refresh_from_db()
    assert producer.morning_list_enabled and producer.morning_list_hour == 6


def test_the_owner_marks_closed_weekdays_and_holidays(client, owner, agency):
    login(client, owner)
    url = reverse("settings_agency")
    form = {"name": agency.name, "time_zone": agency.time_zone, "working_weeks_per_year": 48,
            "meeting_weekday": 0, "meeting_minutes": 30}
    page = text(client.get(url))
    assert "Closed dates (holidays)" in page and 'value="5" checked' in page.replace(
        ' id="id_closed_weekdays_5"', "")

    refused = client.post(url, {**form, "closed_weekdays": ["6"],
                                "closed_dates": "2026-12-25 Christmas\nnext friday"})
    assert refused.status_code == 400
    assert "Line 2: “next” is not a date" in text(refused)
    agency.refresh_from_db()
    assert agency.closed_weekdays == [5, 6] and agency.closed_dates == []

    saved = client.post(url, {**form, "closed_weekdays": ["6"],
                              "closed_dates": "2026-12-25 Christmas\n2026-01-01\n\n2026-12-25"})
    assert saved.status_code == 302
    agency.refresh_from_db()
    assert agency.closed_weekdays == [6]
    assert agency.closed_dates == ["2026-01-01", "2026-12-25"]
    assert "2026-01-01\n2026-12-25" in html_lib.unescape(client.get(url).content.decode())


def test_my_weeks_x_dates_are_in_the_order_the_list_alone_gives_them(db):
    """My week reads the X-dates once for both of its lists; the morning list drawn from that
    read is the one its own query gives, in the same order: the database sorts both, so the
    names sort by its collation either way (a sort in Python went by code point)."""
    from accountability.week.morning import xdates_opened
    from pipeline.selectors import xdates_near

    nia = ProducerFactory(agency=AgencyFactory(time_zone="America/New_York"))
    x_date = TUESDAY + dt.timedelta(days=60)
    for name in ("Beech Farm", "alder Homes", "Cedar Works", "ash Roofing"):
        ProspectFactory(owner=nia, name=name, x_date=x_date)
    since = TUESDAY - dt.timedelta(days=1)
    alone = xdates_opened(nia, since=since, today=TUESDAY)
    shared = xdates_opened(nia, since=since, today=TUESDAY,
                           near=xdates_near(nia, today=TUESDAY))
    assert len(alone) == 4
    assert [p.name for p in shared] == [p.name for p in alone]
