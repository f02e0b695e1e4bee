"""The producer's pipeline: the board, prospect pages, stage moves and activities on a prospect.

Every view is thin: a form parses, a selector reads (scoped to the acting producer, another
agency's or colleague's id answers 404), a service writes. HTMX requests get the named partial
of the same template; without JavaScript the same urls work as plain pages.
"""

import uuid
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from salesculture.access import producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import client_redirect, reswap, retarget, toast
from salesculture.selectors import producer_get_visible
from salesculture.weeks import local_now

from . import services
from .details import DETAIL_FIELDS
from .forms import ActivityForm, AdvanceForm, ProspectForm
from .models import Prospect, Stage, StageAdvance
from .next_steps import matching_activity_type
from .presenters import advance_message
from .selectors import (
    active_activity_types,
    agency_stage_get,
    board_columns,
    boards_switchable,
    decorate_prospect,
    next_stage_of,
    prospect_activities,
    prospect_get_visible,
    prospect_history,
    stages_offered,
)

LINES = Prospect.LineOfBusiness
ACTIVITIES_SHOWN = 50


def _today(agency):
    return local_now(agency).date()


def _line_filter(value: str | None) -> str:
    return value if value in LINES.values else ""


def _board_context(request, owner, line: str, **extra) -> dict:
    actor = request.producer
    columns = board_columns(owner=owner, line_of_business=line, today=_today(owner.agency))
    return {
        "owner": owner,
        "line": line,
        "line_label": LINES(line).label if line else "",
        "lines": LINES.choices,
        "columns": columns,
        "open_count": sum(col["count"] for col in columns),
        "switchable": boards_switchable(actor) if actor.is_leader else [],
        **extra,
    }


@producer_required
def board(request):
    actor = request.producer
    owner = actor
    if request.GET.get("producer"):
        owner = producer_get_visible(actor=actor, producer_id=request.GET["producer"])
    line = _line_filter(request.GET.get("lob"))
    context = _board_context(request, owner, line)
    if request.htmx and request.htmx.target == "board":
        return render(request, "pipeline/board.html#board", context)
    return render(request, "pipeline/board.html", context)


@producer_required
def prospect_card(request, pk):
    """One board card, e.g. when a move is cancelled."""
    prospect = prospect_get_visible(actor=request.producer, prospect_id=pk)
    decorate_prospect(prospect, now=timezone.now(), today=_today(prospect.agency))
    prospect.next_stage = next_stage_of(prospect)
    return render(request, "pipeline/board.html#card", {
        "prospect": prospect, "line": _line_filter(request.GET.get("lob"))})


@producer_required
@require_http_methods(["GET", "POST"])
def prospect_new(request):
    producer = request.producer
    today = _today(producer.agency)
    form = ProspectForm(request.POST or None, agency=producer.agency, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            prospect = services.prospect_create(
                owner=producer, actor=producer, name=data["name"], stage=data["stage"],
                line_of_business=data["line_of_business"],
                estimated_revenue=data["estimated_revenue"], next_step=data["next_step"],
                next_step_due=data["next_step_due"], source=data["source"],
                client_token=data["client_token"] or None, details=form.details())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, f"{prospect.name} is on your board.")
            return redirect("pipeline:prospect", pk=prospect.pk)
    return render(request, "pipeline/prospect_form.html", {"form": form, "prospect": None},
                  status=400 if form.is_bound else 200)


@producer_required
@require_http_methods(["GET", "POST"])
def prospect_edit(request, pk):
    prospect = prospect_get_visible(actor=request.producer, prospect_id=pk)
    today = _today(prospect.agency)
    initial = {f: getattr(prospect, f) for f in ("name", "line_of_business", "estimated_revenue",
                                                  "next_step", "next_step_due", "source",
                                                  *DETAIL_FIELDS)}
    form = ProspectForm(request.POST or None, initial=initial, agency=prospect.agency,
                        today=today, editing=prospect)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.prospect_update(
                prospect=prospect, name=data["name"], line_of_business=data["line_of_business"],
                estimated_revenue=data["estimated_revenue"], next_step=data["next_step"],
                next_step_due=data["next_step_due"], source=data["source"],
                actor=request.producer, details=form.details())
        except ValidationError as exc:
            prospect.refresh_from_db()
            add_service_errors(form, exc)
        else:
            messages.success(request, f"Saved {prospect.name}.")
            return redirect("pipeline:prospect", pk=prospect.pk)
    return render(request, "pipeline/prospect_form.html", {"form": form, "prospect": prospect},
                  status=400 if form.is_bound else 200)


