"""The menu and the list pages' buttons (fupin/menu.py): for every role, every link shown answers, and what the
role may not use is not shown."""

from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest
from django.test import Client
from django.urls import reverse

from conftest import PASSWORD
from fupin.accounts.models import Role, User

LIST_PAGES = ("registry:household_list", "registry:member_list", "procedures:list", "procedures:notice_list",
              "monitoring:alert_list", "monitoring:run_list", "assistance:helper_list", "comparison:index",
              "comparison:dataset_list", "comparison:suspect_list", "comparison:run_list", "regions:tree",
              "jobs:list", "audit:list")
ROLES = {
    Role.VILLAGE: "village_a1", Role.TOWNSHIP: "town_a", Role.COUNTY: "county", Role.LEADER: "leader",
    Role.ADMIN: "admin", Role.AUDITOR: None, Role.DEPARTMENT: None, Role.SECURITY_ADMIN: None,
    Role.AUDIT_ADMIN: None,
}


class Links(HTMLParser):
    """Links of the navigation bar, and buttons (links styled as buttons, submit buttons) of the page."""

    def __init__(self):
        super().__init__()
        self.nav, self.buttons, self.button_ids, self._in_nav = [], [], set(), 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            self._in_nav += 1
        classes = (attrs.get("class") or "").split()
        href = attrs.get("href") or ""
        if tag == "a" and href and href != "#":
            if self._in_nav:
                self.nav.append(href)
            elif "btn" in classes:
                self.buttons.append(href)
        if tag in ("a", "button") and attrs.get("data-testid"):
            self.button_ids.add(attrs["data-testid"])

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav -= 1


def _links(response) -> Links:
    parser = Links()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def account(users, regions):
    def make(role):
        if ROLES[role]:
            return users[ROLES[role]]
        return User.objects.create_user(f"u_{role}", password=PASSWORD, role=role, region=regions["county"],
                                        department="医保" if role == Role.DEPARTMENT else "")

    return make


@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_shown_answers_and_nothing_else_is_shown(account, role):
    user = account(role)
    client = Client()
    client.force_login(user)
    home = client.get("/", follow=True)
    assert home.status_code == 200
    shown = _links(home).nav
    for url in set(shown):
        assert client.get(url, follow=True).status_code == 200, (role, url)
    for name in LIST_PAGES:
        url = reverse(name)
        if url not in shown:
            continue
        page = client.get(url)
        assert page.status_code == 200, (role, url)
        for button in set(_links(page).buttons):
            assert client.get(urljoin(url, button), follow=True).status_code == 200, (role, url, button)


@pytest.mark.parametrize("role", [Role.LEADER, Role.AUDITOR, Role.AUDIT_ADMIN, Role.DEPARTMENT])
def test_read_only_and_department_accounts_see_no_create_import_or_run(account, role):
    client = Client()
    client.force_login(account(role))
    for name in ("registry:household_list", "monitoring:run_list"):
        response = client.get(reverse(name))
        found = _links(response).button_ids & {"household-new", "household-import", "run-monitoring", "run-quality"}
        assert not found and "新建户" not in response.content.decode(), (role, name)
    for name in ("comparison:index", "comparison:run_list"):
        assert reverse("comparison:run_create") not in _links(client.get(reverse(name))).buttons


def test_each_role_sees_its_own_menu(account):
    def shown(role):
        client = Client()
        client.force_login(account(role))
        return set(_links(client.get("/", follow=True)).nav)

    register = {reverse(name) for name in ("registry:household_list", "monitoring:alert_list", "procedures:list",
                                           "assistance:helper_list")}
    county = shown(Role.COUNTY)
    assert register <= county and reverse("comparison:run_list") in county
    assert reverse("accounts:user_list") not in county
    department = shown(Role.DEPARTMENT)
    assert not register & department and reverse("audit:list") not in department
    assert {reverse("comparison:dataset_list"), reverse("comparison:reverse_lists")} <= department
    assert reverse("comparison:run_list") not in department
    security = shown(Role.SECURITY_ADMIN)
    assert {reverse("accounts:user_list"), reverse("accounts:password_policy"), reverse("accounts:login_log")} <= security
    assert not register & security and reverse("comparison:index") not in security
    audit = shown(Role.AUDIT_ADMIN)
    assert {reverse("audit:list"), reverse("audit:verify")} <= audit
    assert not register & audit and reverse("accounts:user_list") not in audit
    assert reverse("audit:verify") not in shown(Role.ADMIN)
