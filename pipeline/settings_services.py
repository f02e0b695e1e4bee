"""The owners' settings of the sales process: stages, activity types and lost reasons.

Every write locks the agency row first, so two owners reordering at once take turns instead of
colliding on a position, and records an audit event in the same transaction.

Past wins never move: a `StageWin` row is written when a move wins a stage and nothing here
rewrites one. Reordering changes which stages a *future* move passes; retiring a stage keeps
every ledger row, win and count that names it, and only stops offering it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Model, Q
from django.utils import timezone

from salesculture.audit import audit_record, changed_fields
from salesculture.models import Agency, AuditEvent, Producer

from .models import ActivityType, LostReason, Prospect, Stage, StageAdvance, StageWin

UP, DOWN = "up", "down"
# Stage positions are unique per agency: a renumbering first lifts every stage above any
# position in use, so no two rows ever share one mid-way (the constraint is not deferred).
_LIFT = 10000
_STEP = 10


def _agency_lock(agency: Agency) -> None:
    Agency.objects.select_for_update().filter(pk=agency.pk).first()


def _clean_name(name: str, *, model: type[Model], agency: Agency, exclude_pk=None,
                what: str) -> str:
    name = " ".join((name or "").split())
    limit = model._meta.get_field("name").max_length
    if not name:
        raise ValidationError({"name": f"Give the {what} a name."})
    if len(name) > limit:
        raise ValidationError({"name": f"Keep the name to {limit} characters."})
    taken = model.objects.filter(agency=agency, name__iexact=name).exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError({"name": f"“{name}” is already one of your agency's {what}s."})
    return name


def _swap(rows: list, row, direction: str) -> list | None:
    """`rows` with `row` moved one place up or down; None when it is already at that end."""
    index = next(i for i, r in enumerate(rows) if r.pk == row.pk)
    other = index - 1 if direction == UP else index + 1
    if direction not in (UP, DOWN) or not 0 <= other < len(rows):
        return None
    rows = list(rows)
    rows[index], rows[other] = rows[other], rows[index]
    return rows


# --- stages -----------------------------------------------------------------------------------

STAGE_FIELDS = ("name", "kind", "definition_of_done", "stale_after_days")


def stage_in_use(stage: Stage) -> bool:
    """Any prospect (deleted ones too) or ledger row names it: it can be retired, not deleted."""
    return (Prospect.all_objects.filter(Q(stage=stage) | Q(furthest_stage=stage)).exists()
            or StageAdvance.objects.filter(Q(from_stage=stage) | Q(to_stage=stage)).exists()
            or StageWin.objects.filter(stage=stage).exists())


def _stages_renumber(agency: Agency, ordered: list[Stage]) -> None:
    Stage.objects.filter(agency=agency).update(position=F("position") + _LIFT)
    for index, stage in enumerate(ordered):
        stage.position = (index + 1) * _STEP
    Stage.objects.bulk_update(ordered, ["position"])


def _check_pipeline_shape(agency: Agency) -> None:
    """A prospect always has somewhere to start and somewhere to be bound."""
    kinds = set(Stage.objects.filter(agency=agency, retired_at__isnull=True)
                .values_list("kind", flat=True))
    if Stage.Kind.OPEN not in kinds:
        raise ValidationError("Keep at least one open stage in use: new prospects start there.")
    if Stage.Kind.WON not in kinds:
        raise ValidationError("Keep at least one won stage in use: it is where a sale is bound.")


def _clean_stage(*, agency: Agency, stage: Stage) -> None:
    if stage.kind not in Stage.Kind.values:
        raise ValidationError({"kind": "Choose open, won or lost."})
    if not (stage.definition_of_done or "").strip():
        raise ValidationError({"definition_of_done": "Say what must be true for a prospect to "
                                                     "reach this stage."})
    stage.definition_of_done = stage.definition_of_done.strip()
    stale = stage.stale_after_days
    if not isinstance(stale, int) or not 1 <= stale <= 365:
        raise ValidationError({"stale_after_days": "Enter a number of days between 1 and 365."})


@transaction.atomic
def stage_add(*, agency: Agency, actor: Producer | None, name: str, kind: str,
              definition_of_done: str, stale_after_days: int) -> Stage:
    """A new open stage goes last among the open ones (before Bound and Lost), a won or lost
    stage last of all; the buttons move it from there."""
    _agency_lock(agency)
    stage = Stage(agency=agency, kind=kind, definition_of_done=definition_of_done,
                  stale_after_days=stale_after_days, position=0)
    stage.name = _clean_name(name, model=Stage, agency=agency, what="stage")
    _clean_stage(agency=agency, stage=stage)
    ordered = list(Stage.objects.filter(agency=agency).order_by("position"))
    stage.position = (ordered[-1].position if ordered else 0) + 1  # free, for a moment
    stage.save()
    at = len(ordered)
    if kind == Stage.Kind.OPEN:
        at = next((i for i, s in enumerate(ordered) if s.kind != Stage.Kind.OPEN), len(ordered))
    _stages_renumber(agency, [*ordered[:at], stage, *ordered[at:]])
    audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.STAGE_ADDED, subject=stage,
                 changes={"name": [None, stage.name], "kind": [None, stage.kind]})
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, actor: Producer | None, name: str, kind: str,
                 definition_of_done: str, stale_after_days: int) -> Stage:
    """A stage with history keeps its kind: a Bound that became open would turn past sales
    into open pipeline. Add a new stage instead."""
    agency = stage.agency
    _agency_lock(agency)
    before = {field: getattr(stage, field) for field in STAGE_FIELDS}
    stage.name = _clean_name(name, model=Stage, agency=agency, exclude_pk=stage.pk, what="stage")
    stage.kind, stage.definition_of_done = kind, definition_of_done
    stage.stale_after_days = stale_after_days
    _clean_stage(agency=agency, stage=stage)
    if stage.kind != before["kind"] and stage_in_use(stage):
        raise ValidationError({"kind": f"{before['name']} has history, so it keeps its kind; "
                                       "add a new stage of the kind you need."})
    stage.save(update_fields=list(STAGE_FIELDS))
    _check_pipeline_shape(agency)
    changes = changed_fields(before, {field: getattr(stage, field) for field in STAGE_FIELDS})
    if changes:
        audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.STAGE_CHANGED,
                     subject=stage, changes=changes)
    return stage


@transaction.atomic
def stage_move(*, stage: Stage, actor: Producer | None, direction: str) -> Stage:
    """One place up or down. Only positions change: every stored win stays as it was."""
    agency = stage.agency
    _agency_lock(agency)
    ordered = list(Stage.objects.filter(agency=agency).order_by("position"))
    swapped = _swap(ordered, stage, direction)
    if swapped is None:
        return stage
    before = [s.name for s in ordered]
    _stages_renumber(agency, swapped)
    audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.STAGE_MOVED, subject=stage,
                 changes={"order": [before, [s.name for s in swapped]]})
    stage.refresh_from_db(fields=["position"])
    return stage


@transaction.atomic
def stage_retire(*, stage: Stage, actor: Producer | None) -> Stage:
    """No longer offered for moves or new prospects; its history stays on every page. An open
    stage that still holds prospects is refused: they would sit in a column nobody sees."""
    agency = stage.agency
    _agency_lock(agency)
    if stage.retired_at is not None:
        return stage
    if stage.kind == Stage.Kind.OPEN:
        waiting = Prospect.objects.filter(stage=stage).count()
        if waiting:
            raise ValidationError(
                f"{waiting} prospect{'s are' if waiting != 1 else ' is'} in {stage.name}; "
                "move them to another stage first.")
    stage.retired_at = timezone.now()
    stage.save(update_fields=["retired_at"])
    _check_pipeline_shape(agency)
    audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.STAGE_RETIRED, subject=stage)
    return stage


@transaction.atomic
def stage_restore(*, stage: Stage, actor: Producer | None) -> Stage:
    _agency_lock(stage.agency)
    if stage.retired_at is not None:
        stage.retired_at = None
        stage.save(update_fields=["retired_at"])
        audit_record(agency=stage.agency, actor=actor, kind=AuditEvent.Kind.STAGE_RESTORED,
                     subject=stage)
    return stage


@transaction.atomic
def stage_delete(*, stage: Stage, actor: Producer | None) -> None:
    """Only a stage nothing names (one added by mistake); anything else is retired."""
    agency = stage.agency
    _agency_lock(agency)
    if stage_in_use(stage):
        raise ValidationError(f"{stage.name} has history, so it cannot be deleted; retire it "
                              "instead and its history stays.")
    audit_record(agency=agency, actor=actor, kind=AuditEvent.Kind.STAGE_DELETED, subject=stage)
    stage.delete()
    _check_pipeline_shape(agency)


# --- activity types and lost reasons: named, ordered, retired ---------------------------------

_KINDS = {
    ActivityType: ("activity type", AuditEvent.Kind.ACTIVITY_TYPE_ADDED,
                   AuditEvent.Kind.ACTIVITY_TYPE_CHANGED, AuditEvent.Kind.ACTIVITY_TYPE_MOVED,
                   AuditEvent.Kind.ACTIVITY_TYPE_RETIRED, AuditEvent.Kind.ACTIVITY_TYPE_RESTORED),
    LostReason: ("lost reason", AuditEvent.Kind.LOST_REASON_ADDED,
                 AuditEvent.Kind.LOST_REASON_CHANGED, AuditEvent.Kind.LOST_REASON_MOVED,
                 AuditEvent.Kind.LOST_REASON_RETIRED, AuditEvent.Kind.LOST_REASON_RESTORED),
}


def _clean_icon(icon: str) -> str:
    icon = (icon or "").strip()
    if len(icon) > ActivityType._meta.get_field("icon").max_length:
        raise ValidationError({"icon": "Keep the icon to one emoji."})
    return icon


@transaction.atomic
def listed_add(*, model: type[ActivityType | LostReason], agency: Agency,
               actor: Producer | None, name: str, icon: str = ""):
    """A new activity type or lost reason, last in the list."""
    what, added, *_ = _KINDS[model]
    _agency_lock(agency)
    row = model(agency=agency, name=_clean_name(name, model=model, agency=agency, what=what))
    if model is ActivityType:
        row.icon = _clean_icon(icon)
    last = model.objects.filter(agency=agency).order_by("-position").first()
    row.position = last.position + 1 if last is not None else 0
    row.save()
    audit_record(agency=agency, actor=actor, kind=added, subject=row,
                 changes={"name": [None, row.name]})
    return row


@transaction.atomic
def listed_update(*, row: ActivityType | LostReason, actor: Producer | None, name: str,
                  icon: str = ""):
    """Rename (and for an activity type, change its icon). Past activities and losses keep
    counting under the renamed row: a lost prospect keeps the reason text it was given."""
    model = type(row)
    what, _, changed, *_ = _KINDS[model]
    _agency_lock(row.agency)
    before = {"name": row.name, "icon": getattr(row, "icon", "")}
    row.name = _clean_name(name, model=model, agency=row.agency, exclude_pk=row.pk, what=what)
    fields = ["name"]
    if model is ActivityType:
        row.icon = _clean_icon(icon)
        fields.append("icon")
    row.save(update_fields=fields)
    changes = changed_fields({f: before[f] for f in fields}, {f: getattr(row, f) for f in fields})
    if changes:
        audit_record(agency=row.agency, actor=actor, kind=changed, subject=row, changes=changes)
    return row


@transaction.atomic
def listed_move(*, row: ActivityType | LostReason, actor: Producer | None, direction: str):
    model = type(row)
    moved = _KINDS[model][3]
    _agency_lock(row.agency)
    ordered = list(model.objects.filter(agency=row.agency).order_by("position", "name", "pk"))
    swapped = _swap(ordered, row, direction)
    if swapped is None:
        return row
    for index, each in enumerate(swapped):
        each.position = index
    model.objects.bulk_update(swapped, ["position"])
    audit_record(agency=row.agency, actor=actor, kind=moved, subject=row,
                 changes={"order": [[r.name for r in ordered], [r.name for r in swapped]]})
    return row


@transaction.atomic
def listed_set_active(*, row: ActivityType | LostReason, actor: Producer | None, active: bool):
    """Retire (no longer offered; every past row keeps it) or bring back. At least one activity
    type stays in use, or nobody could log anything."""
    model = type(row)
    retired, restored = _KINDS[model][4:]
    _agency_lock(row.agency)
    row.refresh_from_db(fields=["is_active"])
    if row.is_active == active:
        return row
    if (not active and model is ActivityType and not model.objects.filter(
            agency=row.agency, is_active=True).exclude(pk=row.pk).exists()):
        raise ValidationError("Keep at least one activity type in use, or nobody can log one.")
    row.is_active = active
    row.save(update_fields=["is_active"])
    audit_record(agency=row.agency, actor=actor, kind=restored if active else retired,
                 subject=row)
    return row
