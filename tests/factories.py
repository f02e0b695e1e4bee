"""factory_boy factories. Agencies are made through `agency_create`, so every test agency has
the default stages and activity types a real one has."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from accountability.models import Commitment, ConfidenceCheckIn
from pipeline.ledger import stage_wins_replay
from pipeline.models import Activity, ActivityType, Prospect, Stage, StageAdvance
from pipeline.services import agency_create
from salesculture.models import Agency, Producer, Team
from salesculture.weeks import Week

PASSWORD = "test-pass-123"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    slug = factory.Sequence(lambda n: f"agency-{n}")
    time_zone = "America/Chicago"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return agency_create(**kwargs)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    agency = factory.SubFactory(AgencyFactory)
    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Person"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProducerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Producer

    user = factory.SubFactory(UserFactory)
    agency = factory.SubFactory(AgencyFactory)
    team = factory.LazyAttribute(lambda p: Team.objects.get_or_create(agency=p.agency,
                                                                      name="Main")[0])
    role = Producer.Role.PRODUCER
    why = "For my family."
    annual_goal = Decimal("120000")


def stage(agency: Agency, name: str) -> Stage:
    return Stage.objects.get(agency=agency, name=name)


def activity_type(agency: Agency, name: str = "Call") -> ActivityType:
    return ActivityType.objects.get(agency=agency, name=name)


class ProspectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prospect

    owner = factory.SubFactory(ProducerFactory)
    agency = factory.LazyAttribute(lambda p: p.owner.agency)
    name = factory.Sequence(lambda n: f"Prospect {n}")
    estimated_revenue = Decimal("2000")
    stage = factory.LazyAttribute(lambda p: stage(p.agency, "Lead"))
    stage_entered_at = factory.LazyFunction(timezone.now)


class StageAdvanceFactory(factory.django.DjangoModelFactory):
    """A raw ledger row for building history; live moves go through prospect_advance. What the
    row wins is judged by the win rule over the prospect's whole ledger, as for imported or
    bulk-built history."""

    class Meta:
        model = StageAdvance
        skip_postgeneration_save = True  # the ledger is append-only

    prospect = factory.SubFactory(ProspectFactory)
    agency = factory.LazyAttribute(lambda a: a.prospect.agency)
    producer = factory.LazyAttribute(lambda a: a.prospect.owner)
    from_stage = factory.LazyAttribute(lambda a: a.prospect.stage)
    to_stage = factory.LazyAttribute(lambda a: stage(a.agency, "Contacted"))
    occurred_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def judged(advance, create, extracted, **kwargs):
        if create:
            stage_wins_replay(prospects=Prospect.objects.filter(pk=advance.prospect_id))
            advance.refresh_from_db()


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    producer = factory.SubFactory(ProducerFactory)
    agency = factory.LazyAttribute(lambda a: a.producer.agency)
    activity_type = factory.LazyAttribute(lambda a: activity_type(a.agency))
    occurred_at = factory.LazyFunction(timezone.now)
    quantity = 1


class CommitmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commitment

    producer = factory.SubFactory(ProducerFactory)
    agency = factory.LazyAttribute(lambda c: c.producer.agency)
    week_start = factory.LazyAttribute(lambda c: Week.current(c.agency).start)
    kind = Commitment.Kind.ACTIVITY
    activity_type = factory.LazyAttribute(
        lambda c: activity_type(c.agency) if c.kind == Commitment.Kind.ACTIVITY else None)
    target = factory.LazyAttribute(lambda c: None if c.kind == Commitment.Kind.SPECIFIC else 10)
    text = factory.LazyAttribute(
        lambda c: "Send the Acme proposal" if c.kind == Commitment.Kind.SPECIFIC else "")
    made_at = factory.LazyAttribute(
        lambda c: dt.datetime.combine(c.week_start - dt.timedelta(days=2), dt.time(12),
                                      tzinfo=c.agency.tz))
    planned_ahead = True


class ConfidenceCheckInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConfidenceCheckIn

    producer = factory.SubFactory(ProducerFactory)
    agency = factory.LazyAttribute(lambda c: c.producer.agency)
    week_start = factory.LazyAttribute(lambda c: Week.current(c.agency).start)
    process = 4
    pipeline = 3
    team = 5


def where(prospect: Prospect) -> Stage:
    """The stage a prospect is in now, as a page loaded this moment would send it with a move
    (`prospect_advance` requires it)."""
    return type(prospect)._base_manager.select_related("stage").get(pk=prospect.pk).stage


def earlier_this_week(agency: Agency, **ago) -> dt.datetime:
    """`ago` (timedelta arguments) before now, but never before this week began: in the
    first hours of a Monday, "two hours ago" is last week, and a test of this week's numbers
    would count nothing."""
    return max(timezone.now() - dt.timedelta(**ago), Week.current(agency).begins)
