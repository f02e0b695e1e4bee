"""Writing an import's good rows, a batch at a time: each writer is a generator that yields
(rows of the file gone through, created, updated) after each batch, and is called inside the
one transaction of the import (apply.py). New rows are inserted in bulk (a 50,000-row file is
some hundred statements); a row already there costs nothing when it is as in the file, one
UPDATE when it changed.

Imported prospects enter the ledger as `StageAdvance.Source.IMPORTED` rows: where each stood
in the spreadsheet. Such a row wins nothing (no StageWin), so the scorecard job, which
celebrates stage wins only, never celebrates it; and the high-water mark starts at that
stage, so a later move in the app wins only the stages beyond it."""

import datetime as dt
from itertools import islice

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from salesculture.agency_cache import PEOPLE, agency_changed
from salesculture.audit import audit_record
from salesculture.jobs import agency_week_changed
from salesculture.models import AuditEvent, Producer
from salesculture.weeks import Week

from ..details import DETAIL_FIELDS
from ..ledger import last_moves_at
from ..models import Activity, ImportJob, Prospect, Stage, StageAdvance
from ..phones import phone_digits
from ..repricing import bound_weeks_changed
from ..wins import furthest_after
from .checks import Row

IMPORTED = StageAdvance.Source.IMPORTED


def _batches(rows: list[Row]):
    size = max(1, settings.IMPORT_BATCH_SIZE)
    it, done = iter(rows), 0
    while batch := list(islice(it, size)):
        done += len(batch)
        yield done, [row for row in batch if row.ok]


def write_prospects(*, job: ImportJob, actor: Producer, rows: list[Row]):
    agency, now = job.agency, timezone.now()
    stages = {s.pk: s for s in Stage.objects.filter(agency=agency)}
    # A detail the file has no column for is left as it is on a prospect already there.
    mapped_details = [f for f in DETAIL_FIELDS if job.mapping.get(f)]
    repriced: list[int] = []
    for done, batch in _batches(rows):
        new = [Prospect(
            agency=agency, owner_id=v["owner_email"], stage=stages[v["stage"]],
            stage_entered_at=now, furthest_stage=furthest_after(
                furthest=None, to_stage=stages[v["stage"]]),
            external_id=v["external_id"] or None, **{f: v[f] for f in FIELDS},
            **{f: v[f] for f in DETAIL_FIELDS if v[f] is not None})
            for v in (row.values for row in batch if not row.values["match"])]
        Prospect.objects.bulk_create(new)
        advances = [_imported_advance(p, None, p.stage, actor, now) for p in new]
        changed = {row.values["match"]: row.values for row in batch if row.values["match"]}
        updated = 0
        locked = list(Prospect.all_objects.select_for_update().filter(pk__in=list(changed)))
        # Moved once they are locked: a move made in the app while the file was being read
        # then comes before the import's in the ledger, as it came before it in time.
        moved_at = timezone.now()
        last_moves = last_moves_at([p.pk for p in locked]) if locked else {}
        for prospect in locked:
            changes = _prospect_changes(prospect, changed[prospect.pk], stages, moved_at,
                                        details=mapped_details)
            if changes:
                if "stage" in changes:
                    advances.append(_imported_advance(
                        prospect, stages[prospect.stage_id], changes["stage"], actor, moved_at,
                        entered_at=last_moves.get(prospect.pk)))
                # One plain UPDATE per changed prospect: Django's bulk_update builds a CASE
                # per column and row, which took 5 ms a row; a file imported again is mostly
                # unchanged rows, which cost nothing.
                Prospect.all_objects.filter(pk=prospect.pk).update(**changes,
                                                                   updated_at=moved_at)
                updated += 1
                if {"premium", "estimated_revenue"} & changes.keys():
                    repriced.append(prospect.pk)
        StageAdvance.objects.bulk_create(advances)
        yield done, len(new), updated
    # The open pipeline on this week's scorecards changed, and the production numbers of
    # the weeks the repriced prospects were bound in.
    agency_week_changed(agency_id=agency.pk, when=Week.current(agency).start)
    bound_weeks_changed(agency, repriced)


FIELDS = ("name", "line_of_business", "estimated_revenue", "next_step", "next_step_due",
          "source")


def _prospect_changes(prospect: Prospect, values: dict, stages: dict, now, *,
                      details: list[str] = ()) -> dict:
    """What the row changes on a prospect already there ({} when it is as in the file)."""
    changes = {f: values[f] for f in (*FIELDS, *details) if getattr(prospect, f) != values[f]}
    if prospect.owner_id != values["owner_email"]:
        changes["owner_id"] = values["owner_email"]
    if values["external_id"] and values["external_id"] != prospect.external_id:
        changes["external_id"] = values["external_id"]
    if "phone" in changes:  # a queryset update bypasses the field's own pre_save
        changes["phone_digits"] = phone_digits(changes["phone"])
    to_stage = stages[values["stage"]]
    if to_stage.pk != prospect.stage_id:
        changes.update(stage=to_stage, stage_entered_at=now, furthest_stage=furthest_after(
            furthest=stages.get(prospect.furthest_stage_id), to_stage=to_stage))
    return changes


