"""The win rule (pipeline/wins.py) read where people read it: a win is the first time a
prospect reaches a stage; a skip wins every stage it passes; moving back and forth wins nothing
new; a prospect re-opened out of Lost is judged by its high-water mark. The scorecard, my week,
the team board, the funnel, the plan's history and the meeting reel all count the same rows."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accountability.models import WeeklyScorecard
from accountability.planning.funnel import funnel_compute
from accountability.planning.selectors import _weekly_counts
from accountability.scorecards.refresh import scorecards_refresh
from pipeline.models import StageAdvance, StageWin
from pipeline.services import prospect_advance, prospect_create
from salesculture.weeks import Week
from tests.accountability.test_plan_ledger import PATH
from tests.factories import CommitmentFactory, earlier_this_week, stage, where

MOVES = PATH + ["Lost"]


def move(producer, prospect, name, when):
    target = stage(producer.agency, name)
    return prospect_advance(prospect=prospect,
                            expected_stage=where(prospect), to_stage=target, actor=producer,
                            occurred_at=when, lost_reason="Price" if target.is_lost else "")


def moves(producer, names, *, start=None, prospect_name="Acme Roofing"):
    """Create a prospect in Lead, then move it through `names`, a minute apart."""
    start = start or timezone.now() - dt.timedelta(minutes=len(names) + 1)
    prospect = prospect_create(owner=producer, name=prospect_name, occurred_at=start)
    for i, name in enumerate(names, 1):
        move(producer, prospect, name, start + dt.timedelta(minutes=i))
    return prospect


def week_pill(client) -> str:
    html = client.get(reverse("accountability:my_week")).content.decode()
    section = html[html.index('id="week-wins"'):]
    return strip_tags(section[:section.index("</h2>")]).split()[-1]


def test_back_and_forth_is_not_a_new_win(producer_client, producer):
    # Lead → Contacted → Appointment set → Discovery done → Submitted → Proposal: five wins;
    # then back to Contacted and forward to Appointment set again: nothing new.
    moves(producer, PATH[1:6] + ["Contacted", "Appointment set"])
    assert week_pill(producer_client) == "5"
    week = Week.current(producer.agency).start
    scorecards_refresh(agency=producer.agency, week_start=week)  # what the job does on commit
    assert WeeklyScorecard.objects.get(producer=producer, week_start=week).wins == 5
    html = producer_client.get(reverse("accountability:team")).content.decode()
    assert re.search(r'<td class="num wins">5</td>', html)


def test_a_skip_wins_the_stages_it_passes_and_meets_a_commitment_to_reach_one(
        producer_client, producer):
    week = Week.current(producer.agency).start
    CommitmentFactory(producer=producer, week_start=week, kind="stage_wins",
                      stage=stage(producer.agency, "Discovery done"), target=1,
                      activity_type=None)
    moves(producer, ["Appointment set"])
    moves(producer, ["Proposal presented"], prospect_name="Shaw Dental")
    # Lead → Appointment set: 2 wins; Lead → Proposal presented: 5 wins.
    assert week_pill(producer_client) == "7"
    html = producer_client.get(reverse("accountability:commitments") + "?week=this")
    text = " ".join(strip_tags(html.content.decode()).split())
    assert "This week · " in text
    this_week = text[text.index("This week · "):]
    assert re.search(r"1 stage win to Discovery done 1 / 1 ✓ kept", this_week), this_week


def test_binding_a_reopened_prospect_is_a_win_when_bound_was_never_reached(producer_client,
                                                                           producer):
    moves(producer, ["Contacted", "Lost", "Bound"])
    advance = StageAdvance.objects.filter(to_stage__name="Bound").get()
    # Out of Lost to Bound: every stage beyond Contacted is reached for the first time.
    assert advance.wins == 5
    assert week_pill(producer_client) == "6"
    page = producer_client.get(reverse("pipeline:prospect", args=[advance.prospect_id]))
    assert "5 wins" in page.content.decode()


def test_the_move_says_when_it_wins_nothing_new(producer_client, producer):
    prospect = moves(producer, ["Contacted", "Appointment set", "Contacted"])
    response = producer_client.post(
        reverse("pipeline:prospect_advance", args=[prospect.pk]),
        {"to_stage": stage(producer.agency, "Appointment set").pk,
         "expected_stage": stage(producer.agency, "Contacted").pk,
         "next_step": "Send the quote", "definition_confirmed": "on",
         "next_step_due": (timezone.localdate() + dt.timedelta(days=2)).isoformat()},
        follow=True)
    assert "It had been this far before, so no new win." in response.content.decode()


# --- every reader counts the same rows ----------------------------------------------------

@pytest.mark.django_db
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=st.lists(st.sampled_from(MOVES), min_size=1, max_size=12))
def test_every_reader_agrees_and_no_stage_is_won_twice(producer, path):
    # given any sequence of moves of one prospect: forward, back, skips, lost, re-opened
    StageWin.objects.all().delete()
    StageAdvance.objects.all().delete()
    producer.prospects.all().delete()
    # The moves are a minute apart from an hour ago (at most 12 of them), all inside this week.
    start = earlier_this_week(producer.agency, hours=1)
    if timezone.now() - start < dt.timedelta(minutes=13):  # the first minutes of a Monday
        pytest.skip("this week is younger than the moves' 13 minutes")
    prospect = prospect_create(owner=producer, name="Prop", occurred_at=start)
    current = "Lead"
    for i, name in enumerate(path, 1):
        if name != current:
            move(producer, prospect, name, start + dt.timedelta(minutes=i))
            current = name
    agency = producer.agency
    week = Week.current(agency)
    # then the stages won are the path stages beyond Lead the prospect ever reached, once each
    won = list(StageWin.objects.filter(prospect=prospect).values_list("stage__name", flat=True))
    assert len(won) == len(set(won))
    furthest = max(PATH.index(n) for n in ["Lead", *path] if n != "Lost")
    assert sorted(won, key=PATH.index) == PATH[1:furthest + 1]
    assert sum(StageAdvance.objects.filter(prospect=prospect)
               .values_list("wins", flat=True)) == len(won)
    # and the scorecard, the funnel and the plan's weekly history count the same
    card = scorecards_refresh(agency=agency, week_start=week.start)[0]
    assert card.wins == len(won)
    funnel = funnel_compute(agency=agency, start=start - dt.timedelta(minutes=1),
                            end=timezone.now() + dt.timedelta(minutes=1))
    assert {s.name: s.entered for s in funnel.steps if s.entered} == {n: 1 for n in won}
    stages = list(agency.stages.order_by("position"))
    history = _weekly_counts(producer, week.begins - dt.timedelta(weeks=1), week.ends,
                             [s for s in stages if s.kind != "lost"])
    by_name = {s.pk: s.name for s in stages}
    from_history = {by_name[int(key.split(":")[1])]: sum(weeks.values())
                    for key, weeks in history.items() if key.startswith("stage:")}
    # the creation reaches Lead; every other stage counted is a stage won
    assert from_history == {"Lead": 1, **{n: 1 for n in won}}
