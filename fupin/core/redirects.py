"""Return-to targets (``?next=``, a Referer) followed only within this site: never an open redirect."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, target: str | None) -> str:
    """``target`` when it leads to this site (and stays on https when the request came by https), else "".

    Refuses other hosts (``https://evil.example``, ``//evil.example``, ``/\\evil.example``, which browsers read as
    ``//``) and every other scheme (``javascript:``)."""
    target = (target or "").strip()
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return ""
