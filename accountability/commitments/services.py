import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pipeline.models import ActivityType, Prospect, Stage
from salesculture.jobs import agency_week_changed
from salesculture.models import Agency, Producer
from salesculture.weeks import Week

from ..models import Commitment, Meeting
from .audit import commitment_created_record, commitment_ticked_record, commitment_withdrawn_record
from .rules import week_has_started

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
    client_token: str | None = None,
) -> Commitment:
    """A promise for `week_start`'s week; "planned ahead" when made before the week began.

    A measure has one number a week (the model's constraints): a second target for an
    activity type, a stage or "any stage" the producer already has a target for that week
    replaces the first, and is dated, attributed and timed (planned ahead or late) as the
    second entry. That holds in a started week too: in the meeting the team agrees the week's
    number again, and the later word stands. (The targets form keeps a started week's numbers
    standing; `commitments_set_targets` refuses before it gets here.) A repeated `client_token`
    (the same form submitted twice) returns what the first submit made.
    """
    agency = producer.agency
    errors = _week_errors(week_start, agency)
    if kind in (Commitment.Kind.ACTIVITY, Commitment.Kind.STAGE_WINS):
        errors.update(_measurable_errors(kind, agency=agency, target=target,
                                         activity_type=activity_type, stage=stage))
        text, prospect, due_date = "", None, None
    elif kind == Commitment.Kind.SPECIFIC:
        text = text.strip()
        errors.update(_promise_errors(producer=producer, week_start=week_start, text=text,
                                      prospect=prospect, due_date=due_date))
        target, activity_type, stage = None, None, None
    else:
        errors["kind"] = "Choose activities, stage wins or a specific promise."
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    fields = {"target": target, "activity_type": activity_type, "stage": stage, "text": text,
              "prospect": prospect, "due_date": due_date, "made_at": now, "made_by": actor,
              "planned_ahead": not week_has_started(Week(week_start, agency.tz).begins, now),
              "meeting": meeting, "client_token": client_token or None}
    with transaction.atomic():
        _lock_commitments_of(producer)
        # Under the producer's lock, so a concurrent double submit finds the first one.
        if client_token and (first := producer.commitments.filter(
                client_token=client_token).first()) is not None:
            return first
        standing = (_standing_target(producer=producer, week_start=week_start, kind=kind,
                                     activity_type=activity_type, stage=stage)
                    if kind != Commitment.Kind.SPECIFIC else None)
        if standing is None:
            commitment = Commitment.objects.create(agency=agency, producer=producer,
                                                   week_start=week_start, kind=kind, **fields)
        else:
            commitment = standing
            for name, value in fields.items():
                setattr(commitment, name, value)
            commitment.save(update_fields=[*fields])
        agency_week_changed(agency_id=agency.pk, when=week_start, producer_ids=[producer.pk])
        commitment_created_record(commitment, actor=actor)
    return commitment


def _lock_commitments_of(producer: Producer) -> None:
    """Serialise the writes of one producer's commitments: lock their producer row until the
    caller's transaction ends.

    Every write here is check-then-insert (is there a target for this measure? a follow-up
    for this prospect?), and two requests at once (a double tap, two tabs, the meeting and the
    producer) would both see "none" and both insert. With the lock the second waits, then
    sees the first's row. A lock rather than catching IntegrityError: a follow-up has no
    unique constraint to catch (a producer may make several promises about one prospect by
    hand), and a second target must update the first, not fail. The constraints on
    Commitment stay as the backstop. Called inside the caller's transaction."""
    Producer.objects.select_for_update().only("pk").get(pk=producer.pk)


def _standing_target(*, producer: Producer, week_start: dt.date, kind: str,
                     activity_type: ActivityType | None,
                     stage: Stage | None) -> Commitment | None:
    """The producer's target for the same measure and week, if any (at most one: the model's
    constraints). Called with the producer locked (`_lock_commitments_of`)."""
    same = Commitment.objects.filter(producer=producer, week_start=week_start, kind=kind)
    if kind == Commitment.Kind.ACTIVITY:
        return same.filter(activity_type=activity_type).first()
    return same.filter(stage=stage).first() if stage else same.filter(stage__isnull=True).first()


