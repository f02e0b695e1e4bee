"""The weekly confidence check-in: three 1–5 ratings on the pillars and a note."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from salesculture.jobs import agency_week_changed
from salesculture.models import Producer

from ..models import ConfidenceCheckIn


@transaction.atomic
def check_in_record(*, producer: Producer, week_start: dt.date, process: int, pipeline: int,
                    team: int, note: str = "") -> tuple[ConfidenceCheckIn, bool]:
    """Record (or correct) the producer's check-in for the week; returns (check_in, created).
    The week's scorecard carries the average, so it is refreshed once this commits."""
    errors = {}
    for name, value in (("process", process), ("pipeline", pipeline), ("team", team)):
        if not isinstance(value, int) or not 1 <= value <= 5:
            errors[name] = "Rate this from 1 to 5."
    note = (note or "").strip()
    limit = ConfidenceCheckIn._meta.get_field("note").max_length
    if len(note) > limit:
        errors["note"] = f"Keep the note under {limit} characters."
    if errors:
        raise ValidationError(errors)
    check_in, created = ConfidenceCheckIn.objects.update_or_create(
        producer=producer, week_start=week_start,
        defaults={"agency": producer.agency, "process": process, "pipeline": pipeline,
                  "team": team, "note": note})
    agency_week_changed(agency_id=producer.agency_id, when=week_start,
                        producer_ids=[producer.pk])
    return check_in, created
