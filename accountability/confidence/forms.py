"""The weekly confidence check-in: one 1–5 rating per pillar of producer confidence."""

from django import forms

from ..models import ConfidenceCheckIn

RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
PILLARS = [
    ("process", "I can take a prospect through a value-driven process."),
    ("pipeline", "My pipeline is full."),
    ("team", "I have the team and solutions to make a difference."),
]
NOTE_MAX_LENGTH = ConfidenceCheckIn._meta.get_field("note").max_length


def _rating(label: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(label=label, choices=RATING_CHOICES, coerce=int,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": "Rate this from 1 to 5."})


class CheckInForm(forms.Form):
    process = _rating(PILLARS[0][1])
    pipeline = _rating(PILLARS[1][1])
    team = _rating(PILLARS[2][1])
    note = forms.CharField(label="Anything on your mind? (optional)", required=False,
                           max_length=NOTE_MAX_LENGTH)
