"""Week rollover with the clock at Monday 00:05 in the agency's own zone: last week is closed
exactly once even when beat fires twice, and the digests go out once with the right numbers."""

import datetime as dt
import zoneinfo
from unittest import mock

import pytest
from django.core import mail

from accountability.models import WeekClosure
from accountability.tasks import close_finished_weeks, send_weekly_digests
from tests.factories import (
    ActivityFactory,
    AgencyFactory,
    CommitmentFactory,
    ProducerFactory,
    ProspectFactory,
    StageAdvanceFactory,
    TeamFactory,
    stage,
)

LAST_WEEK = dt.date(2026, 11, 16)
THIS_WEEK = dt.date(2026, 11, 23)


def frozen(moment: dt.datetime):
    # django.utils.timezone.now is Django's, not ours: freezing it is the clock, not a mock
    # of our code.
    return mock.patch("django.utils.timezone.now", return_value=moment.astimezone(dt.UTC))


@pytest.mark.parametrize("zone", ["America/Chicago", "Asia/Tokyo", "Europe/Berlin"])
@pytest.mark.django_db
def test_monday_0005_closes_last_week_once_and_sends_each_digest_once(
        zone, django_capture_on_commit_callbacks):
    # given: an agency in `zone`, set up last Monday morning, with a producer who kept one of
    # two commitments last week
    with frozen(dt.datetime.combine(LAST_WEEK, dt.time(9), tzinfo=zoneinfo.ZoneInfo(zone))):
        agency = AgencyFactory(time_zone=zone)
        team = TeamFactory(agency=agency, name="North")
        pat = ProducerFactory(agency=agency, team=team, user__username="pat",
                              user__first_name="Pat", user__last_name="Producer")
        ProducerFactory(agency=agency, team=team, role="leader", user__username="lee",
                        user__first_name="Lee", user__last_name="Leader")
        ProducerFactory(agency=agency, team=team, digest_enabled=False, user__username="quiet")
    tz = agency.tz
    wednesday = dt.datetime.combine(LAST_WEEK + dt.timedelta(days=2), dt.time(10), tzinfo=tz)
    CommitmentFactory(producer=pat, week_start=LAST_WEEK, target=10)  # 10 calls
    CommitmentFactory(producer=pat, week_start=LAST_WEEK, kind="stage_wins", target=2)
    CommitmentFactory(producer=pat, week_start=THIS_WEEK, target=20)
    ActivityFactory(producer=pat, quantity=12, occurred_at=wednesday)
    # Sunday 23:30 local still belongs to last week, whatever UTC says
    sunday_night = wednesday + dt.timedelta(days=4, hours=13, minutes=30)
    ActivityFactory(producer=pat, quantity=1, occurred_at=sunday_night)
    prospect = ProspectFactory(owner=pat, name="Acme Roofing")
    StageAdvanceFactory(prospect=prospect, to_stage=stage(agency, "Contacted"),
                        occurred_at=wednesday + dt.timedelta(hours=2))

    # when: beat fires at 00:05 local on Monday, twice
    with frozen(dt.datetime.combine(THIS_WEEK, dt.time(0, 5), tzinfo=tz)):
        with django_capture_on_commit_callbacks(execute=True):
            close_finished_weeks()
        with django_capture_on_commit_callbacks(execute=True):
            close_finished_weeks()

    # then: last week closed once, one digest each for Pat and Lee (not for "quiet")
    closure = WeekClosure.objects.get(agency=agency, week_start=LAST_WEEK)
    assert WeekClosure.objects.filter(agency=agency, week_start=LAST_WEEK).count() == 1
    mine = list(mail.outbox)
    assert sorted(m.to[0] for m in mine) == ["lee@example.com", "pat@example.com"]
    assert closure.digests_sent == 2

    pat_mail = next(m for m in mine if m.to == ["pat@example.com"])
    assert pat_mail.subject == "Your week of Nov 16: 1 stage win, 1/2 commitments kept"
    text = pat_mail.body
    assert "Stage wins: 1" in text and "Activities: 13" in text
    assert "[KEPT] 10 × Call — 13 of 10" in text
    assert "[MISSED] 2 stage wins — 1 of 2" in text
    assert "Pat Producer moved Acme Roofing to Contacted" in text
    assert "  - 20 × Call" in text  # next week's commitment, no nudge
    assert "not set next week's commitments" not in text
    html, mime = pat_mail.alternatives[0]
    assert mime == "text/html" and "13 of 10" in html and "1/2" in html

    lee_mail = next(m for m in mine if m.to == ["lee@example.com"])
    assert "team North: 1 stage win" in lee_mail.subject
    assert "Pat Producer: 1 win, 13 activities, 1/2 kept" in lee_mail.body
    assert "You have not set next week's commitments yet" in lee_mail.body  # the nudge
    assert "Set my commitments" in lee_mail.alternatives[0][0]

    # and a late duplicate of the digest task sends nothing
    assert send_weekly_digests(agency.pk, LAST_WEEK.isoformat()) == 0
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_before_0005_local_last_week_is_not_closed_and_nothing_is_sent(
        django_capture_on_commit_callbacks):
    agency = AgencyFactory(time_zone="Asia/Tokyo")
    ProducerFactory(agency=agency)
    with (frozen(dt.datetime.combine(THIS_WEEK, dt.time(0, 4), tzinfo=agency.tz)),
          django_capture_on_commit_callbacks(execute=True)):
        close_finished_weeks()
    assert not WeekClosure.objects.filter(agency=agency, week_start=LAST_WEEK).exists()
    # the job closed the week before instead (its own catch-up), and digested that one
    assert all("Nov 16" not in m.subject for m in mail.outbox)
