"""Enqueue background work after the surrounding transaction commits.

Looked up by task name so that a lower layer (pipeline) can ask for work that a higher layer
(accountability) owns without importing it.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task_name: str, *args) -> None:
    def send() -> None:
        try:
            current_app.tasks[task_name].apply_async(args=args)
        except Exception:
            # The write has committed; the periodic safety refresh will pick the week up.
            logger.warning("Could not enqueue %s%r; the periodic refresh will catch up.",
                           task_name, args, exc_info=True)

    transaction.on_commit(send)
