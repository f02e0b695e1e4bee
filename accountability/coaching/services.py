"""Writes of the coaching loop: a one-on-one recorded, edited by its leader, answered by its
producer; an agreed action turned into next week's commitment; a leader alert dismissed for
the week. Who may do each is checked here too, so no caller can skip it."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from salesculture.models import Producer
from salesculture.weeks import Week, local_now

from ..commitments.services import commitment_create
from ..models import AlertDismissal, Commitment, OneOnOne, OneOnOneAction
from .audit import alert_dismissed_record, one_on_one_record_event
from .rules import RULES

MAX_ACTIONS = 5
TEXT_LIMIT = 5000


def _lock(producer: Producer) -> None:
    """Serialise the coaching writes of one producer (a double submit, two tabs): the second
    waits for the first and then finds its rows. The commitments services take the same lock,
    so a commitment made inside is serialised with every other promise of the producer."""
    Producer.objects.select_for_update().only("pk").get(pk=producer.pk)


def _dates_errors(*, held_on: dt.date, follow_up_on: dt.date | None, today: dt.date) -> dict:
    errors = {}
    if held_on > today:
        errors["held_on"] = "A one-on-one is recorded once it has happened: pick today or earlier."
    if follow_up_on is not None and follow_up_on < held_on:
        errors["follow_up_on"] = "The follow-up comes after the one-on-one."
    return errors


def _may_lead(actor: Producer, producer: Producer) -> bool:
    """A leader of the producer's team (an owner only by another owner) or an owner of their
    agency, never about themself."""
    if actor.agency_id != producer.agency_id or actor.pk == producer.pk or not actor.is_leader:
        return False
    if actor.is_owner:
        return True
    return (not producer.is_owner and actor.team_id is not None
            and actor.team_id == producer.team_id)


def one_on_one_record(*, actor: Producer, producer: Producer, held_on: dt.date, notes: str,
                      actions: list[str], commit_actions: bool,
                      follow_up_on: dt.date | None = None, outcome: str = "",
                      role_fit_weeks: list[str] | None = None,
                      client_token: str | None = None) -> OneOnOne:
    """Record a one-on-one; with `commit_actions` each agreed action also becomes a specific
    promise for next week. A repeated `client_token` (the form sent twice) returns the first
    one-on-one and makes nothing more."""
    if not _may_lead(actor, producer):
        raise ValidationError("Only the producer's leader or an owner records a one-on-one.")
    actions = [a.strip() for a in actions if a.strip()]
    errors = _dates_errors(held_on=held_on, follow_up_on=follow_up_on,
                           today=local_now(producer.agency).date())
    if len(actions) > MAX_ACTIONS:
        errors["actions"] = f"Agree at most {MAX_ACTIONS} actions; fewer is better."
    if outcome not in OneOnOne.Outcome.values:
        errors["outcome"] = "Choose one of the outcomes."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        _lock(producer)
        if client_token and (first := OneOnOne.objects.filter(
                producer=producer, client_token=client_token).first()) is not None:
            return first
        one_on_one = OneOnOne.objects.create(
            agency=producer.agency, producer=producer, leader=actor, held_on=held_on,
            notes=notes.strip(), follow_up_on=follow_up_on, outcome=outcome,
            role_fit_weeks=role_fit_weeks or [], client_token=client_token or None)
        made = OneOnOneAction.objects.bulk_create(
            OneOnOneAction(one_on_one=one_on_one, position=i, text=text[:200])
            for i, text in enumerate(actions))
        if commit_actions:
            for action in made:
                _commit(action, producer=producer, actor=actor)
        one_on_one_record_event(one_on_one, actor=actor, kind="one_on_one.recorded",
                                changes={"producer": [None, producer.name],
                                         "held_on": [None, held_on],
                                         "actions": [None, len(made)],
                                         "outcome": [None, one_on_one.get_outcome_display()]})
    return one_on_one


def _commit(action: OneOnOneAction, *, producer: Producer, actor: Producer) -> Commitment:
    """The action as a specific promise for next week, once: the action's token makes a
    repeat return the promise already made. Called with the producer locked."""
    week = Week.current(producer.agency).next.start
    commitment = commitment_create(producer=producer, week_start=week, actor=actor,
                                   kind=Commitment.Kind.SPECIFIC, text=action.text,
                                   client_token=f"one-on-one-action:{action.pk}")
    action.commitment = commitment
    action.save(update_fields=["commitment"])
    return commitment


def one_on_one_action_commit(*, actor: Producer, action: OneOnOneAction) -> Commitment:
    """An agreed action made next week's commitment after the fact; pressing twice makes
    one commitment."""
    one_on_one = action.one_on_one
    if not _may_lead(actor, one_on_one.producer) and actor.pk != one_on_one.producer_id:
        raise ValidationError("Only the producer or their leader makes it a commitment.")
    with transaction.atomic():
        _lock(one_on_one.producer)
        action = OneOnOneAction.objects.select_related("commitment").get(pk=action.pk)
        if action.commitment is not None:
            return action.commitment
        return _commit(action, producer=one_on_one.producer, actor=actor)


def one_on_one_update(*, actor: Producer, one_on_one: OneOnOne, held_on: dt.date, notes: str,
                      follow_up_on: dt.date | None, outcome: str) -> OneOnOne:
    """The leader's side: date, notes, follow-up and outcome. The producer's side is theirs."""
    if not _may_lead(actor, one_on_one.producer):
        raise ValidationError("Only the producer's leader or an owner edits the leader's notes.")
    errors = _dates_errors(held_on=held_on, follow_up_on=follow_up_on,
                           today=local_now(one_on_one.agency).date())
    if outcome not in OneOnOne.Outcome.values:
        errors["outcome"] = "Choose one of the outcomes."
    if errors:
        raise ValidationError(errors)
    before = {"held_on": one_on_one.held_on, "follow_up_on": one_on_one.follow_up_on,
              "outcome": one_on_one.get_outcome_display(), "notes": one_on_one.notes}
    one_on_one.held_on, one_on_one.follow_up_on, one_on_one.outcome = (held_on, follow_up_on,
                                                                      outcome)
    one_on_one.notes = notes.strip()
    after = {"held_on": held_on, "follow_up_on": follow_up_on,
             "outcome": one_on_one.get_outcome_display(), "notes": one_on_one.notes}
    changes = {k: [before[k], after[k]] for k in after if before[k] != after[k]}
    if "notes" in changes:  # the history says the notes changed, never what they say
        changes["notes"] = ["…", "edited"]
    with transaction.atomic():
        one_on_one.save(update_fields=["held_on", "follow_up_on", "outcome", "notes",
                                       "updated_at"])
        if changes:
            one_on_one_record_event(one_on_one, actor=actor, kind="one_on_one.updated",
                                    changes=changes)
    return one_on_one


def one_on_one_answer(*, actor: Producer, one_on_one: OneOnOne, producer_notes: str) -> OneOnOne:
    """The producer's own side of the conversation; only they write it."""
    if actor.pk != one_on_one.producer_id:
        raise ValidationError("Only the producer adds their side.")
    text = producer_notes.strip()
    if len(text) > TEXT_LIMIT:
        raise ValidationError({"producer_notes": f"Keep it under {TEXT_LIMIT} characters."})
    with transaction.atomic():
        changed = text != one_on_one.producer_notes
        one_on_one.producer_notes = text
        one_on_one.save(update_fields=["producer_notes", "updated_at"])
        if changed:
            one_on_one_record_event(one_on_one, actor=actor, kind="one_on_one.answered",
                                    changes={"producer_notes": ["…", "edited"]})
    return one_on_one


def alert_dismiss(*, actor: Producer, producer: Producer, rule: str,
                  note: str) -> AlertDismissal:
    """Hide one alert about `producer` for the rest of this week. Next week it comes back if
    its cause is still there (a dismissal is stored per producer, rule and week); dismissing
    twice keeps the first note."""
    if not _may_lead(actor, producer):
        raise ValidationError("Only the producer's leader or an owner dismisses their alerts.")
    errors = {}
    if rule not in RULES:
        errors["rule"] = "That is not one of the alerts."
    if not note.strip():
        errors["note"] = "Say in a few words why, e.g. “talked on Tuesday, back next week”."
    if errors:
        raise ValidationError(errors)
    week = Week.current(producer.agency).start
    try:
        with transaction.atomic():
            dismissal = AlertDismissal.objects.create(
                agency=producer.agency, producer=producer, rule=rule, week_start=week,
                note=note.strip()[:200], dismissed_by=actor, dismissed_at=timezone.now())
            alert_dismissed_record(dismissal, actor=actor, producer=producer)
    except IntegrityError:
        return AlertDismissal.objects.get(producer=producer, rule=rule, week_start=week)
    return dismissal
