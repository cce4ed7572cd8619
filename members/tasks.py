from celery import shared_task
from django.core.management import call_command


@shared_task
def clear_expired_sessions() -> None:
    """Nightly: drop expired sessions (cached_db sessions keep a database row each)."""
    call_command("clearsessions")
