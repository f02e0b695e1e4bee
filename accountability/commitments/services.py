import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pipeline.models import ActivityType, Prospect, Stage
from salesculture.jobs import agency_week_changed
from salesculture.models import Producer
from salesculture.weeks import Week

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
    elif week_start < Week.current(agency).start:
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
    week_begins, _ = Week(week_start, agency.tz).bounds
    with transaction.atomic():
        commitment = Commitment.objects.create(
            agency=agency, producer=producer, week_start=week_start, kind=kind, target=target,
            activity_type=activity_type, stage=stage, text=text, prospect=prospect,
            due_date=due_date, made_at=now, made_by=actor, planned_ahead=now < week_begins,
            meeting=meeting)
        agency_week_changed(agency_id=agency.pk, when=week_start)
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
        agency_week_changed(agency_id=commitment.agency_id, when=commitment.week_start)
    return commitment


def commitment_withdraw(*, commitment: Commitment, actor: Producer) -> None:
    """A commitment can be taken back until its week starts; after that it stands."""
    week_begins, _ = Week(commitment.week_start, commitment.agency.tz).bounds
    if timezone.now() >= week_begins:
        raise ValidationError("The week has started; this commitment stands.")
    if actor.pk != commitment.producer_id and not actor.is_leader:
        raise ValidationError("Only the producer or their leader can withdraw it.")
    with transaction.atomic():
        commitment.delete()
        agency_week_changed(agency_id=commitment.agency_id, when=commitment.week_start)


def commitments_set_targets(
    *,
    producer: Producer,
    week_start: dt.date,
    actor: Producer,
    activity_targets: dict[int, int | None],
    stage_targets: dict[int | None, int | None],
) -> dict[str, int]:
    """Set a week's measurable commitments in one go, all or nothing.

    `activity_targets` maps an activity type id to a target, `stage_targets` a stage id (None:
    any forward advance) to a number of wins; 0 or None means no commitment. Before the week
    starts a changed number replaces the old commitment (still planned ahead); once it has
    started, existing commitments stand and only new ones can be added (marked late).
    Errors are keyed by the commitments form's field names: `activity_<id>`, `wins_<id>`,
    `wins_any`. Returns counts of what was added, changed and removed.
    """
    agency = producer.agency
    week_begins, _ = Week(week_start, agency.tz).bounds
    started = timezone.now() >= week_begins
    existing: dict[tuple[str, int | None], list[Commitment]] = {}
    for c in Commitment.objects.filter(producer=producer, week_start=week_start,
                                       kind__in=[Commitment.Kind.ACTIVITY,
                                                 Commitment.Kind.STAGE_WINS]):
        key = ("activity", c.activity_type_id) if c.kind == Commitment.Kind.ACTIVITY \
            else ("wins", c.stage_id)
        existing.setdefault(key, []).append(c)
    types = {t.pk: t for t in ActivityType.objects.filter(agency=agency,
                                                          pk__in=list(activity_targets))}
    stages = {s.pk: s for s in Stage.objects.filter(
        agency=agency, pk__in=[k for k in stage_targets if k is not None])}

    wanted: list[tuple[str, tuple[str, int | None], int]] = []
    errors: dict[str, str] = {}
    for type_id, value in activity_targets.items():
        name = f"activity_{type_id}"
        if type_id not in types:
            errors[name] = "Choose one of your agency's activity types."
        else:
            wanted.append((name, ("activity", type_id), value or 0))
    for stage_id, value in stage_targets.items():
        name = "wins_any" if stage_id is None else f"wins_{stage_id}"
        if stage_id is not None and stage_id not in stages:
            errors[name] = "Choose one of your agency's stages (not Lost)."
        else:
            wanted.append((name, ("wins", stage_id), value or 0))

    summary = {"added": 0, "changed": 0, "removed": 0}
    with transaction.atomic():
        for name, key, value in wanted:
            if name in errors:
                continue
            current = existing.get(key, [])
            current_target = sum(c.target or 0 for c in current)
            if value == current_target:
                continue
            if current and started:
                errors[name] = (f"The week has started; your commitment of {current_target} "
                                "stands.")
                continue
            for c in current:
                c.delete()
            if value:
                kind, ref = key
                try:
                    commitment_create(
                        producer=producer, week_start=week_start, actor=actor, target=value,
                        kind=(Commitment.Kind.ACTIVITY if kind == "activity"
                              else Commitment.Kind.STAGE_WINS),
                        activity_type=types.get(ref) if kind == "activity" else None,
                        stage=stages.get(ref) if kind == "wins" else None)
                except ValidationError as exc:
                    errors[name] = " ".join(exc.messages)
                    continue
            summary["changed" if current and value else "added" if value else "removed"] += 1
        if errors:
            # Leaving the atomic block with an exception rolls back every change above.
            raise ValidationError(errors)
        if summary["removed"]:
            agency_week_changed(agency_id=agency.pk, when=week_start)
    return summary
