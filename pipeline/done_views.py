""""Done" on a next step, from a board card or the prospect's page (My week has its own view,
accountability/week, which renders its own partials): a small form that logs the activity the
step was and asks for the new next step. Only the prospect's own producer may; anyone else's
prospect is a 404, as everywhere."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from salesculture.access import producer_required
from salesculture.forms import add_service_errors
from salesculture.htmx import toast

from .forms import NextStepDoneForm
from .models import Prospect, Stage
from .next_steps import matching_activity_type, next_step_done
from .reads import decorate_prospect
from .selectors import active_activity_types, next_stage_of, prospect_get_visible
from .xdates import agency_today

TEMPLATE = "pipeline/next_step_done.html"
ORIGINS = ("board", "prospect", "week")


def own_open_prospect(actor, prospect_id) -> Prospect:
    """The actor's own open prospect; a colleague's (even one a leader may see), a closed one
    or another agency's is a 404: a next step is done by its producer."""
    prospect = prospect_get_visible(actor=actor, prospect_id=prospect_id)
    if prospect.owner_id != actor.pk or prospect.stage.kind != Stage.Kind.OPEN:
        raise Http404("No such prospect.")
    return prospect


def done_form(prospect: Prospect, data=None) -> NextStepDoneForm:
    types = list(active_activity_types(prospect.agency))
    kind = matching_activity_type(prospect.next_step, types)
    return NextStepDoneForm(data, prospect=prospect, types=types,
                            today=agency_today(prospect.agency),
                            initial={"activity_type": kind.pk if kind else None})


def done_apply(request, prospect: Prospect, form: NextStepDoneForm):
    """(text, activity) after the service, or (None, None) with its refusal on the form."""
    data = form.cleaned_data
    try:
        activity, created = next_step_done(
            prospect=prospect, actor=request.producer, activity_type=data["activity_type"],
            outcome=data["outcome"], next_step=data["next_step"],
            next_step_due=data["next_step_due"], client_token=data["client_token"] or None)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None, None
    if not created:
        return f"Already done: that {activity.activity_type.name} was logged once.", activity
    return (f"Done: {activity.activity_type.name} logged for {prospect.name}. "
            f"Next: {prospect.next_step}, {prospect.next_step_due:%a %b %-d}."), activity


def done_context(prospect: Prospect, form: NextStepDoneForm, origin: str, **extra) -> dict:
    return {"prospect": prospect, "form": form, "origin": origin,
            "post_url": extra.pop("post_url", reverse("pipeline:prospect_done",
                                                      args=[prospect.pk])), **extra}


@producer_required
@require_http_methods(["GET", "POST"])
def prospect_done(request, pk):
    prospect = own_open_prospect(request.producer, pk)
    params = request.POST or request.GET
    origin = params.get("from") if params.get("from") in ORIGINS else "prospect"
    if request.method == "GET":
        return _form_response(request, prospect, done_form(prospect), origin)
    form = done_form(prospect, request.POST)
    text = None
    if form.is_valid():
        text, _ = done_apply(request, prospect, form)
    if text is None:
        return _form_response(request, prospect, form, origin, status=400)
    if request.htmx and origin == "board":
        decorate_prospect(prospect, now=timezone.now(), today=agency_today(prospect.agency))
        prospect.next_stage = next_stage_of(prospect)
        response = render(request, "pipeline/board.html#card",
                          {"prospect": prospect, "just_done": prospect.pk,
                           "line": params.get("lob", "")})
        return toast(response, text)
    messages.success(request, text)
    if origin == "board":
        return redirect("pipeline:board")
    if origin == "week":
        return redirect("accountability:my_week")
    return redirect("pipeline:prospect", pk=prospect.pk)


def _form_response(request, prospect, form, origin, status=200) -> HttpResponse:
    context = done_context(prospect, form, origin)
    template = f"{TEMPLATE}#done_form" if request.htmx else TEMPLATE
    return render(request, template, context, status=status)
