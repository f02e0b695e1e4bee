"""One-on-ones and leader alerts. The producer sees their own one-on-ones and adds their side;
their leaders and owners record and edit them; anyone else gets a 404."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesculture.access import leader_required, local_path, producer_required
from salesculture.forms import add_service_errors
from salesculture.selectors import producer_get_visible
from salesculture.weeks import local_now

from ..planning.rolefit import role_fit_get
from .alerts import ALERTS_SHOWN, alerts_context
from .forms import DismissForm, LeaderSideForm, OneOnOneForm, ProducerSideForm
from .selectors import (
    action_get,
    confidence_strip,
    may_lead,
    next_week,
    one_on_one_get,
    one_on_ones_page,
    people_to_coach,
    this_weeks_check_in,
)
from .services import (
    alert_dismiss,
    one_on_one_action_commit,
    one_on_one_answer,
    one_on_one_record,
    one_on_one_update,
)

PAGE = "accountability/coaching/one_on_one.html"
ALERTS = "accountability/coaching/_alerts.html"


@producer_required
def one_on_ones(request):
    """A producer's own one-on-ones; a leader's or owner's of everyone they lead (with
    `?producer=<id>` one person's)."""
    actor = request.producer
    person = request.GET.get("producer")
    producer = producer_get_visible(actor=actor, producer_id=person) if person else None
    return render(request, "accountability/coaching/list.html", {
        "page": one_on_ones_page(actor, page=request.GET.get("page"), producer=producer),
        "producer": producer, "leads": actor.is_leader,
    })


def _prefill(request) -> dict:
    """`?producer=<id>` chooses the person; `&from=role-fit` brings their flagged weeks."""
    actor, initial = request.producer, {"held_on": local_now(request.agency).date()}
    person = request.GET.get("producer")
    if not person:
        return initial
    producer = producer_get_visible(actor=actor, producer_id=person)
    initial["producer"] = producer.pk
    if request.GET.get("from") == "role-fit":
        weeks = [w.week for w in role_fit_get(actor=actor, producer_id=producer.pk).flagged_weeks]
        if weeks:
            initial["role_fit_weeks"] = ",".join(w.isoformat() for w in weeks)
            initial["notes"] = ("Role fit: kept commitments and wins against plan were both low "
                                "in the weeks of " + ", ".join(f"{w:%b} {w.day}" for w in weeks)
                                + ".\n")
    return initial


