"""The owners' Settings area: the hub, the agency, and the teams. The sales process (stages,
activity types, lost reasons) has its pages in pipeline/settings_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from .access import leader_required, owner_required
from .forms import add_service_errors
from .selectors import producer_get_visible, team_get, teams_for
from .settings_forms import AgencyForm, MoveToTeamForm, TeamForm
from .settings_selectors import team_lineups
from .settings_services import (
    agency_update,
    producer_move_team,
    team_add,
    team_leader_set,
    team_rename,
)


@leader_required
def settings_hub(request):
    """Owners see every section; a leader only the ones they may use (their people, imports),
    which the template decides by role."""
    return render(request, "salesculture/settings.html", {"agency": request.producer.agency})


@owner_required
@require_http_methods(["GET", "POST"])
def agency_settings(request):
    agency = request.producer.agency
    form = AgencyForm.for_agency(agency, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            agency_update(agency=agency, actor=request.producer, **form.cleaned_data)
        except ValidationError as error:
            agency.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, "Agency settings saved.")
            return redirect("settings_agency")
    return render(
        request,
        "salesculture/settings_agency.html",
        {"form": form},
        status=400 if form.is_bound else 200,
    )


def _teams_page(request, *, add_form=None, status=200):
    agency = request.producer.agency
    lineups = team_lineups(agency)
    teams = [lineup.team for lineup in lineups if lineup.team is not None]
    for lineup in lineups:
        for person in lineup.members:
            person.move_form = MoveToTeamForm(
                teams=teams, initial={"team": str(person.team_id or "")}, prefix=f"p{person.pk}"
            )
    return render(
        request,
        "salesculture/settings_teams.html",
        {"lineups": lineups, "add_form": add_form or TeamForm()},
        status=status,
    )


@owner_required
@require_http_methods(["GET", "POST"])
def teams_settings(request):
    """The teams and who is on each; adds a team."""
    if request.method == "GET":
        return _teams_page(request)
    form = TeamForm(request.POST)
    if form.is_valid():
        try:
            team = team_add(
                agency=request.producer.agency,
                actor=request.producer,
                name=form.cleaned_data["name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Team {team.name} added.")
            return redirect("settings_teams")
    return _teams_page(request, add_form=form, status=400)


@owner_required
@require_http_methods(["GET", "POST"])
def team_settings(request, pk):
    """Rename a team."""
    team = team_get(agency=request.producer.agency, team_id=pk)
    form = TeamForm(request.POST if request.method == "POST" else None, initial={"name": team.name})
    if form.is_valid():
        try:
            team_rename(team=team, actor=request.producer, name=form.cleaned_data["name"])
        except ValidationError as error:
            team.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"Team renamed to {team.name}.")
            return redirect("settings_teams")
    return render(
        request,
        "salesculture/settings_team.html",
        {"team": team, "form": form},
        status=400 if form.is_bound else 200,
    )


@owner_required
@require_POST
def member_move(request, pk):
    """Move someone to another team (or none); their history goes with them."""
    person = producer_get_visible(actor=request.producer, producer_id=pk)
    form = MoveToTeamForm(
        request.POST, teams=list(teams_for(request.producer.agency)), prefix=f"p{person.pk}"
    )
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("team", ["Choose a team."])))
        return redirect("settings_teams")
    team = form.cleaned_data["team"]
    producer_move_team(producer=person, team=team, actor=request.producer)
    messages.success(request, f"{person.name} is now on {team.name if team else 'no team'}.")
    return redirect("settings_teams")


@owner_required
@require_POST
def member_leader(request, pk):
    """Make someone a leader of their team, or a producer again."""
    person = producer_get_visible(actor=request.producer, producer_id=pk)
    leader = request.POST.get("leader") == "1"
    try:
        team_leader_set(producer=person, leader=leader, actor=request.producer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"{person.name} is now a {person.get_role_display().lower()}"
            f"{' of ' + person.team.name if leader else ''}.",
        )
    return redirect("settings_teams")
