"""The owners' settings of the sales process: stages, activity types, lost reasons (under
/settings/). Owners only: to anyone else, leaders included, these pages do not exist.

Reordering is two buttons per row (a phone has no drag): a plain form post that comes back to
the list, improved by htmx into a swap of the list alone."""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesculture.access import owner_required
from salesculture.forms import add_service_errors

from . import settings_services as services
from .models import ActivityType, LostReason
from .selectors import listed_get, listed_rows, lost_by_reason, stage_get, stages_with_use
from .settings_forms import ActivityTypeForm, LostReasonForm, StageForm

STAGES_PAGE = "pipeline/settings_stages.html"
LISTED_PAGE = "pipeline/settings_listed.html"


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


# --- stages -----------------------------------------------------------------------------------


def _stages_page(request, *, form=None, status=200, moved=None):
    """`moved`: the (row id, direction) just moved, whose button keeps the focus after the
    swap, so a keyboard or screen reader stays on the row being moved."""
    template = f"{STAGES_PAGE}#stage_list" if request.htmx and form is None else STAGES_PAGE
    return render(request, template, {
        "stages": stages_with_use(request.producer.agency), "form": form or StageForm(),
        "moved": moved}, status=status)


@owner_required
@require_http_methods(["GET", "POST"])
def stages(request):
    """The agency's stages in order, with the buttons that change them, and a new stage."""
    if request.method == "GET":
        return _stages_page(request)
    form = StageForm(request.POST)
    if form.is_valid():
        try:
            stage = services.stage_add(agency=request.producer.agency, actor=request.producer,
                                       **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"Stage {stage.name} added.")
            return redirect("pipeline_settings:stages")
    return _stages_page(request, form=form, status=400)


@owner_required
@require_http_methods(["GET", "POST"])
def stage_edit(request, pk):
    stage = stage_get(agency=request.producer.agency, stage_id=pk)
    form = StageForm.for_stage(stage, request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            services.stage_update(stage=stage, actor=request.producer, **form.cleaned_data)
        except ValidationError as error:
            stage.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"Stage {stage.name} saved.")
            return redirect("pipeline_settings:stages")
    return render(request, "pipeline/settings_stage.html", {
        "stage": stage, "form": form, "in_use": services.stage_in_use(stage)},
        status=400 if form.is_bound else 200)


@owner_required
@require_POST
def stage_move(request, pk):
    stage = stage_get(agency=request.producer.agency, stage_id=pk)
    direction = request.POST.get("direction", "")
    services.stage_move(stage=stage, actor=request.producer, direction=direction)
    if request.htmx:
        return _stages_page(request, moved=(stage.pk, direction))
    return redirect("pipeline_settings:stages")


def _stage_change(request, pk, change, done: str):
    stage = stage_get(agency=request.producer.agency, stage_id=pk)
    try:
        change(stage=stage, actor=request.producer)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, done.format(name=stage.name))
    return redirect("pipeline_settings:stages")


@owner_required
@require_POST
def stage_retire(request, pk):
    return _stage_change(request, pk, services.stage_retire,
                         "{name} is retired: no longer offered, and its history stays.")


@owner_required
@require_POST
def stage_restore(request, pk):
    return _stage_change(request, pk, services.stage_restore, "{name} is back in use.")


@owner_required
@require_POST
def stage_delete(request, pk):
    return _stage_change(request, pk, services.stage_delete, "Stage {name} deleted.")


# --- activity types and lost reasons ------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    model: type
    form: type
    title: str
    singular: str
    url: str  # the list's url name; the row's are <url>'s singular forms
    intro: str


SECTIONS = {
    "activity-types": Section(
        ActivityType, ActivityTypeForm, "Activity types", "activity type", "activity_types",
        "What producers log, in the order of the quick-log buttons. A retired type is no "
        "longer offered; every activity logged with it still counts."),
    "lost-reasons": Section(
        LostReason, LostReasonForm, "Lost reasons", "lost reason", "lost_reasons",
        "The pick list shown when a prospect is marked lost (“Other” with a text is always "
        "there too), so lost deals can be counted by reason. A renamed or retired reason "
        "never changes a past loss."),
}


def _section(section: str) -> Section:
    try:
        return SECTIONS[section]
    except KeyError:
        raise Http404("No such section.") from None


def _listed_page(request, section: str, *, form=None, status=200, moved=None):
    config = _section(section)
    htmx_rows = request.htmx and form is None
    template = f"{LISTED_PAGE}#listed_rows" if htmx_rows else LISTED_PAGE
    agency = request.producer.agency
    return render(request, template, {
        "lost_by_reason": (lost_by_reason(agency) if config.model is LostReason and not htmx_rows
                           else None),
        "section": config, "rows": listed_rows(config.model, agency),
        "form": form or config.form(), "row_url": f"pipeline_settings:{config.url[:-1]}",
        "moved": moved},
        status=status)


@owner_required
@require_http_methods(["GET", "POST"])
def listed(request, section):
    config = _section(section)
    if request.method == "GET":
        return _listed_page(request, section)
    form = config.form(request.POST)
    if form.is_valid():
        try:
            row = services.listed_add(model=config.model, agency=request.producer.agency,
                                      actor=request.producer, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{config.singular.capitalize()} {row.name} added.")
            return redirect(f"pipeline_settings:{config.url}")
    return _listed_page(request, section, form=form, status=400)


@owner_required
@require_http_methods(["GET", "POST"])
def listed_edit(request, section, pk):
    config = _section(section)
    row = listed_get(config.model, agency=request.producer.agency, row_id=pk)
    initial = {"name": row.name, "icon": getattr(row, "icon", "")}
    form = config.form(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        try:
            services.listed_update(row=row, actor=request.producer, **form.cleaned_data)
        except ValidationError as error:
            row.refresh_from_db()
            add_service_errors(form, error)
        else:
            messages.success(request, f"{config.singular.capitalize()} {row.name} saved.")
            return redirect(f"pipeline_settings:{config.url}")
    return render(request, "pipeline/settings_listed_edit.html", {
        "section": config, "row": row, "form": form}, status=400 if form.is_bound else 200)


@owner_required
@require_POST
def listed_move(request, section, pk):
    config = _section(section)
    row = listed_get(config.model, agency=request.producer.agency, row_id=pk)
    direction = request.POST.get("direction", "")
    services.listed_move(row=row, actor=request.producer, direction=direction)
    if request.htmx:
        return _listed_page(request, section, moved=(row.pk, direction))
    return redirect(f"pipeline_settings:{config.url}")


@owner_required
@require_POST
def listed_active(request, section, pk):
    """Retire a row, or bring it back (`active=1`)."""
    config = _section(section)
    row = listed_get(config.model, agency=request.producer.agency, row_id=pk)
    active = request.POST.get("active") == "1"
    try:
        services.listed_set_active(row=row, actor=request.producer, active=active)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, f"{row.name} is {'back in use' if active else 'retired'}.")
    return redirect(f"pipeline_settings:{config.url}")
