import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from salesculture.audit import audit_record, changed_fields
from salesculture.jobs import agency_week_changed
from salesculture.models import Agency, AuditEvent, Producer
from salesculture.weeks import Week

from .defaults import DEFAULT_ACTIVITY_TYPES, DEFAULT_LOST_REASONS, DEFAULT_STAGES
from .details import DETAIL_FIELDS, details_apply
from .ledger import last_move_at
from .marks import prospect_edit_marks
from .models import Activity, ActivityType, LostReason, Prospect, Stage, StageAdvance, StageWin
from .win_events import stage_win_publish
from .wins import furthest_after, stages_won


# Lives here rather than in salesculture because a new agency needs its default stages and
# activity types, and the layering only lets pipeline look down at salesculture.
@transaction.atomic
def agency_create(*, name: str, slug: str, time_zone: str = "America/Chicago") -> Agency:
    agency = Agency(name=name, slug=slug, time_zone=time_zone)
    agency.full_clean()
    agency.save()
    Stage.objects.bulk_create(
        Stage(agency=agency, name=stage_name, kind=kind, position=(index + 1) * 10,
              stale_after_days=stale, definition_of_done=definition)
        for index, (stage_name, kind, stale, definition) in enumerate(DEFAULT_STAGES)
    )
    ActivityType.objects.bulk_create(
        ActivityType(agency=agency, name=type_name, icon=icon, position=index)
        for index, (type_name, icon) in enumerate(DEFAULT_ACTIVITY_TYPES)
    )
    LostReason.objects.bulk_create(
        LostReason(agency=agency, name=reason, position=index)
        for index, reason in enumerate(DEFAULT_LOST_REASONS)
    )
    return agency


def _check_next_step_due(due: dt.date | None, *, agency: Agency, moment: dt.datetime) -> None:
    if due is not None and due < moment.astimezone(agency.tz).date():
        raise ValidationError({"next_step_due": "The next step cannot be due in the past."})


@transaction.atomic
def prospect_create(
    *,
    owner: Producer,
    name: str,
    actor: Producer | None = None,
    stage: Stage | None = None,
    line_of_business: str = Prospect.LineOfBusiness.PERSONAL,
    estimated_revenue: Decimal | int = 0,
    next_step: str = "",
    next_step_due: dt.date | None = None,
    source: str = "",
    occurred_at: dt.datetime | None = None,
    client_token: str | None = None,
    details: dict | None = None,
) -> Prospect:
    """A new prospect on `owner`'s board, with its first ledger row; `details` are the
    insurance facts (pipeline/details.py). A repeated `client_token` (the same form submitted
    twice) returns the prospect the first submit created."""
    agency = owner.agency
    if client_token and (first := _prospect_of_token(agency, client_token)) is not None:
        return first
    occurred_at = occurred_at or timezone.now()
    if stage is None:
        stage = (Stage.objects.filter(agency=agency, kind=Stage.Kind.OPEN,
                                      retired_at__isnull=True).order_by("position").first())
    if stage is None or stage.agency_id != agency.pk:
        raise ValidationError({"stage": "Choose a stage of your agency's pipeline."})
    if stage.retired_at is not None:
        raise ValidationError({"stage": f"{stage.name} is retired; choose another stage."})
    _check_next_step_due(next_step_due, agency=agency, moment=occurred_at)
    prospect = Prospect(
        agency=agency, owner=owner, name=name.strip(), line_of_business=line_of_business,
        estimated_revenue=Decimal(estimated_revenue), stage=stage, stage_entered_at=occurred_at,
        furthest_stage=furthest_after(furthest=None, to_stage=stage),
        next_step=next_step.strip(), next_step_due=next_step_due, source=source.strip(),
        client_token=client_token or None)
    details_apply(prospect, details)
    # The token's uniqueness is the database's to enforce, under concurrency (below).
    prospect.full_clean(exclude=["client_token"])
    try:
        with transaction.atomic():
            prospect.save()
    except IntegrityError:
        # The same token saved by a concurrent submit, which has committed by now.
        if client_token and (first := _prospect_of_token(agency, client_token)) is not None:
            return first
        raise
    StageAdvance.objects.create(
        agency=agency, prospect=prospect, producer=owner, moved_by=actor or owner,
        from_stage=None, to_stage=stage, occurred_at=occurred_at, is_win=False,
        next_step=prospect.next_step, next_step_due=next_step_due,
        line_of_business=prospect.line_of_business)
    # The week's funnel counts the prospects created in it, and its open pipeline grows.
    agency_week_changed(agency_id=agency.pk, when=occurred_at, agency=agency,
                        producer_ids=[owner.pk])
    return prospect


