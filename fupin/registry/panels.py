"""Panels other apps add to the household file (一户一档) without the registry knowing them.

An app registers a template in its AppConfig.ready(); the template receives ``household`` and ``user``.
"""

HOUSEHOLD_PANELS: list[str] = []


def register_household_panel(template_name: str) -> None:
    if template_name not in HOUSEHOLD_PANELS:
        HOUSEHOLD_PANELS.append(template_name)
