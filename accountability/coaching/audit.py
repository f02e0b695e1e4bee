"""The coaching loop in the agency's audit trail. One-on-ones are private: an event names
the conversation (with whom, which day) and which fields changed, never what the notes say."""

from salesculture.audit import audit_record
from salesculture.models import Producer

from ..models import AlertDismissal, OneOnOne
from .rules import RULES


def one_on_one_label(one_on_one: OneOnOne) -> str:
    day = one_on_one.held_on
    return f"the one-on-one with {one_on_one.producer.name} of {day:%b} {day.day}"


def one_on_one_record_event(one_on_one: OneOnOne, *, actor: Producer, kind: str,
                            changes: dict) -> None:
    audit_record(agency=one_on_one.agency_id, actor=actor, kind=kind, subject=one_on_one,
                 label=one_on_one_label(one_on_one), changes=changes)


def alert_dismissed_record(dismissal: AlertDismissal, *, actor: Producer,
                           producer: Producer) -> None:
    week = dismissal.week_start
    audit_record(agency=dismissal.agency_id, actor=actor, kind="alert.dismissed",
                 subject=dismissal,
                 label=f"“{RULES[dismissal.rule]}” about {producer.name}, week of "
                       f"{week:%b} {week.day}",
                 changes={"note": [None, dismissal.note]})
