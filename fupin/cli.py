"""The ``fupin`` console command: Django's management commands under one name, with two-word aliases.

``fupin import households FILE`` runs the ``import_households`` command, ``fupin compare run`` would run
``compare_run``, and any other word is passed to Django (``fupin migrate``, ``fupin db_worker`` …).
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fupin.settings")
    import django
    from django.core.management import execute_from_command_line, get_commands

    django.setup()
    if len(argv) >= 2 and f"{argv[0]}_{argv[1]}" in get_commands():
        argv = [f"{argv[0]}_{argv[1]}", *argv[2:]]
    execute_from_command_line(["fupin", *(argv or ["help"])])


if __name__ == "__main__":
    main()
