import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from salesculture.access import producer_required
from salesculture.forms import add_service_errors
from salesculture.selectors import producer_get_visible
from salesculture.weeks import Week

from .forms import PILLARS, CheckInForm
from .selectors import check_in_for_week, confidence_panel
from .services import check_in_record

PROMPT = "accountability/confidence/_week_prompt.html"


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
               "pillars": PILLARS}
    if request.htmx:
        response = render(request, PROMPT, context)
        if saved is not None:
            response["HX-Trigger"] = json.dumps(
                {"toast": {"text": "Check-in saved. Thank you.", "kind": "win"}})
        return response
    if saved is None:
        return render(request, "accountability/confidence/check_in.html", context)
    messages.success(request, "Check-in saved. Thank you.")
    next_url = request.POST.get("next", "")
    # Only a path of this site: `redirect()` would take a bare word for a url name (a 500).
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("accountability:my_week")
