"""Text built from names must fit its column. SQLite does not enforce a varchar length;
PostgreSQL does, and one long name used to break a whole week's refresh (or a TV link)."""

import datetime as dt

from django.utils import timezone

from accountability.meetings.kiosk import kiosk_link_create
from accountability.models import Celebration, KioskLink
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import Week
from tests.factories import ProducerFactory, TeamFactory, stage, where


def test_a_win_by_a_long_name_on_a_long_prospect_is_celebrated_within_the_title_column(
        agency, team):
    producer = ProducerFactory(agency=agency, team=team, user__first_name="F" * 150,
                               user__last_name="L" * 150)
    prospect = prospect_create(owner=producer, name="P" * 120, estimated_revenue=5000)
    prospect_advance(prospect=prospect,
                     expected_stage=where(prospect), to_stage=stage(agency, "Appointment set"),
                     actor=producer, next_step="Meet",
                     next_step_due=timezone.localdate() + dt.timedelta(days=2))
    scorecards_refresh(agency=agency, week_start=Week.current(agency).start)

    title = Celebration.objects.get(producer=producer).title
    limit = Celebration._meta.get_field("title").max_length
    assert len(title) <= limit
    assert title.startswith("F" * 40) and title.endswith("…")


def test_a_tv_link_for_a_team_with_an_80_character_name_gets_a_label_that_fits(agency):
    long_team = TeamFactory(agency=agency, name="T" * 80)
    leader = ProducerFactory(agency=agency, team=long_team, role="leader")

    link = kiosk_link_create(team=long_team, actor=leader)

    assert len(link.label) <= KioskLink._meta.get_field("label").max_length
    assert KioskLink.objects.get(pk=link.pk).label.startswith("T" * 70)
