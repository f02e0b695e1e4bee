"""Role fit (principle 3): leaders and owners see, over the last 13 finished weeks, whether a
producer keeps their commitments and advances prospects at the pace of their own plan.

A producer is flagged "conversation recommended" when, in at least ROLE_FIT_WEEKS of those
weeks, BOTH the kept-commitments rate is below ROLE_FIT_KEPT_BELOW and the wins-vs-plan ratio
is below ROLE_FIT_WINS_VS_PLAN_BELOW. A week without commitments counts as none kept. Wins
are the scorecard's forward stage advances (one per move, a skip included); the plan's weekly
wins are those of the stored plan at a steady pace (the whole goal over a working year), in
the same unit: each stage's need is weighted by its win share (see selectors.plan), so a
producer who habitually skips a stage is not measured against wins nobody scores. The steady
pace keeps a catch-up plan late in the year from flagging everyone. Without a plan nobody is
flagged: the page says so.

Three queries whatever the number of producers: people, scorecards, plans.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404

from salesculture.models import Producer
from salesculture.selectors import leaders_first, producers_visible_to
from salesculture.weeks import Week, local_now

from ..models import GoalPlan, WeeklyScorecard
from .selectors import plan_result_from

ROLE_FIT_SPAN = 13


def role_fit_rules() -> dict:
    conf = settings.SALESCULTURE
    kept = float(conf.get("ROLE_FIT_KEPT_BELOW", 0.5))
    wins = float(conf.get("ROLE_FIT_WINS_VS_PLAN_BELOW", 0.5))
    return {"kept_below": kept, "wins_below": wins, "kept_below_pct": 100 * kept,
            "wins_below_pct": 100 * wins, "weeks": int(conf.get("ROLE_FIT_WEEKS", 8))}


@dataclass
class RoleFitWeek:
    week: dt.date
    kept: int = 0
    total: int = 0
    wins: int = 0
    wins_needed: float | None = None
    kept_below: bool = False
    wins_below: bool = False

    @property
    def kept_rate(self) -> float:
        return self.kept / self.total if self.total else 0.0

    @property
    def kept_pct(self) -> float:
        return 100 * self.kept_rate

    @property
    def wins_vs_plan(self) -> float | None:
        return self.wins / self.wins_needed if self.wins_needed else None

    @property
    def wins_vs_plan_pct(self) -> float | None:
        ratio = self.wins_vs_plan
        return None if ratio is None else 100 * ratio

    @property
    def both_below(self) -> bool:
        return self.kept_below and self.wins_below


@dataclass
class RoleFit:
    producer: Producer
    weeks: list[RoleFitWeek] = field(default_factory=list)
    wins_needed: float | None = None
    plan: GoalPlan | None = None
    threshold_weeks: int = 8

    @property
    def flagged_weeks(self) -> list[RoleFitWeek]:
        return [w for w in self.weeks if w.both_below]

    @property
    def assessed(self) -> bool:
        return self.wins_needed is not None and self.wins_needed > 0

    @property
    def flagged(self) -> bool:
        return self.assessed and len(self.flagged_weeks) >= self.threshold_weeks


def role_fit_weeks(agency, *, span: int = ROLE_FIT_SPAN) -> list[dt.date]:
    """The last `span` finished weeks, oldest first."""
    this_week = Week.current(agency).start
    return [this_week - dt.timedelta(weeks=i) for i in range(span, 0, -1)]


def assess(producer: Producer, cards: list[WeeklyScorecard], plan: GoalPlan | None,
           weeks: list[dt.date], conf: dict | None = None) -> RoleFit:
    conf = conf or role_fit_rules()
    result = plan_result_from(plan) if plan is not None else None
    needed = result.pace_wins_per_week if result is not None else None
    fit = RoleFit(producer=producer, wins_needed=needed, plan=plan,
                  threshold_weeks=conf["weeks"])
    by_week = {card.week_start: card for card in cards}
    for week in weeks:
        card = by_week.get(week)
        row = RoleFitWeek(week=week, wins_needed=needed)
        if card is not None:
            row.kept, row.total, row.wins = (card.commitments_kept, card.commitments_total,
                                             card.wins)
        row.kept_below = row.kept_rate < conf["kept_below"]
        ratio = row.wins_vs_plan
        row.wins_below = ratio is not None and ratio < conf["wins_below"]
        fit.weeks.append(row)
    return fit


def _people(actor: Producer, weeks: list[dt.date]):
    year = local_now(actor.agency).year
    return (producers_visible_to(actor).filter(is_active=True)
            .prefetch_related(
                Prefetch("scorecards", to_attr="fit_cards",
                         queryset=WeeklyScorecard.objects.filter(week_start__in=weeks)),
                Prefetch("goal_plans", to_attr="fit_plans",
                         queryset=GoalPlan.objects.filter(year=year)))
            .order_by(leaders_first(), "user__first_name", "user__last_name", "pk"))


def role_fit_rows(actor: Producer) -> list[RoleFit]:
    """Everyone the actor leads (owners: the agency), non-producers included so they can be
    moved back; flagged people first."""
    if not actor.is_leader:
        raise Http404("Leaders only.")
    weeks = role_fit_weeks(actor.agency)
    conf = role_fit_rules()
    rows = [assess(p, p.fit_cards, p.fit_plans[0] if p.fit_plans else None, weeks, conf)
            for p in _people(actor, weeks)]
    return sorted(rows, key=lambda fit: not fit.flagged)


def role_fit_get(*, actor: Producer, producer_id) -> RoleFit:
    """One person's role fit; a producer (or anyone not leading that person) gets a 404."""
    if not actor.is_leader:
        raise Http404("Leaders only.")
    weeks = role_fit_weeks(actor.agency)
    try:
        person = _people(actor, weeks).get(pk=int(producer_id))
    except (Producer.DoesNotExist, ValueError, TypeError):
        raise Http404("No such producer.") from None
    return assess(person, person.fit_cards, person.fit_plans[0] if person.fit_plans else None,
                  weeks)