OUT_OF_DATE = "This form is out of date; reload the page and try again."


def moved_meanwhile(prospect: Prospect) -> str:
    """Why a move from where its page saw the prospect is refused."""
    return (f"{prospect.name} was moved to {prospect.stage.name} meanwhile; nothing was "
            "changed. Look again and retry.")


def _prospect_of_token(agency: Agency, client_token: str) -> Prospect | None:
    return Prospect.all_objects.filter(agency=agency, client_token=client_token).first()


@transaction.atomic
def prospect_update(
    *,
    prospect: Prospect,
    name: str,
    line_of_business: str,
    estimated_revenue: Decimal,
    next_step: str,
    next_step_due: dt.date | None,
    source: str = "",
    actor: Producer | None = None,
    owner: Producer | None = None,
    details: dict | None = None,
) -> Prospect:
    """Edit a prospect; `owner`, when given, hands it to another producer of the agency. The
    edit and the change of owner are recorded as two kinds of event."""
    before = prospect_audit_snapshot(prospect)
    if next_step_due != prospect.next_step_due:
        _check_next_step_due(next_step_due, agency=prospect.agency, moment=timezone.now())
    if owner is not None and owner.pk != prospect.owner_id:
        if owner.agency_id != prospect.agency_id:
            raise ValidationError({"owner": "Choose someone of your agency."})
        prospect.owner = owner
    prospect.name = name.strip()
    prospect.line_of_business = line_of_business
    prospect.estimated_revenue = estimated_revenue
    prospect.next_step = next_step.strip()
    prospect.next_step_due = next_step_due
    prospect.source = source.strip()
    details_apply(prospect, details)
    prospect.full_clean()
    prospect.save()
    prospect_changes_record(before=before, prospect=prospect, actor=actor)
    prospect_edit_marks(before=before, prospect=prospect)
    return prospect


