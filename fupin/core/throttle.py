"""Request throttles shared by all worker processes: a sliding window of recent hits per (scope, key).

Limits come from settings.FUPIN_THROTTLES, ``scope: (requests, seconds)``. A refused request records nothing, so a
window drains on its own; hits older than their window are deleted as new ones arrive.
"""

import datetime as dt
import ipaddress
import math

from django.conf import settings
from django.db import transaction
from django.shortcuts import render
from django.utils import timezone
from ninja.errors import HttpError

from .apitools import ErrorOut
from .models import ThrottleHit


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(proxy, strict=False) for proxy in settings.FUPIN_TRUSTED_PROXIES)


def client_ip(request) -> str:
    """The visitor's address: REMOTE_ADDR, or behind our own reverse proxies (FUPIN_TRUSTED_PROXIES) the nearest
    X-Forwarded-For entry that is not one of them. Entries left of that are the client's to forge, so never used."""
    address = request.META.get("REMOTE_ADDR") or "unknown"
    if not _trusted(address):
        return address
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        if hop.strip() and not _trusted(hop):
            return hop.strip()
    return address


def hit(**keys) -> str | None:
    """Counts one hit under each ``scope=key`` and answers None, or answers the first scope that has used up its
    limit (and counts nothing). Two workers racing at the limit may both pass: the limit holds to within one."""
    now = timezone.now()
    with transaction.atomic():
        for scope, key in keys.items():
            limit, seconds = settings.FUPIN_THROTTLES[scope]
            since = now - dt.timedelta(seconds=seconds)
            ThrottleHit.objects.filter(scope=scope, time__lte=since).delete()
            if ThrottleHit.objects.filter(scope=scope, key=str(key), time__gt=since).count() >= limit:
                return scope
        ThrottleHit.objects.bulk_create(
            [ThrottleHit(scope=scope, key=str(key), time=now) for scope, key in keys.items()])
    return None


def message(scope: str) -> str:
    minutes = math.ceil(settings.FUPIN_THROTTLES[scope][1] / 60)
    return f"短时间内提交的次数过多，本次提交没有保存。请 {minutes} 分钟后再试。"


def refused(request, **keys):
    """The Chinese 429 page when ``hit(**keys)`` refuses, else None: ``if r := refused(...): return r``."""
    scope = hit(**keys)
    if scope is None:
        return None
    return render(request, "core/throttled.html", {"message": message(scope)}, status=429)


# Declare on a throttled API operation's responses so the OpenAPI document lists the 429.
API_RESPONSES = {429: ErrorOut}


def check_api(**keys) -> None:
    """The API's form of ``refused``: raises 429 ``{"detail": "…"}`` when ``hit(**keys)`` refuses."""
    scope = hit(**keys)
    if scope is not None:
        raise HttpError(429, message(scope))
