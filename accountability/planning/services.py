"""Writes of goal-to-plan: store a producer's computed plan (one per producer-year, upserted)
and set the annual goal the plan is made from."""

import datetime as dt
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from salesculture.agency_cache import PLANS, agency_changed
from salesculture.models import Agency, Producer
from salesculture.selectors import selling_producers
from salesculture.services import (
    boards_changed,
    goal_clean,
    producer_goal_save,
    producer_set_role,
)

from ..models import GoalPlan
from .results import PlanResult
from .rolefit import agency_judged_keep
from .selectors import absurd_goal_limit, agency_plan_reads, goal_plan_for, plan_compute


def goal_plan_store(*, producer: Producer, result: PlanResult,
                    now: dt.datetime | None = None) -> GoalPlan:
    """Upsert the producer's plan for the result's year. A new label shows on the live boards,
    so they render afresh."""
    before = (GoalPlan.objects.filter(producer=producer, year=result.year)
              .values_list("label", "pace_wins_per_week").first())
    label_before = before[0] if before else None
    plan, _ = GoalPlan.objects.update_or_create(
        producer=producer, year=result.year,
        defaults={
            "agency": producer.agency, "annual_goal": result.annual_goal,
            "working_weeks": result.working_weeks, "weeks_left": result.weeks_left,
            "lines": [result.summary_json(), *(line.as_json() for line in result.lines)],
            "pace_wins_per_week": result.pace_wins_per_week,
            "label": result.label, "label_reason": result.label_reason[:240],
            "computed_at": now or timezone.now(),
        })
    if plan.label != label_before:
        boards_changed(producer=producer)
    if before is None or plan.pace_wins_per_week != before[1]:
        # Role fit and the alerts judge by the plan's steady pace, kept until it changes
        # (salesculture/agency_cache.py); a day's refresh that leaves it changes nothing.
        agency_changed(producer.agency_id, PLANS)
    return plan


@transaction.atomic
def goal_plan_refresh(*, producer: Producer, now: dt.datetime | None = None) -> GoalPlan:
    """Recompute the producer's plan from the ledgers and store it."""
    now = now or timezone.now()
    return goal_plan_store(producer=producer, result=plan_compute(producer=producer, now=now),
                           now=now)


def goal_plan_is_stale(plan: GoalPlan | None, producer: Producer, *,
                       now: dt.datetime | None = None) -> bool:
    """A stored plan is recomputed once a day, and whenever the goal, the year or the agency's
    working weeks per year changed."""
    if plan is None:
        return True
    now = now or timezone.now()
    tz = producer.agency.tz
    return (plan.annual_goal != producer.annual_goal
            or plan.working_weeks != producer.agency.working_weeks_per_year
            or plan.computed_at.astimezone(tz).date() != now.astimezone(tz).date())


def goal_plan_refresh_if_stale(*, producer: Producer, now: dt.datetime | None = None) -> GoalPlan:
    """This year's plan, recomputed first when it is stale. The stored plan is a daily cache of
    the ledgers; refreshing it when it is viewed keeps every producer's label current for the
    team page without a separate job."""
    now = now or timezone.now()
    plan = goal_plan_for(producer, now.astimezone(producer.agency.tz).year)
    if goal_plan_is_stale(plan, producer, now=now):
        plan = goal_plan_refresh(producer=producer, now=now)
    return plan


def goal_plans_refresh_agency(*, agency: Agency) -> int:
    """Recompute every selling producer's plan (for the demo seed or a nightly job). What the
    plans share (the agency's funnel, everyone's bound revenue) is read once, not per plan."""
    shared = agency_plan_reads(agency)
    count = 0
    for producer in selling_producers(agency).select_related("agency"):
        with transaction.atomic():
            goal_plan_store(producer=producer, now=shared.now,
                            result=plan_compute(producer=producer, shared=shared))
        count += 1
    # The plans' paces changed role fit's judgement: the job judges everyone again, not the
    # first leader to look.
    transaction.on_commit(partial(agency_judged_keep, agency), robust=True)
    return count


def clean_goal(*, agency: Agency, value) -> Decimal:
    """The goal as a Decimal, or ValidationError({"annual_goal": ...}) with the reason: the
    range every goal keeps (salesculture's goal_clean; no $0 here, since $0 gives no plan),
    then the agency's own sense of scale."""
    goal = goal_clean(value=value)
    limit = absurd_goal_limit(agency)
    if limit is not None and goal > limit:
        raise ValidationError({"annual_goal": (
            f"${goal:,.0f} is more than 100× what the agency's best producer bound in the last "
            f"year (${limit / 100:,.0f}). Enter a goal you can plan for.")})
    return goal


@transaction.atomic
def goal_set(*, producer: Producer, annual_goal) -> GoalPlan:
    """Set the producer's annual goal and recompute their plan; nothing is saved when the goal
    is rejected."""
    goal = clean_goal(agency=producer.agency, value=annual_goal)
    producer_goal_save(producer=producer, annual_goal=goal, actor=producer)
    plan = goal_plan_refresh(producer=producer)
    # A new pace changes role fit's judgement: judged again now, once (a few milliseconds at
    # 500 people), so the leaders' next looks read it.
    transaction.on_commit(partial(agency_judged_keep, producer.agency), robust=True)
    return plan


# --- role fit: moving a person between the producer and non-producer roles ----------------------
# Principle 3, the right person in the right role. Every row of their history stays;
# `selling_producers` leaves non-producers off the production board and out of meeting turns.

@transaction.atomic
def role_fit_set_role(*, actor: Producer, producer: Producer, role: str) -> Producer:
    if not actor.is_leader or producer.agency_id != actor.agency_id:
        raise ValidationError("Only a leader or owner of the agency can change roles.")
    if producer.pk == actor.pk:
        raise ValidationError({"role": "You cannot change your own role here; ask an owner."})
    allowed = {Producer.Role.PRODUCER, Producer.Role.NON_PRODUCER}
    if actor.is_owner:
        allowed.add(Producer.Role.LEADER)
    if role not in allowed:
        raise ValidationError({"role": "Choose one of the listed roles."})
    if producer.role == Producer.Role.OWNER:
        raise ValidationError({"role": "An owner's role is changed by another owner, on "
                                       "Settings → People."})
    if producer.role == Producer.Role.LEADER and not actor.is_owner:
        raise ValidationError({"role": "Only an owner can change a leader's role."})
    return producer_set_role(producer=producer, role=role, actor=actor)
