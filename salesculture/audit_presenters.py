"""What the owners' history page says about an audit event: one sentence a person reads
("Ana changed the goal from $120,000 to $150,000"), and for an edit the fields it changed.
Built from the event alone (its labels were copied when it was written), so it reads the same
after its subject is gone, and costs no query."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from .models import AuditEvent, Producer
from .settings_audit import is_settings_event, settings_details, settings_sentence

Kind = AuditEvent.Kind
MONEY_FIELDS = {"annual_goal", "estimated_revenue"}
DATE_FIELDS = {"next_step_due", "due_date"}
NOTHING = "—"


@dataclass(frozen=True)
class AuditLine:
    at: dt.datetime
    who: str
    kind_label: str
    sentence: str
    details: list[str] = field(default_factory=list)


def money(value) -> str:
    """$150,000 (cents only when there are some); $0 or nothing reads "no goal" where it
    stands for one."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"${amount:,.0f}" if amount == amount.to_integral_value() else f"${amount:,.2f}"


def shown(name: str, value) -> str:
    if value in (None, ""):
        return NOTHING
    if name in MONEY_FIELDS:
        return money(value)
    if name in DATE_FIELDS:
        try:
            day = dt.date.fromisoformat(str(value))
        except ValueError:
            return str(value)
        return f"{day:%b} {day.day}, {day.year}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def _pair(event: AuditEvent, name: str) -> tuple:
    pair = event.changes.get(name)
    return tuple(pair) if isinstance(pair, list) and len(pair) == 2 else (None, None)


def _role(value) -> str:
    try:
        return Producer.Role(value).label
    except ValueError:
        return str(value or NOTHING)


def _own(event: AuditEvent) -> bool:
    """The person changed something of their own (told by name once their row is gone)."""
    if event.subject_type != "salesculture.producer":
        return False
    if event.actor_id is not None:
        return event.actor_id == event.subject_id
    return bool(event.actor_label) and event.actor_label == event.subject_label


def _whose(event: AuditEvent, own: str = "their") -> str:
    return own if _own(event) else f"{event.subject_label}’s"


def _goal(value) -> str:
    try:
        return money(value) if value and Decimal(str(value)) else "no goal"
    except InvalidOperation:
        return str(value)


def _commitment(event: AuditEvent, who: str) -> str:
    subject = event.subject_label
    if event.kind == Kind.COMMITMENT_CREATED:
        for_whom = _pair(event, "producer")[1]
        if for_whom and for_whom != who:
            return f"{who} committed {for_whom} to {subject}"
        return f"{who} committed to {subject}"
    if event.kind == Kind.COMMITMENT_WITHDRAWN:
        of_whom = _pair(event, "producer")[0]
        if of_whom and of_whom != who:
            return f"{who} withdrew {of_whom}’s commitment {subject}"
        return f"{who} withdrew the commitment {subject}"
    done = "done" if event.kind == Kind.COMMITMENT_TICKED else "not done"
    return f"{who} marked {subject} {done}"


def _person(event: AuditEvent, who: str) -> str:
    subject = event.subject_label
    if event.kind == Kind.GOAL_CHANGED:
        before, after = (_goal(v) for v in _pair(event, "annual_goal"))
        return f"{who} changed {_whose(event, 'the')} goal from {before} to {after}"
    if event.kind == Kind.WHY_CHANGED:
        return f"{who} changed {_whose(event)} why"
    if event.kind == Kind.ROLE_CHANGED:
        before, after = (_role(v) for v in _pair(event, "role"))
        return f"{who} changed {_whose(event)} role from {before} to {after}"
    if event.kind == Kind.PRODUCER_DEACTIVATED:
        return f"{who} deactivated {subject}"
    return f"{who} reactivated {subject}"


def _joining(event: AuditEvent, who: str) -> str:
    subject = event.subject_label
    if event.kind == Kind.AGENCY_CREATED:
        return f"{who} created the agency {subject}"
    if event.kind == Kind.INVITATION_ACCEPTED:
        return f"{subject} accepted the invitation and joined"
    if event.kind == Kind.INVITATION_REVOKED:
        return f"{who} revoked the invitation of {subject}"
    role = _role(_pair(event, "role")[1]) if "role" in event.changes else ""
    again = " again" if event.kind == Kind.INVITATION_RESENT else ""
    return f"{who} invited {subject}{again}" + (f" as {role.lower()}" if role else "")


# The coaching loop's events; their labels name the one-on-one or the alert, never its notes.
COACHING_VERBS = {Kind.ONE_ON_ONE_RECORDED: "recorded", Kind.ONE_ON_ONE_UPDATED: "updated",
                  Kind.ONE_ON_ONE_ANSWERED: "added their side to",
                  Kind.ALERT_DISMISSED: "dismissed the alert"}
# Clearing the path: the obstacle is named by what is in the way, quoted.
OBSTACLE_VERBS = {Kind.OBSTACLE_RAISED: "raised", Kind.OBSTACLE_CLEARED: "cleared"}


def _sentence(event: AuditEvent, who: str) -> str:
    subject = event.subject_label
    kind = event.kind
    if kind == Kind.PROSPECT_EDITED:
        return f"{who} edited prospect {subject}"
    if kind == Kind.PROSPECT_OWNER_CHANGED:
        before, after = _pair(event, "owner")
        return f"{who} moved prospect {subject} from {before or NOTHING} to {after or NOTHING}"
    if kind == Kind.PROSPECT_DELETED:
        return f"{who} deleted prospect {subject}"
    if kind.startswith("commitment."):
        return _commitment(event, who)
    if kind == Kind.TV_LINK_CREATED:
        team = _pair(event, "team")[1]
        return f"{who} created the TV link “{subject}”" + (f" for {team}" if team else "")
    if kind == Kind.TV_LINK_REVOKED:
        return f"{who} revoked the TV link “{subject}”"
    if is_settings_event(event):
        return settings_sentence(event, who)
    if kind.startswith(("invitation.", "agency.")):
        return _joining(event, who)
    if kind in COACHING_VERBS:
        return f"{who} {COACHING_VERBS[kind]} {subject}"
    if kind in OBSTACLE_VERBS:
        return f"{who} {OBSTACLE_VERBS[kind]} the obstacle “{subject}”"
    return _person(event, who)


def audit_line(event: AuditEvent) -> AuditLine:
    who = event.actor_label or "An administrator"
    details = []
    if event.kind == Kind.PROSPECT_EDITED:
        details = [f"{name.replace('_', ' ').capitalize()}: {shown(name, before)} → "
                   f"{shown(name, after)}"
                   for name, (before, after) in ((n, _pair(event, n)) for n in event.changes)]
    elif is_settings_event(event):
        details = settings_details(event)
    return AuditLine(at=event.at, who=who, kind_label=event.get_kind_display(),
                     sentence=_sentence(event, who), details=details)