def prospect_advance(
    *,
    prospect: Prospect,
    to_stage: Stage,
    actor: Producer,
    note: str = "",
    next_step: str = "",
    next_step_due: dt.date | None = None,
    lost_reason: str = "",
    definition_confirmed: bool = False,
    expected_stage: Stage,
    occurred_at: dt.datetime | None = None,
) -> StageAdvance:
    """Move a prospect from `expected_stage` (where the caller saw it) and write its ledger
    row, all or nothing.

    The prospect row is locked for the duration, so two concurrent moves cannot both apply:
    the second finds the prospect no longer where its caller saw it and is refused. The
    expected stage is required, so a repeated post can never apply a move twice.
    """
    occurred_at = occurred_at or timezone.now()
    with transaction.atomic():
        # No joins in the locking read: PostgreSQL re-checks a locked row after waiting, and a
        # joined stage row that no longer matches would make the row vanish instead.
        locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
        agency = locked.agency
        if to_stage.agency_id != agency.pk:
            raise ValidationError({"to_stage": "Choose a stage of your agency's pipeline."})
        if to_stage.retired_at is not None:
            raise ValidationError({"to_stage": f"{to_stage.name} is retired; choose another "
                                               "stage."})
        if expected_stage is None:
            raise ValidationError(OUT_OF_DATE)
        if locked.stage_id != expected_stage.pk:
            raise ValidationError(moved_meanwhile(locked))
        from_stage = locked.stage
        if to_stage.pk == from_stage.pk:
            raise ValidationError({"to_stage": f"{locked.name} is already in {from_stage.name}."})
        lost_reason = lost_reason.strip()
        if to_stage.is_lost and not lost_reason:
            raise ValidationError(
                {"lost_reason": "Say why the prospect was lost; a reason is required."})
        _check_next_step_due(next_step_due, agency=agency, moment=occurred_at)

        stages = list(Stage.objects.filter(agency=agency))
        # A prospect built before the high-water mark existed had reached at least where it is.
        furthest = next((s for s in stages if s.pk == locked.furthest_stage_id), None) or (
            None if from_stage.is_lost else from_stage)
        # A retired stage is never won again, even by a move that skips past it.
        won = stages_won(stages=[s for s in stages if s.retired_at is None],
                         furthest=furthest, to_stage=to_stage)
        closed = to_stage.kind != Stage.Kind.OPEN
        locked.stage = to_stage
        locked.stage_entered_at = occurred_at
        locked.furthest_stage = furthest_after(furthest=furthest, to_stage=to_stage)
        locked.next_step = "" if closed else next_step.strip()
        locked.next_step_due = None if closed else next_step_due
        locked.lost_reason = lost_reason if to_stage.is_lost else ""
        locked.save(update_fields=["stage", "stage_entered_at", "furthest_stage", "next_step",
                                   "next_step_due", "lost_reason", "updated_at"])
        advance = StageAdvance.objects.create(
            agency=agency, prospect=locked, producer_id=locked.owner_id, moved_by=actor,
            from_stage=from_stage, to_stage=to_stage, occurred_at=occurred_at,
            from_stage_entered_at=last_move_at(locked.pk, occurred_at),
            wins=len(won), is_win=bool(won),
            note=note.strip(), next_step=next_step.strip(), next_step_due=next_step_due,
            definition_confirmed=definition_confirmed, lost_reason=locked.lost_reason,
            line_of_business=locked.line_of_business)
        StageWin.objects.bulk_create(
            StageWin(agency=agency, prospect=locked, advance=advance,
                     producer_id=advance.producer_id, stage=stage, occurred_at=occurred_at)
            for stage in won)
        # The move, its wins and the prospect's place in the pipeline are all its owner's
        # (the advance is recorded under the owner, whoever moved it).
        agency_week_changed(agency_id=agency.pk, when=occurred_at, agency=agency,
                            producer_ids=[locked.owner_id])
        if won:
            stage_win_publish(locked, advance, won)
    prospect.refresh_from_db()
    return advance


def _check_activity(*, producer: Producer, activity_type: ActivityType, quantity: int,
                    prospect: Prospect | None, occurred_at: dt.datetime) -> None:
    errors = {}
    if not isinstance(quantity, int) or not 1 <= quantity <= Activity.MAX_QUANTITY:
        errors["quantity"] = f"Enter a quantity between 1 and {Activity.MAX_QUANTITY}."
    if activity_type.agency_id != producer.agency_id:
        errors["activity_type"] = "Choose one of your agency's activity types."
    elif not activity_type.is_active:
        errors["activity_type"] = f"{activity_type.name} is no longer in use; choose another."
    if prospect is not None and prospect.owner_id != producer.pk:
        errors["prospect"] = "Choose one of your own prospects."
    agency = producer.agency
    now = timezone.now()
    if occurred_at > now + dt.timedelta(minutes=5):
        errors["occurred_at"] = "An activity cannot be logged in the future."
    elif Week.of(agency, occurred_at) < Week.current(agency).previous:
        errors["occurred_at"] = "Only this week and last week can be logged."
    if errors:
        raise ValidationError(errors)