def _imported_advance(prospect: Prospect, from_stage, to_stage, actor: Producer,
                      now: dt.datetime, *, entered_at: dt.datetime | None = None
                      ) -> StageAdvance:
    """`entered_at`: when the stay this row ends began (the prospect's last move; none for
    a prospect the import creates)."""
    return StageAdvance(
        agency_id=prospect.agency_id, prospect=prospect, producer_id=prospect.owner_id,
        moved_by=actor, from_stage=from_stage, to_stage=to_stage, occurred_at=now,
        from_stage_entered_at=entered_at,
        wins=0, is_win=False, source=IMPORTED, next_step=prospect.next_step,
        next_step_due=prospect.next_step_due, note="Imported from a CSV file.",
        line_of_business=prospect.line_of_business)


def activity_token(values: dict) -> str:
    """The natural key of an imported activity (day, type, prospect), unique per producer by
    the activity's client-token constraint, so importing a file twice counts it once."""
    return f"import:{values['date']}:{values['type']}:{values['prospect_external_id'] or 0}"


def write_activities(*, job: ImportJob, actor: Producer, rows: list[Row]):
    agency = job.agency
    noon = dt.time(12, tzinfo=agency.tz)
    weeks = set()
    for done, batch in _batches(rows):
        keyed = {(v["producer_email"], activity_token(v)): v for v in (r.values for r in batch)}
        existing = {(a.producer_id, a.client_token): a for a in Activity.objects.filter(
            agency=agency, producer_id__in={p for p, _ in keyed},
            client_token__in={t for _, t in keyed})}
        new, changed = [], []
        for (producer_id, token), v in keyed.items():
            activity = existing.get((producer_id, token))
            if activity is None:
                activity = Activity(
                    agency=agency, producer_id=producer_id, activity_type_id=v["type"],
                    prospect_id=v["prospect_external_id"], client_token=token,
                    occurred_at=dt.datetime.combine(v["date"], noon))
                new.append(activity)
            elif (activity.quantity, activity.note) != (v["quantity"], v["note"]):
                changed.append(activity)
            activity.quantity, activity.note = v["quantity"], v["note"]
            weeks.add(Week.of(agency, activity.occurred_at).start)
        Activity.objects.bulk_create(new)
        for activity in changed:
            Activity.objects.filter(pk=activity.pk).update(quantity=activity.quantity,
                                                           note=activity.note)
        yield done, len(new), len(changed)
    for week_start in sorted(weeks):
        agency_week_changed(agency_id=agency.pk, when=week_start)


def write_people(*, job: ImportJob, actor: Producer, rows: list[Row]):
    """New people get a login with no password (unusable): they set one through the password
    reset, or an invitation once invitations exist. Known people (same email in the agency)
    get their name, team, goal and role updated, the role and goal changes audited."""
    agency, users = job.agency, get_user_model()
    for done, batch in _batches(rows):
        new = [row.values for row in batch if not row.values["match"]]
        accounts = [users(username=v["email"], email=v["email"], **_names(v["name"]))
                    for v in new]
        for account in accounts:
            account.set_unusable_password()
        users.objects.bulk_create(accounts)
        Producer.objects.bulk_create(
            Producer(user=account, agency=agency, team_id=v["team"],
                     role=v["role"] or Producer.Role.PRODUCER,
                     annual_goal=v["goal"]) for account, v in zip(accounts, new, strict=True))
        if new:  # made in bulk, without the save signal that says so
            agency_changed(agency.pk, PEOPLE)
        changed = {row.values["match"]: row.values for row in batch if row.values["match"]}
        existing = Producer.objects.select_related("user").in_bulk(list(changed))
        for pk, person in existing.items():
            _person_update(person, changed[pk], actor)
        yield done, len(new), len(existing)


def _names(name: str) -> dict:
    first, _, last = name.partition(" ")
    return {"first_name": first[:150], "last_name": last[:150]}


def _person_update(person: Producer, values: dict, actor: Producer) -> None:
    for kind, field in ((AuditEvent.Kind.ROLE_CHANGED, "role"),
                        (AuditEvent.Kind.GOAL_CHANGED, "annual_goal")):
        new = values["role" if field == "role" else "goal"]
        if new is not None and str(getattr(person, field)) != str(new):
            audit_record(agency=person.agency_id, actor=actor, kind=kind, subject=person,
                         label=person.name, changes={field: [getattr(person, field), new]})
            setattr(person, field, new)
    person.team_id = values["team"] if values["team"] is not None else person.team_id
    person.save(update_fields=["role", "annual_goal", "team"])
    for key, value in _names(values["name"]).items():
        setattr(person.user, key, value)
    person.user.save(update_fields=["first_name", "last_name"])


WRITERS = {"prospects": write_prospects, "activities": write_activities,
           "people": write_people}
