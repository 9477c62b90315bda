"""Production serving pieces used by ``fupin serve``: gunicorn's command line and its masked logs."""

import os
import sys

from django.conf import settings
from gunicorn import glogging
from gunicorn.config import KNOWN_SETTINGS

from .logmask import MaskPersonalNumbers


class MaskingLogger(glogging.Logger):
    """gunicorn's error and access logs with ID and mobile numbers masked, like every Django log record."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(MaskPersonalNumbers())


def bind_address(addrport: str) -> str:
    """``8000`` → ``127.0.0.1:8000``; ``0.0.0.0:8000`` and ``[::]:8000`` stay as given."""
    return addrport if ":" in addrport else f"127.0.0.1:{addrport}"


def web_workers() -> int:
    """gunicorn's rule of thumb, two per CPU plus one, unless FUPIN_WEB_WORKERS says otherwise."""
    return settings.FUPIN_WEB_WORKERS or 2 * (os.cpu_count() or 1) + 1


def gunicorn_command(addrport: str, workers: int) -> list[str]:
    command = [
        sys.executable, "-m", "gunicorn", "fupin.wsgi:application",
        "--bind", bind_address(addrport),
        "--workers", str(workers),
        # Threads let a worker answer pages while another request of it waits on an upload or a small export.
        "--worker-class", "gthread", "--threads", str(settings.FUPIN_WEB_THREADS),
        "--timeout", str(settings.FUPIN_WEB_TIMEOUT),
        "--access-logfile", "-", "--error-logfile", "-",
        "--logger-class", "fupin.core.serving.MaskingLogger",
    ]
    # gunicorn ≥ 25 opens a control socket under $HOME, which a service account may not have.
    if any(setting.name == "control_socket_disable" for setting in KNOWN_SETTINGS):
        command.append("--no-control-socket")
    return command
