from celery import shared_task

from discussions import services


@shared_task
def flush_view_counts() -> int:
    """Every few minutes: write buffered view counts to the database."""
    return services.view_counts_flush()
