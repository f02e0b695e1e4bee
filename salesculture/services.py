from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Agency, Producer, Team

# Below this a "goal" is a typo, not a year of selling, and it makes every ratio against the
# goal (coverage, the plan's weekly asks) explode: 0.01 once froze an agency's scorecards.
GOAL_MINIMUM = Decimal("1000")
GOAL_FIELD_LIMIT = Decimal("9999999999.99")  # Producer.annual_goal: 12 digits, 2 decimals


def goal_clean(*, value, allow_zero: bool = False) -> Decimal:
    """The annual goal as a Decimal of cents, or ValidationError({"annual_goal": ...}) with the
    reason. `allow_zero` keeps $0 as "no goal" (an owner or a newcomer who has not set one)
    where that is a meaningful answer; the agency-relative limit is the plan's
    (accountability/planning/services.py clean_goal)."""
    try:
        goal = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"annual_goal": "Enter the goal as a number of dollars, "
                                              "like 150000."}) from None
    if not goal.is_finite():
        raise ValidationError({"annual_goal": "Enter the goal as a number of dollars."})
    if allow_zero and goal == 0:
        return Decimal("0.00")
    if goal < 0 and allow_zero:
        raise ValidationError({"annual_goal": "The goal cannot be negative."})
    if goal <= 0:
        raise ValidationError({"annual_goal": "A goal of $0 or less gives no plan; enter the "
                                              "new revenue you want to bind this year."})
    if goal < GOAL_MINIMUM:
        raise ValidationError({"annual_goal": (
            f"A goal under ${GOAL_MINIMUM:,.0f} is too small to plan a year by; enter the new "
            "revenue you want to bind this year, like 150000"
            + (", or 0 for no goal." if allow_zero else "."))})
    if goal > GOAL_FIELD_LIMIT:
        raise ValidationError({"annual_goal": "That goal is too large to store; enter one "
                                              "under $10 billion."})
    return goal.quantize(Decimal("0.01"))


def team_create(*, agency: Agency, name: str) -> Team:
    team = Team(agency=agency, name=name)
    team.full_clean()
    team.save()
    return team


@transaction.atomic
def producer_create(
    *,
    agency: Agency,
    username: str,
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    team: Team | None = None,
    role: str = Producer.Role.PRODUCER,
    why: str = "",
    annual_goal: Decimal | int = 0,
) -> Producer:
    if team is not None and team.agency_id != agency.pk:
        raise ValidationError({"team": "That team belongs to another agency."})
    goal = goal_clean(value=annual_goal, allow_zero=True)
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name,
        email=email)
    producer = Producer(user=user, agency=agency, team=team, role=role, why=why,
                        annual_goal=goal)
    producer.full_clean(exclude=["user"])
    producer.save()
    return producer


def producer_update_profile(*, producer: Producer, why: str, annual_goal: Decimal,
                            digest_enabled: bool) -> Producer:
    """$0 stays "no goal". A goal that is not changed is not judged again, so someone whose goal
    predates the range can still save their why (the welcome page passes the goal back)."""
    if annual_goal != producer.annual_goal:
        producer.annual_goal = goal_clean(value=annual_goal, allow_zero=True)
    producer.why = why.strip()
    producer.digest_enabled = digest_enabled
    producer.full_clean(exclude=["user"])
    producer.save(update_fields=["why", "annual_goal", "digest_enabled"])
    return producer


def producer_set_role(*, producer: Producer, role: str) -> Producer:
    """Moving someone to non-producer keeps every row of their history."""
    if role not in Producer.Role.values:
        raise ValidationError({"role": "Choose one of the listed roles."})
    producer.role = role
    producer.save(update_fields=["role"])
    return producer
