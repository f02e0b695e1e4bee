"""How long a 50,000-row prospect import takes and how much memory the worker needs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_imports .venv/bin/python bench/imports.py
    DATABASE_URL=sqlite:////tmp/bench_imports.sqlite3 .venv/bin/python bench/imports.py

Migrates the database given (use one of its own: it adds an agency each run), makes an agency
of 20 producers, writes a CSV file of `--rows` prospects (every column, a fifth with a next
step date, all with an external id), then runs what the Celery worker runs
(`import_job_run`) in this process three times: the first import creates every row, the
same file again finds them all up to date, a file with every revenue changed updates them.
Prints the time of the upload's parse and preview and of each run, and the process's peak
resident memory before and after each run (ru_maxrss: what a worker needs on top of its idle
size). A measurement, never a test that fails."""

import argparse
import csv
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "salesculture.settings")

STAGES = ["Lead", "Contacted", "Appointment set", "Discovery done", "Submitted to markets",
          "Proposal presented", "Bound", "Lost"]
LINES = ["Personal lines", "Commercial lines", "Life & health", "Employee benefits"]


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def sample_file(rows: int, emails: list[str], revenue_plus: int = 0) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Name", "Owner email", "Stage", "Line of business", "Estimated revenue",
                     "Source", "Next step", "Next step due", "External id"])
    for n in range(rows):
        writer.writerow([f"Prospect {n:06d} Holdings", emails[n % len(emails)],
                         STAGES[n % len(STAGES)], LINES[n % len(LINES)],
                         f"{1000 + n % 9000 + revenue_plus}",
                         "Referral", "Call about the renewal" if n % 5 == 0 else "",
                         "2030-01-15" if n % 5 == 0 else "", f"BENCH-{n:06d}"])
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=50_000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from pipeline.imports.apply import import_job_run
    from pipeline.imports.selectors import import_preview
    from pipeline.imports.services import import_job_confirm, import_job_create
    from pipeline.models import ImportJob, Prospect
    from pipeline.services import agency_create
    from salesculture import jobs
    from salesculture.services import producer_create

    settings.CELERY_TASK_ALWAYS_EAGER = False
    call_command("migrate", verbosity=0)
    stamp = str(int(time.time()))
    agency = agency_create(name=f"Import bench {stamp}", slug=f"import-bench-{stamp}")
    owner = producer_create(agency=agency, username=f"owner-{stamp}", password="x",
                            email=f"owner-{stamp}@bench.example", role="owner")
    emails = [producer_create(agency=agency, username=f"p{n}-{stamp}", password="x",
                              email=f"p{n}-{stamp}@bench.example").user.email
              for n in range(20)]
    data = sample_file(args.rows, emails)
    print(f"{connection.vendor}: {args.rows:,} rows, {len(data) / 2**20:.1f} MB; "
          f"process peak before: {peak_mb():.0f} MB")

    started = time.perf_counter()
    job = import_job_create(actor=owner, kind="prospects", data=data, filename="bench.csv")
    preview = import_preview(actor=owner, job=job)
    print(f"upload and preview: {time.perf_counter() - started:.1f} s "
          f"({preview.good_rows:,} ready, {preview.bad_rows:,} with problems); "
          f"peak {peak_mb():.0f} MB")
    changed = sample_file(args.rows, emails, revenue_plus=1)
    for label, file in (("first import (creates)", data), ("same file again", data),
                        ("every row changed", changed)):
        if job.status != ImportJob.Status.PREVIEW:
            job = import_job_create(actor=owner, kind="prospects", data=file, filename="b.csv")
        jobs._pending.tasks = []  # as inside a request: nothing is published to a broker
        import_job_confirm(job=job, skip_bad_rows=False)
        before = peak_mb()
        started = time.perf_counter()
        import_job_run(job_id=job.pk)
        took = time.perf_counter() - started
        jobs._pending.tasks = None
        job.refresh_from_db()
        print(f"{label}: {took:.1f} s, {job.status}, {job.summary.get('created')} created, "
              f"{job.summary.get('updated')} updated; peak {before:.0f} MB → {peak_mb():.0f} MB")
    print(f"prospects in the agency: {Prospect.objects.filter(agency=agency).count():,}")


if __name__ == "__main__":
    main()
