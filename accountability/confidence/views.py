from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve
from django.views.decorators.http import require_POST

from salesculture.access import local_path, producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import toast
from salesculture.selectors import producer_get_visible
from salesculture.weeks import Week

from .forms import NOTE_MAX_LENGTH, PILLARS, CheckInForm
from .selectors import check_in_for_week, confidence_panel
from .services import check_in_record

PROMPT = "accountability/confidence/_week_prompt.html"
SAVED = "Check-in saved. Thank you."


@producer_required
def confidence_page(request, producer_id=None):
    actor = request.producer
    producer = actor if producer_id is None else producer_get_visible(actor=actor,
                                                                        producer_id=producer_id)
    week = Week.current(actor.agency).start
    return render(request, "accountability/confidence/page.html", {
        "producer": producer,
        "is_own": producer.pk == actor.pk,
        "rows": confidence_panel(producer),
        "week": week,
        "check_in": check_in_for_week(producer, week) if producer.pk == actor.pk else None,
        "pillars": PILLARS,
        "note_max_length": NOTE_MAX_LENGTH,
    })


@require_POST
@producer_required
def check_in(request):
    """The weekly check-in: an HTMX post swaps the prompt; without JavaScript the form posts
    here and is sent back where it came from."""
    producer = request.producer
    week = Week.current(producer.agency).start
    form = CheckInForm(request.POST)
    saved = None
    if form.is_valid():
        data = form.cleaned_data
        try:
            saved, _ = check_in_record(producer=producer, week_start=week,
                                       process=data["process"], pipeline=data["pipeline"],
                                       team=data["team"], note=data["note"])
        except ValidationError as error:
            add_service_errors(form, error)
    context = {"check_in": saved, "week": week, "producer": producer, "form": form,
               "pillars": PILLARS, "note_max_length": NOTE_MAX_LENGTH,
               "on_confidence_page": _from_confidence_page(request.POST.get("next", ""))}
    if saved is None:
        template = PROMPT if request.htmx else "accountability/confidence/check_in.html"
        return render(request, template, context, status=400)
    if request.htmx:
        return toast(render(request, PROMPT, context), SAVED, "win")
    messages.success(request, SAVED)
    return _back(request)


def _from_confidence_page(next_url: str) -> bool:
    """The prompt swapped back into the confidence page must not link to that same page."""
    try:
        match = resolve(urlsplit(next_url).path or "/")
    except Resolver404:
        return False
    return match.view_name in ("accountability:confidence", "accountability:confidence_of")


def _back(request):
    return redirect(local_path(request, request.POST.get("next", ""))
                    or "accountability:my_week")
