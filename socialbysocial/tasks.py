from celery import shared_task

from socialbysocial.queue import retry_pending


@shared_task
def retry_pending_tasks() -> int:
    """Every minute: send tasks that could not be queued while the broker was down."""
    return retry_pending()
