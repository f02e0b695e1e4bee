"""Shared by the import tests: a CSV file as bytes, uploaded and confirmed through the pages."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from pipeline.models import ImportJob

PROSPECT_HEADER = ["Name", "Owner email", "Stage", "Line of business", "Estimated revenue",
                   "Source", "Next step", "Next step due", "External id"]


def csv_bytes(rows, header=PROSPECT_HEADER, delimiter=",", encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def upload(client, data: bytes, kind="prospects", name="file.csv"):
    return client.post("/import/", {"kind": kind, "file": SimpleUploadedFile(name, data)})


def upload_job(client, data: bytes, kind="prospects") -> ImportJob:
    response = upload(client, data, kind)
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.latest("pk")


def confirm(client, job: ImportJob, capture, *, skip=False) -> ImportJob:
    """Confirm, with the work queued on commit run (Celery is eager in tests)."""
    with capture(execute=True):
        response = client.post(f"/import/{job.pk}/confirm/",
                               {"skip_bad_rows": "on"} if skip else {})
    assert response.status_code == 302, response.content.decode()[:2000]
    job.refresh_from_db()
    return job
