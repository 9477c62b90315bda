"""Concurrent-user load test of a running fupin server on loopback: p50/p95/errors per page.

Each virtual user logs in through the login form as one of the demo accounts (village, township and county, in
turn), then walks the main pages with a think time between them, until the run's time or request budget is spent:

    home → household list → a household's file → member list with a name search → alerts → suspects →
    procedures → notices → (again)

Only loopback addresses are accepted as targets. Requires httpx (`pip install -e '.[bench]'`). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import random
import re
import socket
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import httpx

# The demo's logins (fupin.demo.accounts.DEMO_ACCOUNTS): villages, townships and the county office.
DEFAULT_ACCOUNTS = "cun1,cun2,cun3,xiang1,xiang2,xian"
DEFAULT_PASSWORD = "Fupin2025"
# Surnames common in the demo names: a member search that finds people in every village.
SEARCHES = ("王", "李", "张", "刘", "陈")
PAGES = (
    ("home", "/"),
    ("household list", "/registry/households/"),
    ("household detail", None),  # a household from the list just read
    ("member search", "/registry/members/?q={search}"),
    ("alerts", "/monitoring/alerts/"),
    ("suspects", "/comparison/suspects/"),
    ("procedures", "/procedures/"),
    ("notices", "/procedures/notices/"),
)
HOUSEHOLD_LINK = re.compile(r'href="(/registry/households/\d+/)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Stats:
    seconds: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)
    requests: int = 0

    def record(self, page: str, seconds: float, error: str | None) -> None:
        self.requests += 1
        self.seconds[page].append(seconds)
        if error:
            self.errors[page] += 1
            if len(self.error_samples) < 20:
                self.error_samples.append(f"{page}: {error}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def ensure_loopback(url: str) -> None:
    """Load goes to this machine only: refuse any host that does not resolve to a loopback address."""
    host = urlsplit(url).hostname or ""
    addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    if not addresses or not all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses):
        sys.exit(f"refusing {url}: the load test only targets loopback addresses (127.0.0.0/8, ::1)")


class Budget:
    """Stops every user when the run's time is up or its requests are spent."""

    def __init__(self, seconds: float, requests: int):
        self.deadline = time.monotonic() + seconds
        self.left = requests

    def take(self) -> bool:
        if self.left <= 0 or time.monotonic() >= self.deadline:
            return False
        self.left -= 1
        return True

    def remaining(self) -> float:
        return self.deadline - time.monotonic()


async def timed(client: httpx.AsyncClient, stats: Stats, page: str, method: str, url: str, **kwargs):
    started = time.perf_counter()
    try:
        response = await client.request(method, url, **kwargs)
    except httpx.HTTPError as exc:
        stats.record(page, time.perf_counter() - started, f"{type(exc).__name__} {url}")
        return None
    error = None if response.status_code == 200 else f"HTTP {response.status_code} {url}"
    # Sent to an account page (the login, a forced password change) means the page was not served; the home page
    # redirecting to the role's own start page is fine.
    if error is None and page != "login" and response.url.path.startswith("/accounts/"):
        error = f"sent to {response.url.path} from {url}"
    stats.record(page, time.perf_counter() - started, error)
    return response


