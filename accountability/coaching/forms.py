from django import forms

from salesculture.forms import LongSelect, client_token_field, people_field

from ..models import OneOnOne
from .rules import RULES
from .services import MAX_ACTIONS, TEXT_LIMIT

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATE_ERRORS = {"invalid": "Enter a date like 2026-03-05."}


class LeaderSideForm(forms.Form):
    """The leader's side of a one-on-one: what editing it changes."""

    held_on = forms.DateField(label="Date", widget=DATE, error_messages={
        **DATE_ERRORS, "required": "When did you meet?"})
    notes = forms.CharField(label="Notes", required=False, max_length=TEXT_LIMIT,
                            widget=forms.Textarea(attrs={"rows": 5}))
    follow_up_on = forms.DateField(label="Follow up on", required=False, widget=DATE,
                                   error_messages=DATE_ERRORS)
    outcome = forms.ChoiceField(label="Outcome", required=False, choices=OneOnOne.Outcome.choices,
                                error_messages={"invalid_choice": "Choose one of the outcomes."})


class OneOnOneForm(LeaderSideForm):
    """A new one-on-one: with whom, the leader's side, and the agreed actions."""

    producer = forms.ModelChoiceField(label="With", queryset=None, widget=LongSelect,
                                      error_messages={"required": "Choose who you met.",
                                                      "invalid_choice": "Choose someone you lead."})
    actions = forms.CharField(
        label="Agreed actions", required=False, max_length=MAX_ACTIONS * 201,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"One a line, at most {MAX_ACTIONS}.")
    commit_actions = forms.BooleanField(
        label="Make each action a commitment for next week", required=False, initial=True)
    role_fit_weeks = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    client_token = client_token_field()

    field_order = ["producer", "held_on", "notes", "actions", "commit_actions",
                   "follow_up_on", "outcome"]

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        people_field(self.fields["producer"], people)

    def clean_actions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["actions"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > MAX_ACTIONS:
            raise forms.ValidationError(f"Agree at most {MAX_ACTIONS} actions; fewer is better.")
        if any(len(line) > 200 for line in lines):
            raise forms.ValidationError("Keep each action under 200 characters.")
        return lines

    def clean_role_fit_weeks(self) -> list[str]:
        return [w for w in self.cleaned_data["role_fit_weeks"].split(",") if w.strip()][:13]


class ProducerSideForm(forms.Form):
    producer_notes = forms.CharField(label="What I took from it, and what I need",
                                     required=False, max_length=TEXT_LIMIT,
                                     widget=forms.Textarea(attrs={"rows": 4}))


class DismissForm(forms.Form):
    producer = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    rule = forms.ChoiceField(choices=list(RULES.items()), widget=forms.HiddenInput)
    note = forms.CharField(label="Why dismiss it", max_length=200, error_messages={
        "required": "Say in a few words why, e.g. “talked on Tuesday”."})
