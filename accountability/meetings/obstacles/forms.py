import datetime as dt

from django import forms

from salesculture.forms import client_token_field

from .models import Obstacle
from .selectors import obstacle_owners

TEXT_MAX = Obstacle._meta.get_field("text").max_length
RESOLUTION_MAX = Obstacle._meta.get_field("resolution").max_length


class ObstacleForm(forms.Form):
    text = forms.CharField(
        label="What is in the way?", max_length=TEXT_MAX,
        error_messages={"required": "Say what is in the way.",
                        "max_length": f"Keep it under {TEXT_MAX} characters."})
    owner = forms.ModelChoiceField(
        queryset=None, label="Who clears it", empty_label=None,
        error_messages={"invalid_choice": "Choose someone of this team (or an owner) to clear it.",
                        "required": "Choose who clears it."})
    due_date = forms.DateField(
        label="By", widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Choose a due date.",
                        "invalid": "Enter a date, like 2026-12-04."})
    client_token = client_token_field()

    def __init__(self, *args, team, today: dt.date, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("due_date", today + dt.timedelta(days=7))
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = obstacle_owners(team)


class ObstacleCloseForm(forms.Form):
    resolution = forms.CharField(
        label="How was it cleared?", max_length=RESOLUTION_MAX,
        error_messages={"required": "Say how it was cleared.",
                        "max_length": f"Keep it under {RESOLUTION_MAX} characters."})
