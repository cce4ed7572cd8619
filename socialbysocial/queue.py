"""Queue Celery tasks after the current transaction commits, without ever losing one.

``enqueue(task, *args)`` sends the task once the transaction commits. If the broker cannot be
reached, the task is written to ``PendingTask`` instead and ``retry_pending_tasks`` (beat, every
minute) sends it when the broker is back.
"""

import logging

from celery import current_app
from django.db import transaction
from kombu.exceptions import OperationalError

logger = logging.getLogger(__name__)


def enqueue(task, *args) -> None:
    transaction.on_commit(lambda: send(task.name, list(args)))


def _publish(name: str, args: list) -> None:
    if current_app.conf.task_always_eager:  # development and unit tests: run it here
        current_app.tasks[name].apply(args=args, throw=True)
    else:
        current_app.send_task(name, args=args)


def send(name: str, args: list) -> bool:
    """Send now; on a broker failure keep it for later. Returns whether it was sent."""
    from socialbysocial.models import PendingTask

    try:
        _publish(name, args)
    except (OperationalError, ConnectionError, OSError) as exc:
        logger.warning("Could not queue %s, keeping it for later: %s", name, exc)
        PendingTask.objects.create(name=name, args=args, last_error=str(exc)[:1000])
        return False
    return True


def retry_pending(limit: int = 500) -> int:
    """Send tasks kept while the broker was down, oldest first. Returns how many went."""
    from django.db.models import F

    from socialbysocial.models import PendingTask

    sent = 0
    for pending in PendingTask.objects.order_by("created")[:limit]:
        try:
            _publish(pending.name, pending.args)
        except (OperationalError, ConnectionError, OSError) as exc:
            PendingTask.objects.filter(pk=pending.pk).update(
                attempts=F("attempts") + 1, last_error=str(exc)[:1000]
            )
            break  # the broker is still down: try again next time
        pending.delete()
        sent += 1
    return sent
