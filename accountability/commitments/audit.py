"""Commitments in the agency's audit trail: how a commitment is named there, and the events
its services record (made, withdrawn, ticked and unticked), each inside the service's
transaction."""

from salesculture.audit import audit_record
from salesculture.models import AuditEvent, Producer

from ..models import Commitment

Kind = AuditEvent.Kind


def commitment_label(commitment: Commitment) -> str:
    """“25 × Call, week of Mar 2” or “Send the Acme proposal”, week of Mar 2: copied into the
    event, so the history still reads after the commitment is withdrawn."""
    what = commitment.describe() if commitment.is_measurable else f"“{commitment.text}”"
    week = commitment.week_start
    return f"{what}, week of {week:%b} {week.day}"


def _measure(commitment: Commitment) -> tuple[str, object]:
    if commitment.is_measurable:
        return "target", commitment.target
    return "text", commitment.text


def _record(commitment: Commitment, *, actor: Producer | None, kind: str, changes: dict) -> None:
    audit_record(agency=commitment.agency_id, actor=actor, kind=kind, subject=commitment,
                 label=commitment_label(commitment), changes=changes)


def commitment_created_record(commitment: Commitment, *, actor: Producer | None) -> None:
    """A commitment made, or a standing target replaced by a new number (the later word
    stands, so it is recorded as made again, with the number it now has)."""
    name, value = _measure(commitment)
    _record(commitment, actor=actor, kind=Kind.COMMITMENT_CREATED,
            changes={"producer": [None, commitment.producer.name], name: [None, value]})


def commitment_withdrawn_record(commitment: Commitment, *, actor: Producer | None) -> None:
    """Recorded before the row is deleted, while it still has its id."""
    name, value = _measure(commitment)
    _record(commitment, actor=actor, kind=Kind.COMMITMENT_WITHDRAWN,
            changes={"producer": [commitment.producer.name, None], name: [value, None]})


def commitment_ticked_record(commitment: Commitment, *, actor: Producer | None,
                             done: bool) -> None:
    _record(commitment, actor=actor,
            kind=Kind.COMMITMENT_TICKED if done else Kind.COMMITMENT_UNTICKED,
            changes={"done": [not done, done]})
