"""Writes of the importer's pages: a job from an uploaded file, its column mapping, its
confirmation (which queues the task). Applying the rows is apply.py's."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from salesculture.jobs import enqueue_on_commit
from salesculture.models import Producer

from ..models import ImportJob
from ..tasks import import_rows
from .columns import guess_mapping, mapping_clean, missing_fields
from .reading import FileProblem, decode, read_table


def import_job_create(*, actor: Producer, kind: str, data: bytes, filename: str = "") -> ImportJob:
    """A job waiting for its preview to be confirmed, or ValidationError({"file": why})."""
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": "Choose what the file holds."})
    try:
        table = read_table(data, max_bytes=settings.IMPORT_MAX_BYTES,
                           max_rows=settings.IMPORT_MAX_ROWS)
    except FileProblem as problem:
        raise ValidationError({"file": str(problem)}) from None
    # Kept as read (decoded, without a byte-order mark): in UTF-8 from now on.
    text, _ = decode(data)
    return ImportJob.objects.create(
        agency=actor.agency, created_by=actor, kind=kind, filename=filename[:200],
        csv_text=text, mapping=guess_mapping(kind, table.headers), total_rows=len(table.rows))


def import_job_map(*, job: ImportJob, headers: list[str], chosen: dict[str, str]) -> ImportJob:
    """The columns chosen on the preview page (only while it waits for confirmation)."""
    if job.status != ImportJob.Status.PREVIEW:
        raise ValidationError("This import has already been confirmed.")
    job.mapping = mapping_clean(job.kind, headers, chosen)
    job.save(update_fields=["mapping"])
    return job


def import_job_confirm(*, job: ImportJob, skip_bad_rows: bool) -> ImportJob:
    """Queue the import; confirming twice (a double click) queues it once. An import that
    wrote nothing (bad rows, an error) keeps its file and can be confirmed again, say with
    "skip bad rows", without uploading it again."""
    if missing := missing_fields(job.kind, job.mapping):
        raise ValidationError(f"Choose the column for {', '.join(missing)} first.")
    with transaction.atomic():
        queued = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportJob.Status.PREVIEW, ImportJob.Status.FAILED],
        ).exclude(csv_text="").update(status=ImportJob.Status.QUEUED,
                                      skip_bad_rows=skip_bad_rows, finished_at=None)
        if queued:
            enqueue_on_commit(import_rows, job.pk)
    job.refresh_from_db()
    return job
