from django.db import models


class PendingTask(models.Model):
    """A Celery task that could not be queued (the broker was down). A periodic task sends it
    again once the broker is back, so nothing is lost."""

    name = models.CharField(max_length=200)
    args = models.JSONField(default=list)
    created = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["created"]

    def __str__(self) -> str:
        return f"{self.name}{tuple(self.args)}"
