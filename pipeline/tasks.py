"""Thin Celery tasks of the pipeline: ids in, a service call, quiet when the row is gone."""

from celery import shared_task
from django.conf import settings

from .imports.apply import import_job_run


# Routed to the "imports" queue (settings.CELERY_TASK_ROUTES "*.import_*"), so a large file
# never holds up a scorecard refresh. Its own time limits: 50,000 rows outlast the defaults.
@shared_task(name="pipeline.import_rows", soft_time_limit=settings.IMPORT_SOFT_TIME_LIMIT,
             time_limit=settings.IMPORT_TIME_LIMIT)
def import_rows(job_id: int) -> None:
    import_job_run(job_id=job_id)
