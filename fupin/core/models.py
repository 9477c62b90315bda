from django.db import models


class ThrottleHit(models.Model):
    """One counted request of a throttled action (fupin/core/throttle.py).

    In the database, not a process's memory: every gunicorn worker and the API see the same count."""

    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    time = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["scope", "key", "time"], name="throttle_scope_key_time"),
            models.Index(fields=["scope", "time"], name="throttle_scope_time"),
        ]
