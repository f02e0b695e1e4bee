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
from functools import partial
from typing import NamedTuple

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404

from salesculture.agency_cache import HISTORY, ONE_ON_ONES, PLANS, agency_cached, agency_changed
from salesculture.models import Agency, Producer
from salesculture.selectors import leaders_first, person_name, producers_visible_to
from salesculture.weeks import Week, local_now

from ..models import GoalPlan, OneOnOne, WeeklyScorecard
from .presenters import RoleFit, RoleFitWeek
from .selectors import plan_result_from

ROLE_FIT_SPAN = 13
ROLE_FIT_PAGE_SIZE = 25
# The judgement reads finished weeks' cards, written by the scorecard job alone, and the plans'
# paces, stored by goal_plan_store alone: each bumps the stamp it is kept under and judges
# again, so it is kept for a day (the nightly plans judge again anyway), not the minute of
# figures that a write outside the app could change unseen.
KEPT_JUDGED_SECONDS = 24 * 3600


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
        # Said as the database counts them (`_weeks_low`: a product, in floating point), so a
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


def judged_flags(people, *, agency: Agency, weeks: list[dt.date], year: int,
                 conf: dict) -> dict[int, tuple[bool, int]]:
    """{person id: (flagged, flagged weeks)} for `people` (a queryset of the agency's
    producers), counted by the database as `assess` counts them in Python (a test holds the
    two equal): a week is below on commitments when fewer than kept_below of them were kept
    (none made counts as none kept), and below on wins when the wins fell short of
    wins_below × the plan's pace; a week without a card is a week of nothing. One query."""
    return {pk: judged[1:] for pk, judged in _judged(people, agency=agency, weeks=weeks,
                                                      year=year, conf=conf).items()}


def agency_judged(agency: Agency, pks, *, weeks: list[dt.date], year: int,
                  conf: dict) -> dict[int, tuple[float | None, bool, int]]:
    """`_judged` for the people `pks` (ids of the agency's producers), read from the whole
    agency's judgement, kept until a finished week's cards or a plan change: every leader's
    role fit and alerts pick their people from it, and a person saved (a name, a team move)
    changes nobody's numbers. Someone added since it was kept is judged apart."""
    judged = agency_cached(
        agency, (HISTORY, PLANS), ("role-fit-judged", weeks[0], weeks[-1], year,
                                   conf["kept_below"], conf["wins_below"], conf["weeks"]),
        lambda: _judged(Producer.objects.filter(agency=agency), agency=agency, weeks=weeks,
                        year=year, conf=conf), seconds=KEPT_JUDGED_SECONDS, people=False)
    if missing := [pk for pk in pks if pk not in judged]:
        judged = {**judged, **_judged(Producer.objects.filter(agency=agency, pk__in=missing),
                                      agency=agency, weeks=weeks, year=year, conf=conf)}
    return judged


def _judging_today(agency: Agency) -> dict:
    """What today's judgement is made with: the last 13 finished weeks, this year's plans and
    the rules (`_judged`'s keywords)."""
    return {"weeks": role_fit_weeks(agency), "year": local_now(agency).year,
            "conf": role_fit_rules()}


def agency_judged_keep(agency: Agency) -> None:
    """Judge the agency's people now, once what it reads changed (the scorecard job's change
    to a finished week, the nightly plans, a goal saved), so the first look afterwards, that
    morning's too, reads the judgement rather than paying for it."""
    agency_judged(agency, [], **_judging_today(agency))


def finished_week_changed(agency: Agency, week_start: dt.date) -> None:
    """The scorecard job changed a finished week's cards or judged its commitments: what role
    fit and the alerts kept of finished weeks is stale (salesculture/agency_cache.py), and,
    when role fit reads that week, everyone is judged again once the cards are committed, by
    the worker rather than the first leader to look (a failure costs only that look's speed)."""
    agency_changed(agency.pk, HISTORY)
    if week_start >= role_fit_weeks(agency)[0]:
        transaction.on_commit(partial(agency_judged_keep, agency), robust=True)