@leader_required
@require_http_methods(["GET", "POST"])
def one_on_one_new(request):
    actor = request.producer
    people = people_to_coach(actor)
    if request.method == "GET":
        form = OneOnOneForm(people=people, initial=_prefill(request))
        return render(request, "accountability/coaching/new.html", {"form": form})
    form = OneOnOneForm(request.POST, people=people)
    if form.is_valid():
        data = form.cleaned_data
        try:
            one_on_one = one_on_one_record(
                actor=actor, producer=data["producer"], held_on=data["held_on"],
                notes=data["notes"], actions=data["actions"],
                commit_actions=data["commit_actions"], follow_up_on=data["follow_up_on"],
                outcome=data["outcome"], role_fit_weeks=data["role_fit_weeks"],
                client_token=data["client_token"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"One-on-one with {one_on_one.producer.name} recorded.")
            return redirect("accountability:one_on_one", one_on_one_id=one_on_one.pk)
    return render(request, "accountability/coaching/new.html", {"form": form}, status=400)


def _detail(request, one_on_one, *, leader_form=None, side_form=None, status=200):
    actor = request.producer
    strip = confidence_strip(one_on_one.producer)
    leads = may_lead(actor, one_on_one.producer)
    if leads and leader_form is None:
        leader_form = LeaderSideForm(initial={
            "held_on": one_on_one.held_on, "notes": one_on_one.notes,
            "follow_up_on": one_on_one.follow_up_on, "outcome": one_on_one.outcome})
    is_own = actor.pk == one_on_one.producer_id
    if is_own and side_form is None:
        side_form = ProducerSideForm(initial={"producer_notes": one_on_one.producer_notes})
    return render(request, PAGE, {
        "o": one_on_one, "strip": strip, "check_in": this_weeks_check_in(strip),
        "leads": leads, "is_own": is_own, "leader_form": leader_form, "side_form": side_form,
        "next_week": next_week(one_on_one.producer),
    }, status=status)


@producer_required
def one_on_one_detail(request, one_on_one_id):
    return _detail(request, one_on_one_get(actor=request.producer, one_on_one_id=one_on_one_id))


@require_POST
@producer_required
def one_on_one_edit(request, one_on_one_id):
    """The leader's side; to the producer (or anyone not leading them) it does not exist."""
    one_on_one = one_on_one_get(actor=request.producer, one_on_one_id=one_on_one_id)
    if not may_lead(request.producer, one_on_one.producer):
        raise Http404("Only their leader edits the leader's notes.")
    form = LeaderSideForm(request.POST)
    if form.is_valid():
        try:
            one_on_one_update(actor=request.producer, one_on_one=one_on_one, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "One-on-one saved.")
            return redirect("accountability:one_on_one", one_on_one_id=one_on_one.pk)
    one_on_one.refresh_from_db()
    return _detail(request, one_on_one, leader_form=form, status=400)


@require_POST
@producer_required
def one_on_one_my_side(request, one_on_one_id):
    one_on_one = one_on_one_get(actor=request.producer, one_on_one_id=one_on_one_id)
    if request.producer.pk != one_on_one.producer_id:
        raise Http404("Only the producer adds their side.")
    form = ProducerSideForm(request.POST)
    if form.is_valid():
        try:
            one_on_one_answer(actor=request.producer, one_on_one=one_on_one,
                              producer_notes=form.cleaned_data["producer_notes"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Your side is saved.")
            return redirect("accountability:one_on_one", one_on_one_id=one_on_one.pk)
    return _detail(request, one_on_one, side_form=form, status=400)


@require_POST
@producer_required
def action_commit(request, one_on_one_id, action_id):
    one_on_one = one_on_one_get(actor=request.producer, one_on_one_id=one_on_one_id)
    action = action_get(actor=request.producer, one_on_one=one_on_one, action_id=action_id)
    try:
        commitment = one_on_one_action_commit(actor=request.producer, action=action)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"“{commitment.text}” is a commitment for the week of "
                                  f"{commitment.week_start:%b} {commitment.week_start.day}.")
    return redirect("accountability:one_on_one", one_on_one_id=one_on_one.pk)


# --- leader alerts ------------------------------------------------------------------------------

@leader_required
def alerts_page(request):
    if request.htmx:  # the section of a leader's home page, which fetches it once shown
        return render(request, ALERTS, {**alerts_context(request.producer),
                                        "next": local_path(request, _current_path(request))})
    return render(request, "accountability/coaching/alerts.html",
                  alerts_context(request.producer, limit=None, query=request.GET))


def _query_of(path: str) -> QueryDict:
    """The query of the page a dismissal came from: it answers with that same page."""
    return QueryDict(urlsplit(path).query)


def _current_path(request) -> str:
    return request.htmx.current_url_abs_path or ""


@require_POST
@leader_required
def alert_dismiss_view(request):
    form = DismissForm(request.POST)
    back = local_path(request, request.POST.get("next", ""))
    if form.is_valid():
        data = form.cleaned_data
        producer = producer_get_visible(actor=request.producer, producer_id=data["producer"])
        try:
            alert_dismiss(actor=request.producer, producer=producer, rule=data["rule"],
                          note=data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
    limit = None if back.startswith("/alerts/") else ALERTS_SHOWN
    query = _query_of(back)
    if form.errors:
        context = alerts_context(request.producer, limit=limit, form=form, query=query)
        return render(request, ALERTS if request.htmx else "accountability/coaching/alerts.html",
                      {**context, "next": back}, status=400)
    if request.htmx:
        return render(request, ALERTS, {**alerts_context(request.producer, limit=limit,
                                                         query=query), "next": back})
    messages.success(request, "Alert dismissed for this week.")
    return redirect(back or "home")
