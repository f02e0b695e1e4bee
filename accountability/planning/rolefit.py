"""Role fit (principle 3): leaders and owners see, over the last 13 finished weeks, whether a
producer keeps their commitments and advances prospects at the pace of their own plan.

A producer is flagged "conversation recommended" when, in at least ROLE_FIT_WEEKS of those
weeks, BOTH the kept-commitments rate is below ROLE_FIT_KEPT_BELOW and the wins-vs-plan ratio
is below ROLE_FIT_WINS_VS_PLAN_BELOW. A week without commitments counts as none kept. Wins
are the scorecard's forward stage advances (one per move, a skip included); the plan's weekly
wins are those of the stored plan at a steady pace (the whole goal over a working year), in
the same unit: each stage's need is weighted by its win share (see calculator), so a
producer who habitually skips a stage is not measured against wins nobody scores. The steady
pace keeps a catch-up plan late in the year from flagging everyone. Without a plan nobody is
flagged: the page says so.

Three queries whatever the number of producers: people, scorecards, plans. The list reads
only the numbers it judges by (five a card, the plan's pace), so 500 people cost little;
the page shows them a page at a time, flagged people first.
"""

import datetime as dt
from collections import defaultdict
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    FilteredRelation,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.http import Http404

from salesculture.agency_cache import HISTORY, ONE_ON_ONES, PLANS, agency_cached
from salesculture.models import Agency, Producer
from salesculture.selectors import leaders_first, person_name, producers_visible_to
from salesculture.weeks import Week, local_now

from ..models import GoalPlan, OneOnOne, WeeklyScorecard
from .presenters import RoleFit, RoleFitWeek
from .selectors import plan_result_from

ROLE_FIT_SPAN = 13
ROLE_FIT_PAGE_SIZE = 25


def role_fit_rules() -> dict:
    conf = settings.SALESCULTURE
    kept = float(conf.get("ROLE_FIT_KEPT_BELOW", 0.5))
    wins = float(conf.get("ROLE_FIT_WINS_VS_PLAN_BELOW", 0.5))
    return {"kept_below": kept, "wins_below": wins, "kept_below_pct": 100 * kept,
            "wins_below_pct": 100 * wins, "weeks": int(conf.get("ROLE_FIT_WEEKS", 8))}


def role_fit_weeks(agency: Agency, *, span: int = ROLE_FIT_SPAN) -> list[dt.date]:
    """The Mondays of the last `span` finished weeks, oldest first (scorecards are keyed by
    their Monday)."""
    return [week.start for week in Week.current(agency).previous.trailing(span)]


class WeekNumbers(NamedTuple):
    """What role fit reads of a scorecard."""

    week_start: dt.date
    commitments_kept: int
    commitments_total: int
    wins: int


CARD_NUMBERS = list(WeekNumbers._fields)


class Person(NamedTuple):
    """What the role-fit list shows of a person (all of them are read, a page is shown)."""

    pk: int
    name: str
    sells: bool  # everyone listed is active


def assess(producer: Producer, cards: list[WeekNumbers], plan: GoalPlan | None,
           weeks: list[dt.date], conf: dict, *, needed: float | None = None) -> RoleFit:
    """`needed`, the plan's steady pace, when the caller read it already; else from `plan`."""
    if needed is None and plan is not None:
        needed = (plan.pace_wins_per_week if plan.pace_wins_per_week is not None
                  else plan_result_from(plan).pace_wins_per_week)
    fit = RoleFit(producer=producer, wins_needed=needed, plan=plan,
                  threshold_weeks=conf["weeks"])
    by_week = {card.week_start: card for card in cards}
    for week in weeks:
        card = by_week.get(week)
        row = RoleFitWeek(week=week, wins_needed=needed)
        if card is not None:
            row.kept, row.total, row.wins = (card.commitments_kept, card.commitments_total,
                                             card.wins)
        # Said as the database counts them (`_judged`: a product, in floating point), so a
        # threshold like 0.28 draws the line in the same place for the list and the detail.
        row.kept_below = (row.kept < conf["kept_below"] * row.total if row.total
                          else conf["kept_below"] > 0)
        row.wins_below = bool(needed) and row.wins < conf["wins_below"] * needed
        fit.weeks.append(row)
    return fit


