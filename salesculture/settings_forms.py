"""Forms of the owners' settings of the agency and its teams. They parse and say what is wrong
next to the field; the services (settings_services.py) re-check and write."""

import functools

from django import forms

from .closed_days import closed_dates_parse
from .models import WEEKDAYS, Agency, Team
from .zones import time_zone_names

WEEKS_MESSAGE = "Enter a number of weeks between 1 and 52."
MINUTES_MESSAGE = "A meeting lasts between 5 and 240 minutes."
NO_TEAM = ""


@functools.cache
def _time_zones() -> list[tuple[str, str]]:
    return [(zone, zone.replace("_", " ")) for zone in sorted(time_zone_names())
            if "/" in zone and not zone.startswith(("Etc/", "SystemV/"))] + [("UTC", "UTC")]


class AgencyForm(forms.Form):
    name = forms.CharField(max_length=Agency._meta.get_field("name").max_length,
                           label="Agency name")
    time_zone = forms.ChoiceField(
        choices=_time_zones, help_text="Weeks start on Monday in this time zone.",
        error_messages={"invalid_choice": "Choose a time zone from the list, such as "
                                          "America/Chicago."})
    working_weeks_per_year = forms.IntegerField(
        label="Working weeks per year", min_value=1, max_value=52,
        help_text="What a goal is divided by: the year less holidays and time off.",
        error_messages={"min_value": WEEKS_MESSAGE, "max_value": WEEKS_MESSAGE,
                        "invalid": WEEKS_MESSAGE, "required": WEEKS_MESSAGE})
    meeting_weekday = forms.TypedChoiceField(label="Meeting day", choices=WEEKDAYS, coerce=int,
                                             error_messages={"invalid_choice": "Choose a day."})
    meeting_minutes = forms.IntegerField(
        label="Meeting length (minutes)", min_value=5, max_value=240,
        error_messages={"min_value": MINUTES_MESSAGE, "max_value": MINUTES_MESSAGE,
                        "invalid": MINUTES_MESSAGE, "required": MINUTES_MESSAGE})
    closed_weekdays = forms.TypedMultipleChoiceField(
        label="Closed every week", choices=WEEKDAYS, coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple, help_text="No morning list is sent on these days.",
        error_messages={"invalid_choice": "Choose days of the week from the list."})
    closed_dates = forms.CharField(
        label="Closed dates (holidays)", required=False, max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One date a line, as 2026-12-25; a note may follow the date. No morning "
                  "list is sent on these dates either.")

    @classmethod
    def for_agency(cls, agency: Agency, data=None) -> "AgencyForm":
        initial = {field: getattr(agency, field) for field in (
            "name", "time_zone", "working_weeks_per_year", "meeting_weekday", "meeting_minutes",
            "closed_weekdays")}
        initial["closed_dates"] = "\n".join(agency.closed_dates or [])
        return cls(data, initial=initial)

    def clean_closed_dates(self) -> list[str]:
        return closed_dates_parse(self.cleaned_data["closed_dates"])


class TeamForm(forms.Form):
    name = forms.CharField(max_length=Team._meta.get_field("name").max_length, label="Team name",
                           error_messages={"required": "Give the team a name."})


class MoveToTeamForm(forms.Form):
    """Which of the agency's teams (or none) someone moves to."""

    team = forms.ChoiceField(required=False, label="Team",
                             error_messages={"invalid_choice": "Choose one of your agency's "
                                                               "teams."})

    def __init__(self, *args, teams: list[Team], **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(team.pk): team for team in teams}
        self.fields["team"].choices = [(NO_TEAM, "No team"),
                                       *((pk, team.name) for pk, team in self.teams.items())]

    def clean_team(self) -> Team | None:
        return self.teams.get(self.cleaned_data["team"])