@producer_required
@require_http_methods(["GET", "POST"])
def prospect_delete(request, pk):
    """Delete a prospect, after a confirmation page: whoever may edit it may delete it (its
    producer, their leader, an owner). Its history stays, and its activities and wins keep
    counting."""
    prospect = prospect_get_visible(actor=request.producer, prospect_id=pk)
    if request.method == "POST":
        services.prospect_delete(prospect=prospect, actor=request.producer)
        messages.success(request, f"Deleted {prospect.name}. Its activities and wins still count.")
        return redirect(_board_url(prospect, request.producer, ""))
    return render(request, "pipeline/prospect_delete.html", {"prospect": prospect})


def _detail_context(request, prospect, form=None) -> dict:
    actor = request.producer
    today = _today(prospect.agency)
    decorate_prospect(prospect, now=timezone.now(), today=today)
    mine = prospect.owner_id == actor.pk
    active_types = list(active_activity_types(prospect.agency)) if mine else []
    if mine and form is None:
        # A fresh token per rendered form: a double tap on "Log activity" counts once.
        form = ActivityForm(producer=actor, prospect=prospect, active_types=active_types,
                            initial={"client_token": uuid.uuid4().hex})
    return {
        "prospect": prospect,
        "mine": mine,
        # "Log this call" after a tap on the phone number (static/js/calls.js).
        "call_type": matching_activity_type("call", active_types) if mine else None,
        "call_action": reverse("pipeline:prospect_log", args=[prospect.pk]),
        "call_token": uuid.uuid4().hex,
        "history": prospect_history(prospect),
        "activities": prospect_activities(prospect, limit=ACTIVITIES_SHOWN),
        "activities_shown": ACTIVITIES_SHOWN,
        "form": form,
    }


@producer_required
def prospect_detail(request, pk):
    prospect = prospect_get_visible(actor=request.producer, prospect_id=pk)
    prospect.next_stage = next_stage_of(prospect)
    return render(request, "pipeline/prospect.html", _detail_context(request, prospect))


@producer_required
@require_POST
def prospect_log(request, pk):
    """Log an activity against one of the producer's own prospects."""
    actor = request.producer
    prospect = prospect_get_visible(actor=actor, prospect_id=pk)
    if prospect.owner_id != actor.pk:
        # A leader may look at a team member's prospect, but activities are one's own.
        raise Http404("No such prospect.")
    form = ActivityForm(request.POST, producer=actor, prospect=prospect,
                        active_types=list(active_activity_types(prospect.agency)))
    logged = created = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            logged, created = services.activity_log(
                producer=actor, activity_type=data["activity_type"], quantity=data["quantity"],
                prospect=prospect, outcome=data["outcome"], note=data["note"],
                client_token=data["client_token"] or None)
        except ValidationError as exc:
            add_service_errors(form, exc)
    if logged is not None:
        text = (f"Logged {logged.quantity} × {logged.activity_type.name} for {prospect.name}."
                if created else
                f"Already counted: that {logged.activity_type.name} was logged once.")
        if not request.htmx:
            messages.success(request, text)
            return redirect("pipeline:prospect", pk=prospect.pk)
        context = _detail_context(request, prospect)
        return toast(render(request, "pipeline/prospect.html#activities", context), text)
    context = _detail_context(request, prospect, form=form)
    template = "pipeline/prospect.html#activities" if request.htmx else "pipeline/prospect.html"
    return render(request, template, context, status=400)


@dataclass(frozen=True)
class _Origin:
    """Where a move was started: on the board (and its line-of-business filter) or on the
    prospect's page; the answer goes back there."""

    in_board: bool
    line: str


@producer_required
@require_http_methods(["GET", "POST"])
def prospect_advance(request, pk):
    """Move a prospect to the next (or any) stage: a forward move asks for the next step and
    shows the destination's definition of done; Lost asks for the reason."""
    prospect = prospect_get_visible(actor=request.producer, prospect_id=pk)
    params = request.POST or request.GET
    origin = _Origin(in_board=params.get("from") == "board",
                     line=_line_filter(params.get("lob")))
    if request.method == "POST":
        return _advance_post(request, prospect, origin)
    return _advance_get(request, prospect, origin)


