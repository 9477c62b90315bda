"""What core's generic pieces need from the apps above them, answered by those apps.

core is the bottom layer and imports no app (docs/architecture.md, "Layers"). Where a table, an API helper or an
export needs an app's data — the label of a stored code, the name of a region, the audit row of an export — core
asks through one of the functions below, and the owning app installs its answer when Django starts
(``AppConfig.ready``). A missing answer is a configuration error, never a silent skip.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured

_answers: dict[str, Callable] = {}


def provide(name: str, function: Callable) -> None:
    """Install the owning app's answer to ``name`` (called from its AppConfig.ready)."""
    _answers[name] = function


def _answer(name: str) -> Callable:
    try:
        return _answers[name]
    except KeyError:
        raise ImproperlyConfigured(f"No app provides core.hooks.{name}; is its app installed?") from None


def code_labels(kinds: Iterable[str]) -> dict[str, dict[str, str]]:
    """kind → {code: label} for several code tables at once (retired codes included, so old rows read).
    Provided by the dictionaries app."""
    return _answer("code_labels")(set(kinds))


def region_namer() -> Callable[[str | None, int], str]:
    """A function (region code, level) → the name of the code's ancestor region at that level, "" when unknown;
    it loads the names once, on first use. Provided by the regions app."""
    return _answer("region_namer")()


def record_export(user, *, title: str, model_name: str, count: int, full: bool, masked: bool, channel: str,
                  filters: str) -> None:
    """Write the audit row of an export (``filters`` already masked). Provided by the audit app."""
    _answer("record_export")(user, title=title, model_name=model_name, count=count, full=full, masked=masked,
                             channel=channel, filters=filters)
