import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pipeline.models import ActivityType, Prospect, Stage
from pipeline.services import scorecard_refresh_request
from salesculture.models import Producer
from salesculture.weeks import current_week, week_bounds

from ..models import Commitment, Meeting

MAX_TARGET = 500


def commitment_create(
    *,
    producer: Producer,
    week_start: dt.date,
    kind: str,
    actor: Producer,
    target: int | None = None,
    activity_type: ActivityType | None = None,
    stage: Stage | None = None,
    text: str = "",
    prospect: Prospect | None = None,
    due_date: dt.date | None = None,
    meeting: Meeting | None = None,
) -> Commitment:
    """A promise for `week_start`'s week; "planned ahead" when made before the week began."""
    agency = producer.agency
    errors: dict[str, str] = {}
    if week_start.weekday() != 0:
        errors["week_start"] = "A commitment is for a whole week, named by its Monday."
    elif week_start < current_week(agency):
        errors["week_start"] = "That week is over; commit to this week or next."
    if kind == Commitment.Kind.ACTIVITY:
        if activity_type is None or activity_type.agency_id != agency.pk:
            errors["activity_type"] = "Choose one of your agency's activity types."
        elif not activity_type.is_active:
            errors["activity_type"] = f"{activity_type.name} is no longer in use."
    if kind == Commitment.Kind.STAGE_WINS and stage is not None and (
            stage.agency_id != agency.pk or stage.is_lost):
        errors["stage"] = "Choose one of your agency's stages (not Lost)."
    if kind in (Commitment.Kind.ACTIVITY, Commitment.Kind.STAGE_WINS):
        if target is None or not 1 <= target <= MAX_TARGET:
            errors["target"] = f"Enter a number between 1 and {MAX_TARGET}."
        text, prospect, due_date = "", None, None
    elif kind == Commitment.Kind.SPECIFIC:
        text = text.strip()
        if not text:
            errors["text"] = "Say what you will do, e.g. “send the Acme proposal by Thursday”."
        if prospect is not None and (prospect.agency_id != agency.pk
                                     or prospect.owner_id != producer.pk):
            errors["prospect"] = "Choose one of your own prospects."
        if due_date is not None and not week_start <= due_date < week_start + dt.timedelta(7):
            errors["due_date"] = "The due day must fall inside the committed week."
        target, activity_type, stage = None, None, None
    else:
        errors["kind"] = "Choose activities, stage wins or a specific promise."
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    week_begins, _ = week_bounds(agency, week_start)
    with transaction.atomic():
        commitment = Commitment.objects.create(
            agency=agency, producer=producer, week_start=week_start, kind=kind, target=target,
            activity_type=activity_type, stage=stage, text=text, prospect=prospect,
            due_date=due_date, made_at=now, made_by=actor, planned_ahead=now < week_begins,
            meeting=meeting)
        scorecard_refresh_request(agency_id=agency.pk, moment=week_start)
    return commitment


def commitment_mark_done(*, commitment: Commitment, actor: Producer, done: bool) -> Commitment:
    """Only specific promises are ticked by hand; measurable ones come from the ledgers."""
    if commitment.is_measurable:
        raise ValidationError("This commitment is measured from your activities and stage wins.")
    if actor.pk != commitment.producer_id:
        raise ValidationError("Only the producer who made the promise can tick it.")
    with transaction.atomic():
        commitment.self_reported_done = done
        commitment.save(update_fields=["self_reported_done"])
        scorecard_refresh_request(agency_id=commitment.agency_id, moment=commitment.week_start)
    return commitment


def commitment_withdraw(*, commitment: Commitment, actor: Producer) -> None:
    """A commitment can be taken back until its week starts; after that it stands."""
    week_begins, _ = week_bounds(commitment.agency, commitment.week_start)
    if timezone.now() >= week_begins:
        raise ValidationError("The week has started; this commitment stands.")
    if actor.pk != commitment.producer_id and not actor.is_leader:
        raise ValidationError("Only the producer or their leader can withdraw it.")
    with transaction.atomic():
        commitment.delete()
        scorecard_refresh_request(agency_id=commitment.agency_id, moment=commitment.week_start)
