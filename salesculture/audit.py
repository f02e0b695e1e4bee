"""The one writer of the audit trail (`AuditEvent`), and the helpers its callers share.

Only services call `audit_record`, inside the transaction that makes the change, so an event
is written exactly when its change commits. Views and templates never write events.
"""

import datetime as dt
from decimal import Decimal

from django.db import models
from django.utils import timezone

from .models import Agency, AuditEvent, Producer

# Never recorded, whatever a caller passes: secrets are not history.
SECRET_FIELDS = frozenset({"password", "token", "session_epoch"})


def plain(value):
    """A value as JSON keeps it: money as a string of cents (no float rounding), dates as ISO
    text, a row by its name."""
    if isinstance(value, Decimal):
        return str(value.quantize(Decimal("0.01")))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    return value


def changed_fields(before: dict, after: dict) -> dict[str, list]:
    """{field: [before, after]} for the fields whose plain value differs."""
    return {name: [plain(before.get(name)), plain(after.get(name))] for name in after
            if plain(before.get(name)) != plain(after.get(name))}


def audit_record(*, agency: Agency | int, actor: Producer | None, kind: str, subject,
                 changes: dict | None = None, label: str | None = None) -> AuditEvent:
    """Append one event: `actor` did `kind` to `subject` (a saved model instance), with its
    `changes` as {field: [before, after]}. `label` names the subject as the page will show it
    (default: its str); it is copied now, so it survives the subject's deletion. Called inside
    the caller's transaction."""
    changes = {name: [plain(v) for v in pair] if isinstance(pair, list | tuple) else plain(pair)
               for name, pair in (changes or {}).items() if name not in SECRET_FIELDS}
    return AuditEvent.objects.create(
        agency_id=agency if isinstance(agency, int) else agency.pk,
        actor=actor, actor_label=actor.name if actor is not None else "",
        at=timezone.now(), kind=AuditEvent.Kind(kind), subject_type=subject._meta.label_lower,
        subject_id=subject.pk, subject_label=(label if label is not None else str(subject))[:240],
        changes=changes)


def admin_actor(user, agency_id: int) -> Producer | None:
    """Who an admin change is recorded as: the signed-in person when they belong to the
    agency changed, else nobody (the page then says "An administrator"), so no name of one
    agency appears in another's history."""
    producer = getattr(user, "producer", None)
    return producer if producer is not None and producer.agency_id == agency_id else None
