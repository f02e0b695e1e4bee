"""The weekly confidence check-in: one 1–5 rating per pillar of producer confidence."""

from django import forms

RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]
PILLARS = [
    ("process", "I can take a prospect through a value-driven process."),
    ("pipeline", "My pipeline is full."),
    ("team", "I have the team and solutions to make a difference."),
]


class CheckInForm(forms.Form):
    process = forms.TypedChoiceField(label=PILLARS[0][1], choices=RATING_CHOICES, coerce=int,
                                     widget=forms.RadioSelect,
                                     error_messages={"required": "Rate this from 1 to 5."})
    pipeline = forms.TypedChoiceField(label=PILLARS[1][1], choices=RATING_CHOICES, coerce=int,
                                      widget=forms.RadioSelect,
                                      error_messages={"required": "Rate this from 1 to 5."})
    team = forms.TypedChoiceField(label=PILLARS[2][1], choices=RATING_CHOICES, coerce=int,
                                  widget=forms.RadioSelect,
                                  error_messages={"required": "Rate this from 1 to 5."})
    note = forms.CharField(label="Anything on your mind? (optional)", required=False,
                           max_length=300)
