from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Agency, Producer, Team


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
    user = get_user_model().objects.create_user(
        username=username, password=password, first_name=first_name, last_name=last_name,
        email=email)
    producer = Producer(user=user, agency=agency, team=team, role=role, why=why,
                        annual_goal=Decimal(annual_goal))
    producer.full_clean(exclude=["user"])
    producer.save()
    return producer


def producer_update_profile(*, producer: Producer, why: str, annual_goal: Decimal,
                            digest_enabled: bool) -> Producer:
    producer.why = why.strip()
    producer.annual_goal = annual_goal
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
