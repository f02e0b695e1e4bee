"""The lost-reason report's page: leaders (their team) and owners (the agency, or one team of
it); anyone else gets 404, as for every leaders' page."""

import datetime as dt

from django import forms
from django.shortcuts import render

from salesculture.access import leader_required
from salesculture.selectors import teams_for
from salesculture.weeks import local_now

from .forms import DateInput
from .lost_report import MAX_DAYS, lost_report

# By default the report covers the last 13 weeks, today included.
DEFAULT_DAYS = 13 * 7
# The by-producer table lists those who lost most; "everyone=1" lists them all.
PRODUCERS_SHOWN = 15


class PeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DateInput(), error_messages={
        "required": "Enter the first day, like 2026-09-01.",
        "invalid": "Enter the first day as a date, like 2026-09-01."})
    end = forms.DateField(label="To", widget=DateInput(), error_messages={
        "required": "Enter the last day, like 2026-11-30.",
        "invalid": "Enter the last day as a date, like 2026-11-30."})

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = {str(t.pk): t for t in teams}
        if teams:
            # An owner of several teams asks which team loses what, and why.
            self.fields["team"] = forms.ChoiceField(
                label="Team", required=False,
                choices=[("", "Every team"), *((str(t.pk), t.name) for t in teams)],
                error_messages={"invalid_choice": "Choose one of your agency's teams."})

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", "The last day comes on or after the first day.")
            elif (end - start).days + 1 > MAX_DAYS:
                self.add_error("end", f"Choose a period of at most {MAX_DAYS} days.")
        return data


@leader_required
def lost_reasons(request):
    actor = request.producer
    today = local_now(request.agency).date()
    default = {"start": today - dt.timedelta(days=DEFAULT_DAYS - 1), "end": today}
    teams = list(teams_for(request.agency)) if actor.is_owner else []
    # "everyone" alone (the default period's full table) is not a period asked for.
    asked = bool(request.GET.keys() - {"everyone"})
    form = PeriodForm(request.GET if asked else None, initial=default,
                      teams=teams if len(teams) > 1 else ())
    report, team, status = None, None, 200
    if not asked:
        report = lost_report(actor=actor, **default)
    elif form.is_valid():
        team = form.teams.get(form.cleaned_data.get("team") or "")
        report = lost_report(actor=actor, start=form.cleaned_data["start"],
                             end=form.cleaned_data["end"], team=team)
    else:
        status = 400
    everyone = request.GET.get("everyone") == "1"
    producers, producers_rest = (
        ([], None) if report is None else (report.by_producer, None) if everyone
        else report.producers_first(PRODUCERS_SHOWN))
    everyone_query = request.GET.copy()
    everyone_query["everyone"] = "1"
    return render(request, "pipeline/lost_reasons.html", {
        "form": form, "report": report, "producers": producers,
        "producers_rest": producers_rest, "everyone_query": everyone_query.urlencode(),
        "scope_label": (f"team {team.name}" if team else "the agency" if actor.is_owner else
                        f"team {actor.team.name}" if actor.team else "you")}, status=status)