def _judged(people, *, agency: Agency, weeks: list[dt.date], year: int,
            conf: dict) -> dict[int, tuple[float | None, bool, int]]:
    """`judged_flags`, each with the plan's pace first. The agency's cards of the weeks (6,500
    at 500 people) are counted per producer before they meet the people, so the grouping is
    by a number, not by the people's names (grouping them joined: 20 ms against 9); the plan
    is joined to each card for its pace, and again to the people for those without a card.
    The products in floating point, as the detail's comparisons are (a bare 0.28 is a
    numeric to PostgreSQL, and 0.28 × 25 is exactly 7 there, not 7.000000000000001)."""
    card, plan = WeeklyScorecard._meta.db_table, GoalPlan._meta.db_table
    kept_low = "c.commitments_kept < CAST(%s AS DOUBLE PRECISION) * c.commitments_total"
    if conf["kept_below"] > 0:
        kept_low = f"({kept_low} OR c.commitments_total = 0)"
    theirs, their_params = people.order_by().values("pk").query.sql_with_params()
    day = connection.ops.adapt_datefield_value
    in_weeks = ", ".join(["%s"] * len(weeks))
    with connection.cursor() as cursor:
        cursor.execute(f"""
            SELECT p.id, g.pace_wins_per_week, COALESCE(low.both_low, 0), COALESCE(low.cards, 0)
            FROM {Producer._meta.db_table} p
            LEFT JOIN {plan} g ON g.producer_id = p.id AND g.agency_id = %s AND g.year = %s
            LEFT JOIN (
                SELECT c.producer_id,
                       SUM(CASE WHEN {kept_low} AND c.wins < CAST(%s AS DOUBLE PRECISION)
                                                             * cg.pace_wins_per_week
                                THEN 1 ELSE 0 END) AS both_low,
                       COUNT(*) AS cards
                FROM {card} c
                LEFT JOIN {plan} cg ON cg.producer_id = c.producer_id AND cg.agency_id = %s
                                    AND cg.year = %s
                WHERE c.agency_id = %s AND c.week_start IN ({in_weeks})
                GROUP BY c.producer_id) low ON low.producer_id = p.id
            WHERE p.agency_id = %s AND p.id IN ({theirs})""",
            [agency.pk, year, float(conf["kept_below"]), float(conf["wins_below"]),
             agency.pk, year, agency.pk, *map(day, weeks), agency.pk, *their_params])
        rows = cursor.fetchall()
    return {pk: (pace, *_flag(pace, both_low, cards, weeks=weeks, conf=conf))
            for pk, pace, both_low, cards in rows}


def _flag(pace: float | None, both_low: int, cards: int, *, weeks: list[dt.date],
          conf: dict) -> tuple[bool, int]:
    flagged_weeks = both_low
    if conf["kept_below"] > 0 and conf["wins_below"] > 0:
        flagged_weeks += len(weeks) - cards  # a week of nothing is low on both
    return bool(pace and pace > 0 and flagged_weeks >= conf["weeks"]), flagged_weeks


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
    """Everyone the actor leads, flagged first, then in the order of the people's pages."""
    people = list(producers_visible_to(actor).filter(is_active=True)
                  .annotate(outcome=_outcome())
                  .order_by(leaders_first(), "user__first_name", "user__last_name", "pk")
                  .values_list("pk", "user__first_name", "user__last_name", "user__username",
                               "role", "outcome"))
    judged = agency_judged(actor.agency, [person[0] for person in people], weeks=weeks,
                           year=year, conf=conf)
    listing = []
    for *person, outcome in people:
        needed, flagged, _ = judged[person[0]]
        listing.append((*person, needed, outcome, flagged))
    listing.sort(key=lambda row: not row[-1])  # stable: the people's order within each
    return listing


def agency_role_fit_flags(agency: Agency, *, kept: bool = True) -> dict[int, int]:
    """{person id: weeks below on both} for the flagged among the agency's people, as the
    list counts its flags: from its kept judgement (`agency_judged`), or with `kept` False
    judged now (one query)."""
    rules = _judging_today(agency)
    judged = (agency_judged(agency, [], **rules) if kept
              else _judged(Producer.objects.filter(agency=agency), agency=agency, **rules))
    return {pk: weeks for pk, (_, flagged, weeks) in judged.items() if flagged}


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
