"""Applying a confirmed import: every good row written in one transaction, or none.

The task (pipeline/tasks.py) calls `import_job_run`. The rows are judged again against the
agency as it is now (it may have changed since the preview). With problems and without "skip
bad rows" nothing is written; otherwise the good rows are written in batches inside one
transaction, so a failure at any row (a crash, a constraint, a worker killed) leaves the
database as it was. Progress is reported through the cache between batches: the job's row
cannot show it, because the transaction that would update it is not committed yet.
"""

import csv
import io
import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from salesculture.models import Producer

from ..exports import cell_safe
from ..models import ImportJob
from .checks import Row, check_rows
from .selectors import import_lookups, import_table
from .writers import WRITERS

logger = logging.getLogger(__name__)
PROGRESS_SECONDS = 3600


def _progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def progress_report(job_id: int, done: int) -> None:
    """Rows of the file gone through so far, for the progress bar."""
    cache.set(_progress_key(job_id), done, timeout=PROGRESS_SECONDS)


def progress_read(job: ImportJob) -> int:
    if job.is_finished:
        return job.done_rows
    try:
        return int(cache.get(_progress_key(job.pk)) or 0)
    except (TypeError, ValueError):
        return 0


def error_report(rows: list[Row], headers: list[str]) -> str:
    """The rows not imported, as they were in the file, with the row number and the problems:
    fix them in the spreadsheet and import this file again. Formula cells are escaped, as in
    every export: the file's cells are whatever the uploader typed."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Row", "Problems", *headers])
    for row in rows:
        writer.writerow([cell_safe(value) for value in (
            row.number, "; ".join(detail for _, detail in row.problems), *row.cells)])
    return out.getvalue()


def _reasons(rows: list[Row]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        for reason in dict.fromkeys(reason for reason, _ in row.problems):
            counts[reason] = counts.get(reason, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _finish(job: ImportJob, *, status: str, created: int = 0, updated: int = 0,
            unchanged: int = 0, bad: list[Row] | None = None,
            headers: list[str] | None = None, message: str = "") -> None:
    bad = bad or []
    job.status, job.finished_at = status, timezone.now()
    job.done_rows = job.total_rows if status == ImportJob.Status.DONE else 0
    job.summary = {"created": created, "updated": updated, "unchanged": unchanged,
                   "skipped": len(bad),
                   "reasons": _reasons(bad), "message": message}
    job.error_report = error_report(bad, headers or []) if bad else ""
    job.csv_text = "" if status == ImportJob.Status.DONE else job.csv_text
    job.save(update_fields=["status", "finished_at", "done_rows", "summary", "error_report",
                            "csv_text"])


def _importer(job: ImportJob) -> Producer | None:
    actor = (Producer.objects.select_related("agency", "team", "user")
             .filter(pk=job.created_by_id, agency_id=job.agency_id, is_active=True).first())
    return actor if actor is not None and actor.is_leader else None


def import_job_run(*, job_id: int) -> None:
    """Run a confirmed import. Quiet when the job is gone or already finished, so a task
    delivered twice writes once; a job left running by a killed worker ran in a transaction
    that was rolled back, so it simply runs again."""
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status not in (ImportJob.Status.QUEUED, ImportJob.Status.RUNNING):
        return
    actor = _importer(job)
    if actor is None:
        _finish(job, status=ImportJob.Status.FAILED,
                message="Nothing was imported: the person who started it can no longer import.")
        return
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    progress_report(job.pk, 0)
    done = 0
    try:
        table = import_table(job)
        lookups = import_lookups(actor=actor, kind=job.kind, table=table, mapping=job.mapping)
        rows = list(check_rows(job.kind, table.headers, job.mapping, table.rows, lookups))
        bad = [row for row in rows if not row.ok]
        if bad and not job.skip_bad_rows:
            _finish(job, status=ImportJob.Status.FAILED, bad=bad, headers=table.headers,
                    message=f"Nothing was imported: {len(bad):,} of {len(rows):,} rows have "
                            "problems. Fix them and import again, or choose to skip bad rows.")
            return
        with transaction.atomic():
            counts = {"created": 0, "updated": 0}
            for done, created, updated in WRITERS[job.kind](job=job, actor=actor, rows=rows):
                counts["created"] += created
                counts["updated"] += updated
                progress_report(job.pk, done)
            counts["unchanged"] = len(rows) - len(bad) - counts["created"] - counts["updated"]
            _finish(job, status=ImportJob.Status.DONE, bad=bad, headers=table.headers,
                    message="", **counts)
    except Exception:
        logger.exception("Import %s failed after row %s.", job.pk, done + 1)
        job.refresh_from_db()
        _finish(job, status=ImportJob.Status.FAILED,
                message=f"Nothing was imported: the import stopped with an error after "
                        f"{done:,} rows and was undone, so your data is as it was. Try "
                        "again; if it happens again, send this file to support.")
