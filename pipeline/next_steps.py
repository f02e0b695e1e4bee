"""Finishing a next step without moving the prospect (issue 15): "done" logs the activity the
step was about and sets the new next step, in one transaction, from one small form."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from salesculture.models import Producer

from .models import Activity, ActivityType, Prospect, Stage
from .services import activity_log, prospect_audit_snapshot, prospect_changes_record
from .xdates import agency_today

# Words in a next step that say which activity it is, beyond the type's own name.
STEP_WORDS = {
    "call": ("call", "phone", "ring", "dial"),
    "email": ("email", "e-mail", "send", "mail"),
    "appointment": ("appointment", "meet", "meeting", "visit", "review", "walk"),
    "referral ask": ("referral", "referrals"),
    "quote": ("quote", "quotes", "loss runs", "submit", "market"),
    "proposal": ("proposal", "present"),
}


def matching_activity_type(next_step: str, types: list[ActivityType]) -> ActivityType | None:
    """The activity type a next step names ("Call to confirm…" → Call, "Send the checklist" →
    Email), else the first of `types` (the agency's usual first, a call)."""
    text = next_step.lower()
    for kind in types:
        words = (kind.name.lower(), *STEP_WORDS.get(kind.name.lower(), ()))
        if any(re.search(rf"\b{re.escape(word)}\b", text) for word in words):
            return kind
    return types[0] if types else None


def next_step_done(*, prospect: Prospect, actor: Producer, activity_type: ActivityType,
                   next_step: str, next_step_due: dt.date, outcome: str = "", note: str = "",
                   client_token: str | None = None) -> tuple[Activity, bool]:
    """The producer did the prospect's next step: log the activity it was (once per
    `client_token`, so a double submit logs one and changes nothing more) and schedule the new
    next step. Returns (activity, created). Only the prospect's own producer may; the stage
    stays where it is."""
    errors = {}
    if prospect.owner_id != actor.pk:
        raise ValidationError("Only the prospect's own producer can finish its next step.")
    if prospect.stage.kind != Stage.Kind.OPEN:
        raise ValidationError(f"{prospect.name} is {prospect.stage.name}: it has no next step.")
    if not next_step.strip():
        errors["next_step"] = "Say what the next step is."
    if next_step_due is None:
        errors["next_step_due"] = "Give the next step a date."
    elif next_step_due < agency_today(prospect.agency):
        errors["next_step_due"] = "The next step cannot be due in the past."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        activity, created = activity_log(
            producer=actor, activity_type=activity_type, prospect=prospect, outcome=outcome,
            note=note or f"Done: {prospect.next_step}"[:300], client_token=client_token)
        if not created:
            # The same form again: its step is done and the new one set already.
            return activity, False
        locked = Prospect.objects.select_for_update().get(pk=prospect.pk)
        before = prospect_audit_snapshot(locked)
        locked.next_step, locked.next_step_due = next_step.strip(), next_step_due
        locked.save(update_fields=["next_step", "next_step_due", "updated_at"])
        prospect_changes_record(before=before, prospect=locked, actor=actor)
    prospect.next_step, prospect.next_step_due = locked.next_step, locked.next_step_due
    prospect.updated_at = timezone.now()
    return activity, True