async def virtual_user(number: int, args, budget: Budget, stats: Stats) -> None:
    account = args.accounts[number % len(args.accounts)]
    rng = random.Random(args.seed + number)
    # Users arrive spread over the ramp-up, as people starting their day do, not all in the same second: 50 logins
    # at once are 50 password hashes (PBKDF2) at once, which measures the CPU rather than the pages.
    await asyncio.sleep(args.ramp * number / args.users + rng.uniform(0, args.think_min))
    async with httpx.AsyncClient(base_url=args.url, follow_redirects=True, timeout=args.timeout) as client:
        if not budget.take():
            return
        form = await timed(client, stats, "login", "GET", "/accounts/login/")
        if form is None:
            return
        token = CSRF_FIELD.search(form.text)
        if not budget.take():
            return
        answer = await timed(client, stats, "login", "POST", "/accounts/login/", data={
            "username": account, "password": args.password, "csrfmiddlewaretoken": token.group(1) if token else "",
        }, headers={"Referer": f"{args.url}/accounts/login/"})
        # A login lands on the role's home page; still on an account page means refused, locked or told to change.
        if answer is None or answer.url.path.startswith("/accounts/"):
            stats.record("login", 0.0, f"login as {account} ended on {answer.url.path if answer else '-'}")
            return
        households: list[str] = []
        while True:
            for page, path in PAGES:
                if path is None:
                    if not households:
                        continue
                    path = rng.choice(households)
                if not budget.take():
                    return
                response = await timed(client, stats, page, "GET", path.format(search=rng.choice(SEARCHES)))
                if response is not None and page == "household list":
                    households = HOUSEHOLD_LINK.findall(response.text)
                pause = rng.uniform(args.think_min, args.think_max)
                if budget.remaining() <= pause:
                    return
                await asyncio.sleep(pause)


async def main_async(args) -> Stats:
    stats = Stats()
    budget = Budget(args.duration, args.max_requests)
    await asyncio.gather(*(virtual_user(n, args, budget, stats) for n in range(args.users)))
    return stats


def report(stats: Stats, args, seconds: float) -> dict:
    rows = []
    for page in ["login", *(name for name, _ in PAGES)]:
        values = stats.seconds.get(page)
        if not values:
            continue
        rows.append({
            "page": page, "requests": len(values), "errors": stats.errors.get(page, 0),
            "p50_ms": round(percentile(values, 0.50) * 1000), "p95_ms": round(percentile(values, 0.95) * 1000),
            "max_ms": round(max(values) * 1000), "mean_ms": round(statistics.fmean(values) * 1000),
        })
    total_errors = sum(stats.errors.values())
    print(f"{args.users} users (logging in over {args.ramp:g} s), {stats.requests} requests in {seconds:.1f} s "
          f"({stats.requests / seconds:.1f} req/s), think {args.think_min:g}–{args.think_max:g} s, {args.url}")
    print(f"{'page':<18}{'requests':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
    for row in rows:
        print(f"{row['page']:<18}{row['requests']:>9}{row['errors']:>8}{row['p50_ms']:>8}{row['p95_ms']:>8}"
              f"{row['max_ms']:>8}")
    print(f"errors: {total_errors}")
    for sample in stats.error_samples:
        print(f"  {sample}")
    return {"users": args.users, "seconds": round(seconds, 1), "requests": stats.requests, "errors": total_errors,
            "pages": rows, "error_samples": stats.error_samples}


def parse(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="the server (loopback only)")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=120, help="seconds (the run stops by itself)")
    parser.add_argument("--max-requests", type=int, default=20_000, help="request budget over all users")
    parser.add_argument("--ramp", type=float, default=30.0, help="seconds over which the users log in")
    parser.add_argument("--think-min", type=float, default=2.0)
    parser.add_argument("--think-max", type=float, default=5.0)
    parser.add_argument("--accounts", default=DEFAULT_ACCOUNTS, help="comma-separated logins, used in turn")
    parser.add_argument("--password", default=DEFAULT_PASSWORD)
    parser.add_argument("--timeout", type=float, default=30.0, help="per request, seconds")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args(argv)
    args.accounts = [a for a in args.accounts.split(",") if a]
    args.url = args.url.rstrip("/")
    if args.users < 1 or args.duration <= 0 or args.max_requests < 1 or args.ramp < 0 \
            or not 0 <= args.think_min <= args.think_max:
        parser.error("users, duration and max-requests must be positive, ramp ≥ 0, and 0 ≤ think-min ≤ think-max")
    return args


def main(argv=None) -> int:
    args = parse(argv)
    ensure_loopback(args.url)
    started = time.perf_counter()
    stats = asyncio.run(main_async(args))
    figures = report(stats, args, time.perf_counter() - started)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(figures, fh, ensure_ascii=False, indent=2)
    return 1 if figures["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
