"""The import through a real Celery worker process (the task on its queue, the database
shared), not run inline as the other tests run it."""

import time

import pytest

from pipeline.imports.services import import_job_confirm, import_job_create
from pipeline.models import ImportJob, Prospect, StageAdvance
from tests.accountability.test_celery_worker import worker  # noqa: F401 - the fixture
from tests.factories import ProducerFactory
from tests.pipeline.import_helpers import csv_bytes


@pytest.mark.celery_worker
def test_a_confirmed_import_is_run_by_the_worker(worker):  # noqa: F811
    owner = ProducerFactory(role="owner", user__email="boss@example.com")
    rows = [[f"Client {n}", "boss@example.com", "Contacted", "", "100", "", "", "", f"W-{n}"]
            for n in range(25)]
    job = import_job_create(actor=owner, kind="prospects", data=csv_bytes(rows))

    import_job_confirm(job=job, skip_bad_rows=False)  # queued on commit

    deadline = time.monotonic() + 45
    while time.monotonic() < deadline and worker.poll() is None:
        job.refresh_from_db()
        if job.is_finished:
            break
        time.sleep(0.25)
    if not job.is_finished:
        worker.terminate()
        output = worker.communicate(timeout=10)[0].decode(errors="replace")
        pytest.fail(f"The worker never finished the import. Its output:\n{output[-3000:]}")
    assert (job.status, job.summary["created"]) == (ImportJob.Status.DONE, 25)
    assert Prospect.objects.filter(agency=owner.agency).count() == 25
    assert StageAdvance.objects.filter(source=StageAdvance.Source.IMPORTED).count() == 25
