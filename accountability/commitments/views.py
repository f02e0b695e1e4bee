"""Commitments: set next week's (planned ahead) or this week's (late), see this week's progress
and last week's judged kept/missed, tick specific promises, withdraw before the week starts."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from salesculture.access import producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import toast
from salesculture.weeks import Week, local_now

from ..models import Commitment
from . import services as service
from .forms import PromiseForm, TargetsForm, targets_by_field
from .presenters import commitment_progress
from .rules import week_has_started
from .selectors import (
    commitment_form_choices,
    commitment_get_own,
    commitments_of_week,
    commitments_of_weeks,
    judged_commitments,
    week_tally,
)

TEMPLATE = "accountability/commitments/page.html"


def _planning_week(producer, value: str | None) -> tuple[str, Week]:
    """Which week the forms are for: next week (default, planned ahead) or this week (late)."""
    this_week = Week.current(producer.agency)
    if value == "this":
        return "this", this_week
    return "next", this_week.next


def _has_started(week: Week) -> bool:
    return week_has_started(week.begins, timezone.now())


def _context(request, *, which: str, targets_form=None, promise_form=None, prefill=None) -> dict:
    producer = request.producer
    this_week = Week.current(producer.agency)
    _, plan_week = _planning_week(producer, which)
    started = _has_started(plan_week)
    types, stages = commitment_form_choices(producer)
    last_week = this_week.previous.start
    weeks = commitments_of_weeks(producer, [last_week, this_week.start, plan_week.start])
    planned = weeks[plan_week.start]
    if targets_form is None:
        targets_form = TargetsForm(initial={"week": which}, types=types, stages=stages,
                                   existing=planned, started=started, prefill=prefill)
    if promise_form is None:
        promise_form = _promise_form(producer, which, plan_week)
    this_rows = commitment_progress(weeks[this_week.start],
                                    week_tally(producer, this_week.start))
    offer_copy = which == "next" and not targets_form.prefilled and not any(
        c.is_measurable for c in planned)
    return {
        "copy_query": _copy_query(this_rows) if offer_copy else "",
        "which": which,
        "plan_week": plan_week.start,
        "plan_started": started,
        "planned": planned,
        "targets_form": targets_form,
        "promise_form": promise_form,
        "this_week": this_week.start,
        "this_rows": this_rows,
        "last_week": last_week,
        "last_rows": judged_commitments(producer, last_week, weeks[last_week]),
    }


def _promise_form(producer, which: str, week: Week, data=None) -> PromiseForm:
    initial = None if data is not None else {"week": which}
    return PromiseForm(data, initial=initial, producer=producer, week_start=week.start,
                       today=local_now(producer.agency).date())


def _copy_query(rows) -> str:
    """This week's measurable numbers as the form's prefill parameters, to start next week
    from them (shown in the form, saved only when submitted)."""
    return urlencode(targets_by_field(row.commitment for row in rows))


def _respond(request, context: dict, *, text: str = "", kind: str = "win",
             status: int = 200) -> HttpResponse:
    if request.htmx:
        response = render(request, f"{TEMPLATE}#commitments_body", context, status=status)
        return toast(response, text, kind) if text else response
    return render(request, TEMPLATE, context, status=status)


def _saved(request, which: str, text: str) -> HttpResponse:
    """A write went through: back to the page (without JavaScript) or the fresh body."""
    if not request.htmx:
        messages.success(request, text)
        return _back(which)
    return _respond(request, _context(request, which=which), text=text)


def _back(which: str):
    url = reverse("accountability:commitments")
    return redirect(url + ("?week=this" if which == "this" else ""))


@producer_required
def commitments_page(request):
    which, _ = _planning_week(request.producer, request.GET.get("week"))
    # Prefill from the plan page's link: shown in the form, saved only when submitted.
    return _respond(request, _context(request, which=which, prefill=request.GET))


@producer_required
@require_POST
def commitments_set(request):
    producer = request.producer
    which, week = _planning_week(producer, request.POST.get("week"))
    types, stages = commitment_form_choices(producer)
    form = TargetsForm(request.POST, types=types, stages=stages,
                       existing=commitments_of_week(producer, week.start),
                       started=_has_started(week))
    if form.is_valid():
        try:
            summary = service.commitments_set_targets(
                producer=producer, week_start=week.start, actor=producer,
                activity_targets=form.activity_targets(), stage_targets=form.stage_targets())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, which, _summary_text(summary, week, which))
    return _respond(request, _context(request, which=which, targets_form=form), status=400)


def _summary_text(summary: dict, week: Week, which: str) -> str:
    if not any(summary.values()):
        return "Nothing changed."
    parts = [f"{n} {word}" for word, n in summary.items() if n]
    label = "planned ahead" if which == "next" else "late, for this week"
    return f"Commitments for the week of {week.label} saved ({', '.join(parts)}); {label}."


@producer_required
@require_POST
def promise_add(request):
    producer = request.producer
    which, week = _planning_week(producer, request.POST.get("week"))
    form = _promise_form(producer, which, week, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            commitment = service.commitment_create(
                producer=producer, week_start=week.start, actor=producer,
                kind=Commitment.Kind.SPECIFIC, text=data["text"], prospect=data["prospect"],
                due_date=data["due_date"], client_token=data["client_token"] or None)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _saved(request, which, f"Promised: {commitment.text}.")
    return _respond(request, _context(request, which=which, promise_form=form), status=400)


def _answered(request, which: str, *, error: str, text: str, kind: str) -> HttpResponse:
    """A tick or a withdrawal: its message, or why it was refused, where the producer is."""
    text = error or text
    if not request.htmx:
        (messages.error if error else messages.success)(request, text)
        return _back(which)
    which, _ = _planning_week(request.producer, which)
    return _respond(request, _context(request, which=which), text=text,
                    kind="" if error else kind)


@producer_required
@require_POST
def commitment_done(request, pk):
    """Tick (or untick) a specific promise; shown as self-reported."""
    producer = request.producer
    commitment = commitment_get_own(producer=producer, commitment_id=pk)
    done = request.POST.get("done") == "1"
    error = ""
    try:
        service.commitment_mark_done(commitment=commitment, actor=producer, done=done)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    text = (f"Done: {commitment.text}." if done else f"Marked not done: {commitment.text}.")
    return _answered(request, request.POST.get("week", "next"), error=error, text=text,
                     kind="win" if done else "")


@producer_required
@require_POST
def commitment_withdraw(request, pk):
    producer = request.producer
    commitment = commitment_get_own(producer=producer, commitment_id=pk)
    described = commitment.describe()
    error = ""
    try:
        service.commitment_withdraw(commitment=commitment, actor=producer)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    return _answered(request, request.POST.get("week", "next"), error=error,
                     text=f"Withdrawn: {described}.", kind="")