def _outcome():
    """The latest decision recorded in a one-on-one with the person ("" for none): read from
    the coaching loop's rows, as a column of the same query."""
    return Subquery(OneOnOne.objects.filter(producer=OuterRef("pk")).exclude(outcome="")
                    .order_by("-held_on", "-id").values("outcome")[:1])


def outcome_label(code: str | None) -> str:
    return OneOnOne.Outcome(code).label if code else ""


def _people(actor: Producer, weeks: list[dt.date]):
    year = local_now(actor.agency).year
    return (producers_visible_to(actor).filter(is_active=True).annotate(outcome=_outcome())
            .prefetch_related(
                Prefetch("scorecards", to_attr="fit_cards",
                         queryset=WeeklyScorecard.objects.filter(week_start__in=weeks)),
                Prefetch("goal_plans", to_attr="fit_plans",
                         queryset=GoalPlan.objects.filter(year=year)))
            .order_by(leaders_first(), "user__first_name", "user__last_name", "pk"))


def _assess_person(person: Producer, weeks: list[dt.date], conf: dict) -> RoleFit:
    """`person` as read by `_people`, with their scorecards and this year's plan attached."""
    plan = person.fit_plans[0] if person.fit_plans else None
    fit = assess(person, person.fit_cards, plan, weeks, conf)
    fit.outcome = outcome_label(person.outcome)
    return fit


def _judged(people, *, agency: Agency, weeks: list[dt.date], year: int, conf: dict):
    """`people` annotated with `wins_needed` (the plan's pace), `flagged_weeks` and `flagged`,
    counted by the database as `assess` counts them in Python (a test holds the two equal):
    a week is below on commitments when fewer than kept_below of them were kept (none made
    counts as none kept), and below on wins when the wins fell short of wins_below × the pace;
    a week without a card is a week of nothing."""
    kept_below, wins_below = conf["kept_below"], conf["wins_below"]
    pace = F("plan__pace_wins_per_week")
    kept_low = Q(card__commitments_kept__lt=_times(kept_below, F("card__commitments_total")))
    if kept_below > 0:
        kept_low |= Q(card__commitments_total=0)
    wins_low = Q(card__wins__lt=_times(wins_below, pace))
    empty_weeks = len(weeks) - Count("card__week_start")
    both_low = Count("card__week_start", filter=kept_low & wins_low)
    return (people.annotate(
                # Said with the agency too, so each reads its (agency, ...) covering index.
                card=FilteredRelation("scorecards", condition=Q(
                    scorecards__agency=agency, scorecards__week_start__in=weeks)),
                plan=FilteredRelation("goal_plans", condition=Q(
                    goal_plans__agency=agency, goal_plans__year=year)))
            .annotate(
                wins_needed=pace,
                flagged_weeks=both_low + empty_weeks if kept_below > 0 and wins_below > 0
                else both_low)
            .annotate(flagged=Case(When(Q(wins_needed__gt=0)
                                        & Q(flagged_weeks__gte=conf["weeks"]), then=True),
                                   default=False, output_field=BooleanField())))


def _times(factor: float, value) -> ExpressionWrapper:
    """`factor` × `value` as a float to PostgreSQL: a bare 0.5 is a numeric there, and numeric
    arithmetic over 500 people's 13 weeks costs more than the float kind."""
    return ExpressionWrapper(Cast(Value(float(factor)), FloatField()) * value,
                             output_field=FloatField())