def activity_log(
    *,
    producer: Producer,
    activity_type: ActivityType,
    quantity: int = 1,
    prospect: Prospect | None = None,
    occurred_at: dt.datetime | None = None,
    outcome: str = "",
    note: str = "",
    client_token: str | None = None,
    validate_window: bool = True,
) -> tuple[Activity, bool]:
    """Record an activity; returns (activity, created).

    A repeated `client_token` (a double tap on the same rendered button) returns the first
    activity with created=False, so it is counted once.
    """
    occurred_at = occurred_at or timezone.now()
    if validate_window:
        _check_activity(producer=producer, activity_type=activity_type, quantity=quantity,
                        prospect=prospect, occurred_at=occurred_at)
    activity = Activity(
        agency_id=producer.agency_id, producer=producer, activity_type=activity_type,
        prospect=prospect, occurred_at=occurred_at, quantity=quantity, outcome=outcome,
        note=note.strip(), client_token=client_token or None)
    try:
        with transaction.atomic():
            activity.save()
            agency_week_changed(agency_id=producer.agency_id, when=occurred_at,
                                agency=producer.agency, producer_ids=[producer.pk])
    except IntegrityError:
        if client_token:
            existing = Activity.objects.filter(producer=producer, client_token=client_token).first()
            if existing is not None:
                return existing, False
        raise
    return activity, True


def activity_undo(*, activity: Activity, actor: Producer) -> None:
    """Take back one's own activity within the undo window (a mistaken tap)."""
    window = dt.timedelta(seconds=settings.SALESCULTURE["UNDO_SECONDS"])
    if activity.producer_id != actor.pk:
        raise ValidationError("You can only undo your own activities.")
    if timezone.now() - activity.created_at > window:
        raise ValidationError("Too late to undo; activities can be undone within a minute.")
    with transaction.atomic():
        activity.delete()
        agency_week_changed(agency_id=actor.agency_id, when=activity.occurred_at,
                            agency=actor.agency, producer_ids=[activity.producer_id])


# --- soft delete and the audit trail of prospects -------------------------------------------

AUDITED_FIELDS = ("name", "line_of_business", "estimated_revenue", "next_step", "next_step_due",
                  "source", *DETAIL_FIELDS)


def prospect_audit_snapshot(prospect: Prospect) -> dict:
    """What the audit trail compares before and after an edit, as the page shows it (the line
    of business by its label), and the owner as (id, name)."""
    values = {name: getattr(prospect, name) for name in AUDITED_FIELDS}
    values["line_of_business"] = prospect.get_line_of_business_display()
    values["owner"] = (prospect.owner_id, prospect.owner.name)
    return values


def prospect_changes_record(*, before: dict, prospect: Prospect, actor: Producer | None) -> None:
    """prospect.edited with the fields that changed, and prospect.owner_changed when it went to
    someone else. Called inside the transaction that saved the prospect."""
    after = prospect_audit_snapshot(prospect)
    (before_id, before_name), (after_id, after_name) = before["owner"], after.pop("owner")
    edits = changed_fields(before, after)
    if edits:
        audit_record(agency=prospect.agency_id, actor=actor, kind=AuditEvent.Kind.PROSPECT_EDITED,
                     subject=prospect, label=prospect.name, changes=edits)
    if before_id != after_id:
        audit_record(agency=prospect.agency_id, actor=actor, subject=prospect,
                     kind=AuditEvent.Kind.PROSPECT_OWNER_CHANGED, label=prospect.name,
                     changes={"owner": [before_name, after_name]})


def prospect_delete(*, prospect: Prospect, actor: Producer | None) -> None:
    """Soft delete: the prospect leaves every page and the open pipeline, its ledger rows stay
    and keep counting, and the deletion is recorded. Who may delete is the view's question
    (whoever may edit it: `prospect_get_visible`). Deleting twice changes nothing."""
    with transaction.atomic():
        locked = Prospect.objects.select_for_update().filter(pk=prospect.pk).first()
        if locked is None:
            return
        locked.deleted_at, locked.deleted_by = timezone.now(), actor
        locked.save(update_fields=["deleted_at", "deleted_by", "updated_at"])
        audit_record(agency=locked.agency_id, actor=actor, kind=AuditEvent.Kind.PROSPECT_DELETED,
                     subject=locked, label=locked.name)
        # Its value leaves this week's open pipeline.
        agency_week_changed(agency_id=locked.agency_id, when=Week.current(locked.agency).start,
                            producer_ids=[locked.owner_id])
    prospect.deleted_at, prospect.deleted_by = locked.deleted_at, actor
