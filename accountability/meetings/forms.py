"""Forms of the meeting screen and kiosk links; choices are always scoped to one agency."""

import datetime as dt

from django import forms

from pipeline.models import ActivityType, Stage
from salesculture.forms import client_token_field
from salesculture.models import Producer
from salesculture.selectors import selling_producers

from ..models import Commitment
from .kiosk import LABEL_MAX
from .selectors import default_review_week, meeting_teams_for, review_week_choices
from .services import NOTE_MAX, NOTES_MAX


class MeetingStartForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, empty_label=None,
                                  error_messages={"invalid_choice": "Choose one of your teams."})
    week = forms.ChoiceField(choices=(), label="Week to review",
                             error_messages={"invalid_choice": "Choose last week or this week."})

    def __init__(self, *args, actor: Producer, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = meeting_teams_for(actor)
        self.fields["week"].choices = review_week_choices(actor.agency)
        # Last week, except on the week's last day (Sunday): then this week, whose
        # commitments land in next week rather than in a week that ends today.
        default_week = default_review_week(actor.agency)
        self.week_is_ending = default_week == self.fields["week"].choices[-1][0]
        if not self.is_bound:
            self.initial.setdefault("week", default_week)
            if actor.team_id:
                self.initial.setdefault("team", actor.team_id)

    def clean_week(self) -> dt.date:
        return dt.date.fromisoformat(self.cleaned_data["week"])


class MeetingCommitmentForm(forms.Form):
    kind = forms.ChoiceField(choices=Commitment.Kind.choices, initial=Commitment.Kind.ACTIVITY,
                             widget=forms.RadioSelect)
    target = forms.IntegerField(required=False, min_value=1, max_value=500,
                                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                                error_messages={"invalid": "Enter how many, between 1 and 500.",
                                                "min_value": "Enter how many, between 1 and 500.",
                                                "max_value": "Enter how many, between 1 and 500."})
    activity_type = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Activity…",
        error_messages={"invalid_choice": "Choose one of the agency's activities."})
    stage = forms.ModelChoiceField(
        queryset=None, required=False, empty_label="Any stage", label="Stage wins into",
        error_messages={"invalid_choice": "Choose one of the agency's stages."})
    text = forms.CharField(required=False, max_length=Commitment._meta.get_field("text").max_length,
                           label="Specific promise",
                           widget=forms.TextInput(attrs={
                               "placeholder": "e.g. send the Acme proposal by Thursday"}))
    client_token = client_token_field()

    def __init__(self, *args, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["activity_type"].queryset = ActivityType.objects.filter(
            agency=agency, is_active=True).order_by("position", "name")
        self.fields["stage"].queryset = Stage.objects.filter(
            agency=agency, retired_at__isnull=True).exclude(kind=Stage.Kind.LOST).order_by(
            "position")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in (Commitment.Kind.ACTIVITY, Commitment.Kind.STAGE_WINS):
            if data.get("target") is None and "target" not in self.errors:
                self.add_error("target", "Enter how many, between 1 and 500.")
            if kind == Commitment.Kind.ACTIVITY and not data.get("activity_type") \
                    and "activity_type" not in self.errors:
                self.add_error("activity_type", "Choose the activity.")
        elif kind == Commitment.Kind.SPECIFIC and not (data.get("text") or "").strip():
            self.add_error("text", "Say what you will do, e.g. “send the Acme proposal”.")
        return data

    def service_fields(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "target": d.get("target"),
                "activity_type": d.get("activity_type"), "stage": d.get("stage"),
                "text": d.get("text") or "", "client_token": d.get("client_token") or None}


class LateTurnForm(forms.Form):
    """Give a turn to someone of the team who has none (joined after the meeting started)."""

    producer = forms.ModelChoiceField(
        queryset=None, empty_label="Who?", label="Add a late turn",
        error_messages={"required": "Choose who gets the turn.",
                        "invalid_choice": "Choose a producer of this team without a turn."})

    def __init__(self, *args, meeting, **kwargs):
        kwargs.setdefault("auto_id", "id_late_%s")
        super().__init__(*args, **kwargs)
        self.fields["producer"].queryset = (
            selling_producers(meeting.agency, team=meeting.team)
            .exclude(pk__in=meeting.turns.values("producer_id")))


class TurnNoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=NOTE_MAX,
                           widget=forms.Textarea(attrs={"rows": 2,
                                                        "placeholder": "A short note"}))


class MeetingRatingForm(forms.Form):
    rating = forms.TypedChoiceField(coerce=int, choices=[(i, str(i)) for i in range(1, 11)],
                                    error_messages={"required": "Rate the meeting from 1 to 10.",
                                                    "invalid_choice":
                                                        "Rate the meeting from 1 to 10."})


class MeetingNotesForm(forms.Form):
    notes = forms.CharField(required=False, max_length=NOTES_MAX,
                            widget=forms.Textarea(attrs={"rows": 3}))


class KioskLinkForm(forms.Form):
    team = forms.ModelChoiceField(queryset=None, empty_label=None,
                                  error_messages={"invalid_choice": "Choose one of your teams."})
    label = forms.CharField(required=False, max_length=LABEL_MAX,
                            widget=forms.TextInput(attrs={"placeholder": "e.g. Break room TV"}))
    show_prospect_names = forms.BooleanField(
        required=False, label="Show prospect names on this screen",
        help_text="Off, the TV shows what colleagues see: the stage a prospect reached, not "
                  "the client's name. Anyone who can see the TV can read what it shows.")

    def __init__(self, *args, actor: Producer, **kwargs):
        kwargs.setdefault("auto_id", "id_kiosk_%s")  # shares the page with the start form
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = meeting_teams_for(actor)