def commitment_follow_up_ensure(*, producer: Producer, week_start: dt.date, prospect: Prospect,
                                text: str, actor: Producer,
                                meeting: Meeting | None = None) -> tuple[Commitment, bool]:
    """The producer's follow-up promise on `prospect` for the week: the one already made
    (False), or a new one with `text` (True).

    The meeting's "follow up" button makes it; however many posts arrive at once (a double
    tap, a slow screen clicked again), the prospect gets one follow-up, because the check and
    the insert happen under the producer's lock."""
    with transaction.atomic():
        _lock_commitments_of(producer)
        already = (Commitment.objects.filter(producer=producer, week_start=week_start,
                                             prospect=prospect, kind=Commitment.Kind.SPECIFIC)
                   .order_by("id").first())
        if already is not None:
            return already, False
        return commitment_create(producer=producer, week_start=week_start, actor=actor,
                                 kind=Commitment.Kind.SPECIFIC, text=text, prospect=prospect,
                                 meeting=meeting), True


def _week_errors(week_start: dt.date, agency: Agency) -> dict[str, str]:
    if week_start.weekday() != 0:
        return {"week_start": "A commitment is for a whole week, named by its Monday."}
    if week_start < Week.current(agency).start:
        return {"week_start": "That week is over; commit to this week or next."}
    return {}


