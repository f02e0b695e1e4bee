"""What the history page says about a settings change (the agency, its sales process, its
teams): one sentence, and the fields changed. Built from the event alone, no query."""

from .models import AuditEvent

Kind = AuditEvent.Kind
NOTHING = "—"

SETTINGS_PREFIXES = ("agency.", "stage.", "activity_type.", "lost_reason.", "team.",
                     "producer.team_changed")

_VERBS = {
    "added": "added", "changed": "changed", "moved": "reordered", "retired": "retired",
    "restored": "brought back", "deleted": "deleted", "renamed": "renamed",
}
_THINGS = {"stage": "stage", "activity_type": "activity type", "lost_reason": "lost reason",
           "team": "team"}


def is_settings_event(event: AuditEvent) -> bool:
    return event.kind.startswith(SETTINGS_PREFIXES)


def _pair(event: AuditEvent, name: str) -> tuple:
    pair = event.changes.get(name)
    return tuple(pair) if isinstance(pair, list) and len(pair) == 2 else (None, None)


def settings_sentence(event: AuditEvent, who: str) -> str:
    subject = event.subject_label
    if event.kind == Kind.AGENCY_CHANGED:
        return f"{who} changed the agency’s settings"
    if event.kind == Kind.PRODUCER_TEAM_CHANGED:
        before, after = _pair(event, "team")
        return f"{who} moved {subject} from {before or 'no team'} to {after or 'no team'}"
    thing, _, verb = event.kind.partition(".")
    if verb == "renamed":
        before, after = _pair(event, "name")
        return f"{who} renamed the team {before or subject} to {after or subject}"
    return f"{who} {_VERBS.get(verb, verb)} the {_THINGS.get(thing, thing)} “{subject}”"


def settings_details(event: AuditEvent) -> list[str]:
    """Each changed field as "Field: before → after"; a reorder as the new order."""
    details = []
    for name, pair in event.changes.items():
        if not (isinstance(pair, list) and len(pair) == 2) or event.kind.endswith(".added"):
            continue
        before, after = pair
        if name == "order":
            details.append("Order: " + " · ".join(str(step) for step in after or []))
        else:
            details.append(f"{name.replace('_', ' ').capitalize()}: "
                           f"{NOTHING if before in (None, '') else before} → "
                           f"{NOTHING if after in (None, '') else after}")
    return details