def _advance_get(request, prospect: Prospect, origin: _Origin) -> HttpResponse:
    form = AdvanceForm(initial=_advance_initial(request.GET, prospect), prospect=prospect,
                       today=_today(prospect.agency))
    return _advance_form(request, prospect, form, origin)


def _advance_initial(query, prospect: Prospect) -> dict:
    # `to` from a card's button; `to_stage` when the stage select changes (keeping what
    # was typed so far); neither: propose the next stage.
    chosen = query.get("to_stage", query.get("to"))
    to = agency_stage_get(agency=prospect.agency, stage_id=chosen) if chosen else None
    if to is None and chosen is None:
        to = next_stage_of(prospect)
    initial = {"to_stage": to.pk if to else None, "expected_stage": prospect.stage_id}
    for name in ("next_step", "next_step_due", "lost_reason", "note", "definition_confirmed",
                 "expected_stage"):
        if query.get(name):
            initial[name] = query[name]
    return initial


def _advance_post(request, prospect: Prospect, origin: _Origin) -> HttpResponse:
    form = AdvanceForm(request.POST, prospect=prospect, today=_today(prospect.agency))
    if form.is_valid():
        advance = _advance_apply(request.producer, prospect, form)
        if advance is not None:
            return _advanced(request, prospect, advance, origin)
    # Show where the prospect is now; a retry is then a deliberate move from there.
    prospect.refresh_from_db()
    form.data = form.data.copy()
    form.data["expected_stage"] = prospect.stage_id
    return _advance_form(request, prospect, form, origin, status=400)


def _advance_apply(actor, prospect: Prospect, form: AdvanceForm) -> StageAdvance | None:
    """The move, or None with the service's refusal on the form."""
    data = form.cleaned_data
    expected = agency_stage_get(agency=prospect.agency, stage_id=data["expected_stage"])
    try:
        return services.prospect_advance(
            prospect=prospect, to_stage=data["to_stage"], actor=actor, note=data["note"],
            next_step=data["next_step"], next_step_due=data["next_step_due"],
            lost_reason=data["lost_reason"],
            definition_confirmed=data["definition_confirmed"], expected_stage=expected)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def _advanced(request, prospect: Prospect, advance: StageAdvance,
              origin: _Origin) -> HttpResponse:
    """After a move: the board with the moved card celebrated in place (htmx on the board),
    otherwise back to where the move started with the message."""
    text, kind = advance_message(prospect, advance)
    if request.htmx and origin.in_board:
        context = _board_context(request, prospect.owner, origin.line, just_moved=prospect.pk,
                                 just_won=advance.is_win)
        response = render(request, "pipeline/board.html#board", context)
        return toast(reswap(retarget(response, "#board"), "outerHTML"), text, kind)
    # A win is celebrated where the producer lands, also after a plain page load.
    messages.success(request, text, extra_tags="win" if kind == "win" else "")
    if request.htmx:
        return client_redirect(reverse("pipeline:prospect", args=[prospect.pk]))
    if origin.in_board:
        return redirect(_board_url(prospect, request.producer, origin.line))
    return redirect("pipeline:prospect", pk=prospect.pk)


def _board_url(prospect: Prospect, actor, line: str) -> str:
    """The board the move was made on: the owner's (when not the actor's own), same filter."""
    params = [f"producer={prospect.owner_id}"] if prospect.owner_id != actor.pk else []
    if line:
        params.append(f"lob={line}")
    return reverse("pipeline:board") + ("?" + "&".join(params) if params else "")


def _advance_form(request, prospect: Prospect, form: AdvanceForm, origin: _Origin,
                  status: int = 200) -> HttpResponse:
    context = {"prospect": prospect, "form": form, "to_stage": _chosen_stage(form, prospect),
               "in_board": origin.in_board, "line": origin.line,
               "stages": stages_offered(prospect.agency)}
    template = "pipeline/advance.html#advance_form" if request.htmx else "pipeline/advance.html"
    return render(request, template, context, status=status)


def _chosen_stage(form: AdvanceForm, prospect: Prospect) -> Stage | None:
    value = form.data.get("to_stage") if form.is_bound else form.initial.get("to_stage")
    return agency_stage_get(agency=prospect.agency, stage_id=value) if value else None