def role_fit_list(actor: Producer, *, page: str | None) -> tuple[list[RoleFit], Page, int]:
    """Everyone the actor leads (owners: the agency), non-producers included so they can be
    moved back, flagged people first, ROLE_FIT_PAGE_SIZE at a time: the page's people with
    their 13 weeks, the page, and how many are flagged in all. The flags are counted by the
    database, so only the page's people are read in full, however many there are."""
    if not actor.is_leader:
        raise Http404("Leaders only.")
    weeks = role_fit_weeks(actor.agency)
    conf = role_fit_rules()
    year = local_now(actor.agency).year
    # One read of everyone's flag and name (a few numbers each) gives the count, the order
    # and the page; only the page's people are then read in full. The 13 weeks are finished
    # ones, so the read is kept between changes (salesculture/agency_cache.py).
    listing = agency_cached(actor.agency, (HISTORY, PLANS, ONE_ON_ONES),
                            ("role-fit", actor.pk, actor.role, actor.team_id, weeks[-1], year),
                            lambda: _listing(actor, weeks=weeks, year=year, conf=conf))
    flagged_count = sum(1 for row in listing if row[-1])
    shown = Paginator(listing, ROLE_FIT_PAGE_SIZE).get_page(page)
    cards: dict[int, list[WeekNumbers]] = defaultdict(list)
    for pid, *numbers in (WeeklyScorecard.objects
                          .filter(producer__in=[row[0] for row in shown], week_start__in=weeks)
                          .values_list("producer_id", *CARD_NUMBERS).order_by()):
        cards[pid].append(WeekNumbers(*numbers))
    rows = []
    for pk, first, last, username, role, needed, outcome, _ in shown:
        rows.append(assess(Person(pk, person_name(first, last, username),
                                  role != Producer.Role.NON_PRODUCER),
                           cards[pk], None, weeks, conf, needed=needed))
        rows[-1].outcome = outcome_label(outcome)
    return rows, shown, flagged_count


def _listing(actor: Producer, *, weeks: list[dt.date], year: int, conf: dict) -> list[tuple]:
    judged = _judged(producers_visible_to(actor).filter(is_active=True), agency=actor.agency,
                     weeks=weeks, year=year, conf=conf)
    return list(judged.order_by("-flagged", leaders_first(), "user__first_name",
                                "user__last_name", "pk")
                .annotate(outcome=_outcome())
                .values_list("pk", "user__first_name", "user__last_name",
                             "user__username", "role", "wins_needed", "outcome", "flagged"))


def role_fit_flags(people, *, agency: Agency) -> dict[int, int]:
    """{person id: weeks below on both} for the flagged among `people` (a queryset of the
    agency's producers): one query however many, as the list counts its flags."""
    judged = _judged(people, agency=agency, weeks=role_fit_weeks(agency),
                     year=local_now(agency).year, conf=role_fit_rules())
    return dict(judged.filter(flagged=True).values_list("pk", "flagged_weeks"))


def role_fit_from(producer: Producer, cards: dict[dt.date, WeeklyScorecard],
                  plan: GoalPlan | None) -> RoleFit:
    """One person's role fit from their scorecards (by week, the last ROLE_FIT_SPAN finished
    weeks among them) and this year's plan, read already by the page beside it (the
    drill-down): one query, for the latest decision of a one-on-one. The caller has checked
    that the actor may see the person."""
    weeks = role_fit_weeks(producer.agency)
    fit = assess(producer, [cards[week] for week in weeks if week in cards], plan, weeks,
                 role_fit_rules())
    fit.outcome = outcome_label(OneOnOne.objects.filter(producer=producer).exclude(outcome="")
                                .order_by("-held_on", "-id").values_list("outcome", flat=True)
                                .first())
    return fit


def role_fit_get(*, actor: Producer, producer_id) -> RoleFit:
    """One person's role fit; a producer (or anyone not leading that person) gets a 404."""
    if not actor.is_leader:
        raise Http404("Leaders only.")
    weeks = role_fit_weeks(actor.agency)
    try:
        person = _people(actor, weeks).get(pk=int(producer_id))
    except (Producer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such producer.") from None
    return _assess_person(person, weeks, role_fit_rules())
