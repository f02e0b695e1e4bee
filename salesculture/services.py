from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F

from .audit import audit_record
from .models import Agency, AuditEvent, Producer, Team

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


@transaction.atomic
def producer_update_profile(*, producer: Producer, why: str, annual_goal: Decimal,
                            digest_enabled: bool, actor: Producer | None = None) -> Producer:
    """$0 stays "no goal". A goal that is not changed is not judged again, so someone whose goal
    predates the range can still save their why (the welcome page passes the goal back).
    `actor` is who made the change (default: the person themself)."""
    before = Producer(annual_goal=producer.annual_goal, why=producer.why)
    if annual_goal != producer.annual_goal:
        producer.annual_goal = goal_clean(value=annual_goal, allow_zero=True)
    producer.why = why.strip()
    producer.digest_enabled = digest_enabled
    producer.full_clean(exclude=["user"])
    producer.save(update_fields=["why", "annual_goal", "digest_enabled"])
    _profile_changes_record(before=before, producer=producer,
                            actor=producer if actor is None else actor)
    return producer


@transaction.atomic
def producer_goal_save(*, producer: Producer, annual_goal: Decimal,
                       actor: Producer | None) -> Producer:
    """Store a goal its caller has judged already (the plan page judges it against the
    agency's scale), and record the change."""
    before = Producer(annual_goal=producer.annual_goal, why=producer.why)
    producer.annual_goal = annual_goal
    producer.full_clean(exclude=["user"])
    producer.save(update_fields=["annual_goal"])
    _profile_changes_record(before=before, producer=producer, actor=actor)
    return producer


def _profile_changes_record(*, before: Producer, producer: Producer,
                            actor: Producer | None) -> None:
    """goal.changed with the figures before and after; why.changed without either text: a why
    is personal (principle 7), and the owners' history page needs only that it changed."""
    if before.annual_goal != producer.annual_goal:
        boards_changed(producer=producer)
        audit_record(agency=producer.agency_id, actor=actor, kind=AuditEvent.Kind.GOAL_CHANGED,
                     subject=producer, label=producer.name,
                     changes={"annual_goal": [before.annual_goal, producer.annual_goal]})
    if before.why.strip() != producer.why.strip():
        audit_record(agency=producer.agency_id, actor=actor, kind=AuditEvent.Kind.WHY_CHANGED,
                     subject=producer, label=producer.name)


@transaction.atomic
def producer_set_role(*, producer: Producer, role: str,
                      actor: Producer | None = None) -> Producer:
    """Moving someone to non-producer keeps every row of their history."""
    if role not in Producer.Role.values:
        raise ValidationError({"role": "Choose one of the listed roles."})
    before = Producer(role=producer.role, is_active=producer.is_active)
    producer.role = role
    producer.save(update_fields=["role"])
    _standing_changes_record(before=before, producer=producer, actor=actor)
    return producer


@transaction.atomic
def producer_set_active(*, producer: Producer, active: bool,
                        actor: Producer | None = None) -> Producer:
    """Deactivating someone ends their access and takes them off the boards; every row of
    their history stays. Setting what already is changes (and records) nothing."""
    before = Producer(role=producer.role, is_active=producer.is_active)
    if producer.is_active != active:
        producer.is_active = active
        update = ["is_active"]
        if not active:
            # Every session they have ends at its next request, on every device.
            producer.session_epoch += 1
            update.append("session_epoch")
        producer.save(update_fields=update)
    _user_access_sync(producer)
    _standing_changes_record(before=before, producer=producer, actor=actor)
    return producer


def boards_changed(*, producer: Producer, former_team_id: int | None = None) -> None:
    """A change to a person the live boards show (their standing, goal, plan or team) makes
    the boards showing them render afresh: the version of their team (and of the team they
    left) and the agency's are bumped, as the scorecard job bumps them for new numbers."""
    teams = {pk for pk in (producer.team_id, former_team_id) if pk}
    if teams:
        Team.objects.filter(pk__in=teams).update(live_version=F("live_version") + 1)
    Agency.objects.filter(pk=producer.agency_id).update(live_version=F("live_version") + 1)


def _user_access_sync(producer: Producer) -> None:
    """A deactivated person's account refuses their password (Django's backends turn an
    inactive user away) and they receive no password-reset email; reactivating opens both
    again. Their rows, and the account itself, stay."""
    user = producer.user
    if user.is_active != producer.is_active:
        user.is_active = producer.is_active
        user.save(update_fields=["is_active"])


def _standing_changes_record(*, before: Producer, producer: Producer,
                             actor: Producer | None) -> None:
    if before.role != producer.role or before.is_active != producer.is_active:
        boards_changed(producer=producer)
    if before.role != producer.role:
        audit_record(agency=producer.agency_id, actor=actor, kind=AuditEvent.Kind.ROLE_CHANGED,
                     subject=producer, label=producer.name,
                     changes={"role": [before.role, producer.role]})
    if before.is_active != producer.is_active:
        audit_record(agency=producer.agency_id, actor=actor, subject=producer,
                     label=producer.name,
                     kind=(AuditEvent.Kind.PRODUCER_REACTIVATED if producer.is_active
                           else AuditEvent.Kind.PRODUCER_DEACTIVATED))


@transaction.atomic
def producer_admin_saved(*, before: Producer, producer: Producer,
                         actor: Producer | None) -> None:
    """Record what the admin's form changed about a person, once saved (`before`: the row as
    it was): goal, why, role and activation, as the services above record them. The admin may
    have moved them to another team or renamed them, so the boards render afresh."""
    boards_changed(producer=producer, former_team_id=before.team_id)
    _profile_changes_record(before=before, producer=producer, actor=actor)
    _standing_changes_record(before=before, producer=producer, actor=actor)
    _user_access_sync(producer)


def _check_owner_changes(*, actor: Producer, producer: Producer) -> None:
    """The people page's rule for role and activation: an owner of the same agency, and never
    about themself (an agency must not lose its last way in by a slip of the thumb)."""
    if not actor.is_owner or producer.agency_id != actor.agency_id:
        raise ValidationError("Only an owner of the agency changes roles and access.")
    if producer.pk == actor.pk:
        raise ValidationError("You cannot change your own role or access; ask another owner.")


def person_set_role(*, actor: Producer, producer: Producer, role: str) -> Producer:
    _check_owner_changes(actor=actor, producer=producer)
    return producer_set_role(producer=producer, role=role, actor=actor)


def person_set_active(*, actor: Producer, producer: Producer, active: bool) -> Producer:
    _check_owner_changes(actor=actor, producer=producer)
    return producer_set_active(producer=producer, active=active, actor=actor)
