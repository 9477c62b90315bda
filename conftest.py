"""Shared fixtures: a small region tree (one county, two townships, two villages each) and an account per level.

Tree (12-digit codes):
  410000000000 河南省 / 410400000000 平顶山市 / 410481000000 舞钢市
    410481100000 尹集镇:  410481100201 张庄村, 410481100202 李庄村
    410481101000 枣林镇:  410481101201 王庄村, 410481101202 赵庄村
"""

import datetime as dt

import pytest

from fupin.core import idnumber

PASSWORD = "Test1234pass"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the migrated seed data (code tables, poverty lines, procedure definitions…) for serialized rollback.

    Playwright's sync API runs an event loop in the main thread, and under one Django's connection handler (asgiref
    Local) hands out new DatabaseWrapper objects, which lack the per-instance ``_test_serialized_contents`` that
    transactional tests restore from; so flushed seed data never came back. Putting it on the class reaches every
    wrapper.
    """
    from django.db import connections

    for connection in connections.all():
        contents = getattr(connection, "_test_serialized_contents", None)
        if contents:
            type(connection)._test_serialized_contents = contents


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    # The users fixture hashes eight passwords per test; PBKDF2 makes that ~2.5 s of every test's setup.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def regions(db):
    from fupin.regions.models import Level, Region

    def add(code, name, level, parent=None, **extra):
        return Region.objects.create(code=code, name=name, level=level, parent=parent, **extra)

    province = add("410000000000", "河南省", Level.PROVINCE)
    city = add("410400000000", "平顶山市", Level.CITY, province)
    county = add("410481000000", "舞钢市", Level.COUNTY, city)
    town_a = add("410481100000", "尹集镇", Level.TOWNSHIP, county)
    town_b = add("410481101000", "枣林镇", Level.TOWNSHIP, county)
    return {
        "province": province,
        "city": city,
        "county": county,
        "town_a": town_a,
        "town_b": town_b,
        "village_a1": add("410481100201", "张庄村", Level.VILLAGE, town_a, is_poor_village=True),
        "village_a2": add("410481100202", "李庄村", Level.VILLAGE, town_a),
        "village_b1": add("410481101201", "王庄村", Level.VILLAGE, town_b, is_poor_village=True),
        "village_b2": add("410481101202", "赵庄村", Level.VILLAGE, town_b),
    }


@pytest.fixture
def users(regions):
    from fupin.accounts.models import Role, User

    def make(username, role, region):
        return User.objects.create_user(username, password=PASSWORD, role=role, region=region, full_name=username)

    return {
        "village_a1": make("cun_a1", Role.VILLAGE, regions["village_a1"]),
        "village_b1": make("cun_b1", Role.VILLAGE, regions["village_b1"]),
        "town_a": make("xiang_a", Role.TOWNSHIP, regions["town_a"]),
        "town_b": make("xiang_b", Role.TOWNSHIP, regions["town_b"]),
        "county": make("xian", Role.COUNTY, regions["county"]),
        "leader": make("lingdao", Role.LEADER, regions["county"]),
        "department": make("bumen", Role.DEPARTMENT, regions["county"]),
        "admin": make("guanli", Role.ADMIN, regions["county"]),
    }


@pytest.fixture
def admins(users, regions):
    """The other two of 三员分立 on the county, beside users["admin"] (the system administrator)."""
    from fupin.accounts.models import Role, User

    def make(username, role):
        return User.objects.create_user(username, password=PASSWORD, role=role, region=regions["county"],
                                        full_name=username)

    return {"security": make("anquan", Role.SECURITY_ADMIN), "audit": make("shenjiguan", Role.AUDIT_ADMIN)}


_sequence = iter(range(1, 10**6))


def new_id(born=dt.date(1980, 5, 17), area="410481") -> str:
    """A fresh valid ID number (sequence odd → male, even → female)."""
    return idnumber.make(area, born, next(_sequence) % 1000)


@pytest.fixture
def make_household(users):
    """Create a household with a head (and optional extra members) through the registry service."""
    from fupin.audit.models import Channel
    from fupin.registry.models import Household, Member
    from fupin.registry.services import create_household

    counter = iter(range(1, 10**6))

    def make(village, head_name="张三", head_id=None, extra=(), **fields):
        n = next(counter)
        fields = {"status": "1", "category": "1", "main_cause": "1", "identification_year": 2016, **fields}
        household = Household(number=f"{village.code}{n:04d}", village=village, **fields)
        # Insured as the policy requires (基本医保, 大病保险, 居民养老保险), so a test's exit or elimination fails only
        # on what it sets up.
        members = [Member(name=head_name, id_number=head_id or new_id(), relation="01", ethnicity="01",
                          pension_insurance=True)]
        members += [Member(name=name, id_number=id_, relation=rel, pension_insurance=True) for name, id_, rel in extra]
        return create_household(household, members, acting_user=users["county"], channel=Channel.PAGE)

    return make


@pytest.fixture
def api_client(db):
    """A test client that sends ``Authorization: Bearer`` with a fresh API token of the given user."""
    from django.test import Client

    from fupin.accounts.models import ApiToken

    def make(user):
        key = ApiToken.generate_key()
        ApiToken.objects.create(user=user, key_hash=ApiToken.digest(key), prefix=key[:8], name="test")
        return Client(HTTP_AUTHORIZATION=f"Bearer {key}")

    return make


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian chromium driven by Playwright (it cannot download its own browser here)."""
    import os

    from playwright.sync_api import sync_playwright

    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page_as(browser, live_server):
    """``page_as(user)``: a fresh browser page logged in through the login form as that user."""
    contexts = []

    def login(user, password=PASSWORD):
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield login
    for context in contexts:
        context.close()
