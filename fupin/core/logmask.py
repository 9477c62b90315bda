"""Logs never hold a full ID number or mobile number (docs/deployment.md §6 日志): a logging filter masks them in every record.

It sits on the handlers of Django's LOGGING and on gunicorn's error and access logs (``fupin serve``), so a
request line such as ``GET /registry/households/?q=<ID>`` is written as ``?q=410481********1234``.
"""

import logging
import re

from fupin.core.search import mask_id_numbers

# An 11-digit mainland mobile number (1[3-9]…), not part of a longer run of digits.
MOBILE_IN_TEXT = re.compile(r"(?<![0-9])(1[3-9][0-9])([0-9]{4})([0-9]{4})(?![0-9])")


def mask_text(text: str) -> str:
    """ID numbers keep their first 6 and last 4 characters, mobile numbers their first 3 and last 4."""
    return MOBILE_IN_TEXT.sub(r"\1****\3", mask_id_numbers(text))


class MaskPersonalNumbers(logging.Filter):
    """Formats the record's message (and traceback) once, masked, so no handler sees the numbers."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        return True
