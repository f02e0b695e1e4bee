"""The import pages: upload, preview (with the column mapping), confirm, progress, summary.
Owners import for the agency, leaders for their team; to producers the pages do not exist."""

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from salesculture.access import leader_required
from salesculture.forms import add_service_errors

from ..models import ImportJob
from . import services
from .apply import progress_read
from .forms import ConfirmForm, MappingForm, UploadForm
from .selectors import import_job_get, import_jobs_visible_to, import_preview, import_table

RECENT_JOBS = 10


@leader_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    actor = request.producer
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(actor=actor, kind=form.cleaned_data["kind"],
                                              data=upload.read(), filename=upload.name)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("pipeline:import_job", job.pk)
    status = 400 if form.is_bound else 200
    jobs = import_jobs_visible_to(actor).select_related("created_by__user")[:RECENT_JOBS]
    return render(request, "pipeline/import.html", {"form": form, "jobs": jobs}, status=status)


def _progress_context(job: ImportJob) -> dict:
    done = min(progress_read(job), job.total_rows)
    percent = 100 if job.status == ImportJob.Status.DONE else (
        round(100 * done / job.total_rows) if job.total_rows else 0)
    # An import that wrote nothing can be run again from here, skipping bad rows by default.
    retry = ConfirmForm(initial={"skip_bad_rows": True}) if (
        job.status == ImportJob.Status.FAILED and job.csv_text) else None
    return {"job": job, "done": done, "percent": percent, "retry_form": retry}


@leader_required
@require_http_methods(["GET", "POST"])
def import_job(request, job_id):
    """The preview while the job waits for confirmation (a POST changes the column mapping),
    then its progress and summary."""
    job = import_job_get(actor=request.producer, job_id=job_id)
    if job.status != ImportJob.Status.PREVIEW:
        return render(request, "pipeline/import_job.html", _progress_context(job))
    if request.method == "POST":
        headers = import_table(job).headers
        form = MappingForm(request.POST, kind=job.kind, headers=headers, mapping=job.mapping)
        form.is_valid()  # a choice that is not a header of the file leaves its field out
        services.import_job_map(job=job, headers=headers, chosen=form.cleaned_data)
    return _preview(request, job)


def _preview(request, job: ImportJob, *, confirm: ConfirmForm | None = None,
             status: int = 200) -> HttpResponse:
    preview = import_preview(actor=request.producer, job=job)
    mapping = MappingForm(kind=job.kind, headers=preview.headers, mapping=job.mapping)
    return render(request, "pipeline/import_job.html", {
        "job": job, "preview": preview, "mapping_form": mapping,
        "confirm_form": confirm or ConfirmForm()}, status=status)


@leader_required
@require_POST
def import_confirm(request, job_id):
    job = import_job_get(actor=request.producer, job_id=job_id)
    form = ConfirmForm(request.POST)
    form.is_valid()
    try:
        services.import_job_confirm(job=job, skip_bad_rows=form.cleaned_data["skip_bad_rows"])
    except ValidationError as error:
        add_service_errors(form, error)
        if job.status != ImportJob.Status.PREVIEW:
            raise Http404("Nothing to confirm.") from None
        return _preview(request, job, confirm=form, status=400)
    return redirect("pipeline:import_job", job.pk)


@leader_required
def import_progress(request, job_id):
    """The progress bar, polled every second until the import has finished."""
    job = import_job_get(actor=request.producer, job_id=job_id)
    response = render(request, "pipeline/import_job.html#progress", _progress_context(job))
    response["Cache-Control"] = "no-store"
    return response


@leader_required
def import_errors(request, job_id):
    job = import_job_get(actor=request.producer, job_id=job_id)
    response = HttpResponse(job.error_report, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.csv"'
    return response