def _measurable_errors(kind: str, *, agency: Agency, target: int | None,
                       activity_type: ActivityType | None,
                       stage: Stage | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if kind == Commitment.Kind.ACTIVITY:
        if activity_type is None or activity_type.agency_id != agency.pk:
            errors["activity_type"] = "Choose one of your agency's activity types."
        elif not activity_type.is_active:
            errors["activity_type"] = f"{activity_type.name} is no longer in use."
    if kind == Commitment.Kind.STAGE_WINS and stage is not None and (
            stage.agency_id != agency.pk or stage.is_lost):
        errors["stage"] = "Choose one of your agency's stages (not Lost)."
    if target is None or not 1 <= target <= MAX_TARGET:
        errors["target"] = f"Enter a number between 1 and {MAX_TARGET}."
    return errors


def _promise_errors(*, producer: Producer, week_start: dt.date, text: str,
                    prospect: Prospect | None, due_date: dt.date | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not text:
        errors["text"] = "Say what you will do, e.g. “send the Acme proposal by Thursday”."
    if prospect is not None and (prospect.agency_id != producer.agency_id
                                 or prospect.owner_id != producer.pk):
        errors["prospect"] = "Choose one of your own prospects."
    if due_date is not None and not week_start <= due_date < week_start + dt.timedelta(7):
        errors["due_date"] = "The due day must fall inside the committed week."
    return errors


def commitment_mark_done(*, commitment: Commitment, actor: Producer, done: bool) -> Commitment:
    """Only specific promises are ticked by hand; measurable ones come from the ledgers."""
    if commitment.is_measurable:
        raise ValidationError("This commitment is measured from your activities and stage wins.")
    if actor.pk != commitment.producer_id:
        raise ValidationError("Only the producer who made the promise can tick it.")
    with transaction.atomic():
        if commitment.self_reported_done != done:
            commitment_ticked_record(commitment, actor=actor, done=done)
        commitment.self_reported_done = done
        commitment.save(update_fields=["self_reported_done"])
        agency_week_changed(agency_id=commitment.agency_id, when=commitment.week_start,
                            producer_ids=[commitment.producer_id])
    return commitment


def commitment_withdraw(*, commitment: Commitment, actor: Producer) -> None:
    """A commitment can be taken back until its week starts; after that it stands."""
    if week_has_started(Week(commitment.week_start, commitment.agency.tz).begins, timezone.now()):
        raise ValidationError("The week has started; this commitment stands.")
    if actor.pk != commitment.producer_id and not actor.is_leader:
        raise ValidationError("Only the producer or their leader can withdraw it.")
    with transaction.atomic():
        commitment_withdrawn_record(commitment, actor=actor)
        commitment.delete()
        agency_week_changed(agency_id=commitment.agency_id, when=commitment.week_start,
                            producer_ids=[commitment.producer_id])


def target_name(commitment: Commitment) -> str | None:
    """The commitments form's field a measurable commitment belongs to (`activity_<type id>`,
    `wins_<stage id>` or `wins_any`); None for a specific promise, which has no number."""
    if commitment.kind == Commitment.Kind.ACTIVITY:
        return f"activity_{commitment.activity_type_id}"
    if commitment.kind == Commitment.Kind.STAGE_WINS:
        return f"wins_{commitment.stage_id}" if commitment.stage_id else "wins_any"
    return None


@dataclass(frozen=True)
class _Target:
    """One number the producer wants for the week, under its form field's name."""

    name: str
    kind: str
    value: int
    activity_type: ActivityType | None = None
    stage: Stage | None = None


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
    started = week_has_started(Week(week_start, agency.tz).begins, timezone.now())
    wanted, errors = _wanted_targets(agency, activity_targets, stage_targets)

    summary = {"added": 0, "changed": 0, "removed": 0}
    with transaction.atomic():
        # Read what stands only once the producer is locked: a second post of the same form
        # (double submit, two tabs) then waits for the first and finds its targets in place.
        _lock_commitments_of(producer)
        existing = _measurable_by_name(producer, week_start)
        for target in wanted:
            try:
                change = _target_apply(target, existing.get(target.name), started=started,
                                       producer=producer, week_start=week_start, actor=actor)
            except ValidationError as exc:
                errors[target.name] = " ".join(exc.messages)
                continue
            if change:
                summary[change] += 1
        if errors:
            # Leaving the atomic block with an exception rolls back every change above.
            raise ValidationError(errors)
        if summary["removed"]:
            agency_week_changed(agency_id=agency.pk, when=week_start,
                                producer_ids=[producer.pk])
    return summary


def _measurable_by_name(producer: Producer, week_start: dt.date) -> dict[str, Commitment]:
    """The week's measurable commitments under their form field's name (one query); one per
    name, by the model's constraints."""
    return {target_name(c): c
            for c in Commitment.objects.filter(producer=producer, week_start=week_start,
                                               kind__in=[Commitment.Kind.ACTIVITY,
                                                         Commitment.Kind.STAGE_WINS])}


def _wanted_targets(
    agency: Agency,
    activity_targets: dict[int, int | None],
    stage_targets: dict[int | None, int | None],
) -> tuple[list[_Target], dict[str, str]]:
    """The wanted numbers whose activity type or stage is the agency's, and an error for each
    one that is not (two queries)."""
    types = {t.pk: t for t in ActivityType.objects.filter(agency=agency,
                                                          pk__in=list(activity_targets))}
    stages = {s.pk: s for s in Stage.objects.filter(
        agency=agency, pk__in=[k for k in stage_targets if k is not None])}
    wanted: list[_Target] = []
    errors: dict[str, str] = {}
    for type_id, value in activity_targets.items():
        name = f"activity_{type_id}"
        if type_id not in types:
            errors[name] = "Choose one of your agency's activity types."
        else:
            wanted.append(_Target(name, Commitment.Kind.ACTIVITY, value or 0,
                                  activity_type=types[type_id]))
    for stage_id, value in stage_targets.items():
        name = "wins_any" if stage_id is None else f"wins_{stage_id}"
        if stage_id is not None and stage_id not in stages:
            errors[name] = "Choose one of your agency's stages (not Lost)."
        else:
            wanted.append(_Target(name, Commitment.Kind.STAGE_WINS, value or 0,
                                  stage=stages.get(stage_id)))
    return wanted, errors


def _target_apply(target: _Target, current: Commitment | None, *, started: bool,
                  producer: Producer, week_start: dt.date, actor: Producer) -> str | None:
    """Bring one number to what is wanted: "added", "changed", "removed", or None when it
    already is. Raises ValidationError when it cannot; the caller's transaction then rolls
    back every change."""
    current_target = current.target if current else 0
    if target.value == current_target:
        return None
    if current and started:
        raise ValidationError(f"The week has started; your commitment of {current_target} "
                              "stands.")
    if not target.value:
        commitment_withdrawn_record(current, actor=actor)
        current.delete()
        return "removed"
    # A changed number replaces the standing one in place (commitment_create updates it).
    commitment_create(producer=producer, week_start=week_start, actor=actor,
                      kind=target.kind, target=target.value,
                      activity_type=target.activity_type, stage=target.stage)
    return "changed" if current else "added"
