"""Commitment forms. The targets form's field names are a contract with the goal-plan page,
which links to `/commitments/?activity_<type id>=N&wins_<stage id>=N&wins_any=N` to prefill
it: `activity_<id>` per active activity type, `wins_<id>` per stage a win can go into, and
`wins_any` for any forward advance."""

import datetime as dt

from django import forms

from pipeline.models import ActivityType, Stage
from pipeline.selectors import prospects_owned_by
from salesculture.forms import client_token_field
from salesculture.models import Producer

from ..models import Commitment
from .services import MAX_TARGET, target_name

TARGET_MESSAGE = f"Enter a number between 0 and {MAX_TARGET}."
PROMISE_TEXT_MAX_LENGTH = Commitment._meta.get_field("text").max_length


def targets_by_field(commitments) -> dict[str, int]:
    """Measurable commitments summed under the targets form's field names (the contract
    above); specific promises have no field and are left out."""
    targets: dict[str, int] = {}
    for c in commitments:
        name = target_name(c)
        if name is not None:
            targets[name] = targets.get(name, 0) + (c.target or 0)
    return targets


def _target_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label, required=False, min_value=0, max_value=MAX_TARGET,
        error_messages={"min_value": TARGET_MESSAGE, "max_value": TARGET_MESSAGE,
                        "invalid": TARGET_MESSAGE},
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "max": MAX_TARGET}))


class TargetsForm(forms.Form):
    """One number per active activity type and per stage, plus "any stage"; blank or 0 means
    no commitment. Prefilled from the week's commitments and then from GET parameters."""

    week = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, types: list[ActivityType], stages: list[Stage],
                 existing: list[Commitment], started: bool, prefill=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = targets_by_field(existing)
        self.activity_fields = []
        for t in types:
            name = f"activity_{t.pk}"
            self.fields[name] = _target_field(f"{t.icon} {t.name}".strip())
            self.activity_fields.append(name)
        self.wins_fields = ["wins_any"]
        self.fields["wins_any"] = _target_field("Any stage")
        for s in stages:
            name = f"wins_{s.pk}"
            self.fields[name] = _target_field(f"Into {s.name}")
            self.wins_fields.append(name)
        self.prefilled: list[str] = []
        for name, field in self.fields.items():
            if name == "week":
                continue
            if name in current:
                field.initial = current[name]
                # Once the week has started a commitment stands; the input shows it read-only.
                field.disabled = started
            if prefill is not None and name in prefill and not field.disabled:
                try:
                    value = int(prefill[name])
                except (TypeError, ValueError):
                    continue
                if 0 <= value <= MAX_TARGET:
                    field.initial = value
                    self.prefilled.append(name)

    def activity_targets(self) -> dict[int, int]:
        return {int(name.split("_")[1]): self.cleaned_data.get(name) or 0
                for name in self.activity_fields}

    def stage_targets(self) -> dict[int | None, int]:
        result: dict[int | None, int] = {}
        for name in self.wins_fields:
            key = None if name == "wins_any" else int(name.split("_")[1])
            result[key] = self.cleaned_data.get(name) or 0
        return result

    def activity_bound_fields(self):
        return [self[name] for name in self.activity_fields]

    def wins_bound_fields(self):
        return [self[name] for name in self.wins_fields]


class PromiseForm(forms.Form):
    """A specific promise ("send the Acme proposal by Thursday"), optionally tied to one of the
    producer's own prospects, due on a day of the committed week."""

    week = forms.CharField(widget=forms.HiddenInput, required=False)
    text = forms.CharField(label="I will…", max_length=PROMISE_TEXT_MAX_LENGTH, error_messages={
        "required": "Say what you will do, e.g. “send the Acme proposal by Thursday”."})
    prospect = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="— no prospect —",
        error_messages={"invalid_choice": "Choose one of your own prospects."})
    due_date = forms.TypedChoiceField(label="Due", required=False, empty_value=None,
                                      coerce=dt.date.fromisoformat,
                                      error_messages={"invalid_choice":
                                                      "Choose a day of that week, from today "
                                                      "on."})
    client_token = client_token_field()

    def __init__(self, *args, producer: Producer, week_start: dt.date,
                 today: dt.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["prospect"].queryset = prospects_owned_by(producer)
        # A promise made during the week cannot be due on a day already gone.
        days = [day for day in (week_start + dt.timedelta(days=i) for i in range(7))
                if today is None or day >= today]
        self.fields["due_date"].choices = [("", "Any day")] + [
            (d.isoformat(), d.strftime("%a %b %-d")) for d in days]
