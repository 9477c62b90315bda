"""``job_succeeded(sender=Job, job=job)``: sent inside a job's transaction once its handler returned, so an app
above (``stats``) can queue work after a batch; what it queues runs after the commit (``services.start``)."""

from django.dispatch import Signal

job_succeeded = Signal()
