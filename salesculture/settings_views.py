"""The owners' Settings area: the hub, the agency, and the teams. The sales process (stages,
activity types, lost reasons) has its pages in pipeline/settings_views.py."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from .access import leader_required, owner_required
from .back import back_within
from .forms import add_service_errors, options_html
from .selectors import producer_get_visible, team_get, teams_for
from .settings_forms import NO_TEAM, AgencyForm, MoveToTeamForm, TeamForm
from .settings_selectors import team_lineup, team_summaries
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


def _with_team_pickers(lineup, teams):
    """Each person's team picker: MoveToTeamForm's choices, rendered once per team they are
    on rather than once a person (a team page of 50 shows 50 pickers of the same options);
    the form still judges what is posted."""
    choices = MoveToTeamForm(teams=teams).fields["team"].choices
    rendered = {}
    for person in lineup.members:
        current = str(person.team_id or NO_TEAM)
        if current not in rendered:
            rendered[current] = options_html(choices, {current})
        person.team_options = rendered[current]
    return lineup


def _teams_page(request, *, add_form=None, status=200):
    """Each team as a line (its size and leaders; its people on its own page), and the
    people on no team, to be placed."""
    agency = request.producer.agency
    summaries = team_summaries(agency)
    no_team = _with_team_pickers(team_lineup(agency, None), [s.team for s in summaries])
    return render(
        request,
        "salesculture/settings_teams.html",
        {"summaries": summaries, "no_team": no_team, "add_form": add_form or TeamForm()},
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
    """A team's page: its people (moved, made leader) and its name."""
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
            return redirect("settings_team", pk=team.pk)
    lineup = _with_team_pickers(team_lineup(team.agency, team),
                              list(teams_for(request.producer.agency)))
    return render(
        request,
        "salesculture/settings_team.html",
        {"team": team, "form": form, "lineup": lineup},
        status=400 if form.is_bound else 200,
    )


def _back(request):
    """Back to the teams page or the team's page the change was made from."""
    return redirect(back_within(request, reverse("settings_teams")) or "settings_teams")


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
        return _back(request)
    team = form.cleaned_data["team"]
    producer_move_team(producer=person, team=team, actor=request.producer)
    messages.success(request, f"{person.name} is now on {team.name if team else 'no team'}.")
    return _back(request)


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
    return _back(request)
