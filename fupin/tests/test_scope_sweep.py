"""The data-scope sweep: every URL pattern and every API operation, read from the resolver and the OpenAPI schema.

1. Every route with an object id, as every role, with the id of an object of another scope (another township for
   village and township accounts, another county for the county-level roles), by GET and by each write method:
   the answer is 403 or 404, and no row of any table changed.
2. Every list, export, search and statistic as a village, township and department account holds only region codes
   of the account's subtree (or its ancestors), no household of another scope and no full 18-digit ID number.
3. Every non-public route answers an anonymous request with the login page (pages) or 401 (API).

A new route whose id parameter the sweep cannot map to an object of the world (fupin/tests/conftest.py) fails the
test until ``SEGMENTS`` names its model, so the sweep grows with the routes rather than from a hand list of them.
"""

import datetime as dt
import hashlib
import io
import json
import re

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from python_calamine import CalamineWorkbook

from fupin.core import idnumber

from .conftest import COUNTY_ROLES

# Object ids, by (first path part, the path segment just before the parameter): the world's object under that name,
# or one of the markers below. "api" paths use the segment of the API path.
GLOBAL = "global"  # shared by every region (code tables, rules, lines, kinds): no other scope to try
PUBLIC = "public"  # meant for everyone (published notices)
SESSION = "session"  # held in the user's own session (an upload waiting for its column mapping)
YEAR = "year"  # not an object: a year under an object that is tried
WHICH = "which"  # not an object: which file of a job


def security_actions():
    from fupin.accounts.views import SECURITY_ACTIONS

    return list(SECURITY_ACTIONS)


# A callable gives the literal values of a parameter that names no object (a verb after an object's id).
SEGMENTS = {
    ("accounts", "users"): "user",
    ("accounts", "<int:pk>"): security_actions,
    ("regions", "regions"): "region",
    ("registry", "households"): "household",
    ("registry", "members"): "member",
    ("registry", "income"): YEAR,
    ("registry", "checks"): YEAR,
    ("registry", "duplicate-reports"): "duplicate_report",
    ("dictionaries", "dictionaries"): GLOBAL,
    ("jobs", "jobs"): "job",
    ("jobs", "download"): WHICH,
    ("monitoring", "alerts"): "alert",
    ("monitoring", "monitored"): "monitored",
    ("monitoring", "households"): "household",
    ("monitoring", "rules"): GLOBAL,
    ("monitoring", "parameters"): GLOBAL,
    ("assistance", "helpers"): "helper",
    ("assistance", "households"): "household",
    ("assistance", "pairings"): "pairing",
    ("assistance", "measures"): "measure",
    ("assistance", "photos"): "photo",
    ("assistance", "teams"): "team",
    ("assistance", "team-members"): "team_member",
    ("assistance", "units"): "unit_pairing",
    ("assistance", "unit-plans"): "unit_plan",
    ("assistance", "unit-plan-files"): "plan_attachment",
    ("assistance", "parameters"): GLOBAL,
    ("procedures", "procedures"): "procedure",
    ("procedures", "start"): "household",
    ("procedures", "attachments"): "attachment",
    ("procedures", "notices"): ("notice", "draft_notice"),
    ("procedures", "objections"): "objection",
    ("procedures", "lines"): GLOBAL,
    ("procedures", "definitions"): GLOBAL,
    ("procedures", "calendar"): GLOBAL,
    ("procedures", "adjustments"): "adjustment",
    ("comparison", "upload"): SESSION,
    ("comparison", "jobs"): "job",
    ("comparison", "datasets"): "dataset",
    ("comparison", "kinds"): GLOBAL,
    ("comparison", "rules"): GLOBAL,
    ("comparison", "runs"): "run",
    ("comparison", "suspects"): "suspect",
    ("comparison", "reverse-lists"): GLOBAL,
    ("sectors", "students"): "sector_student",
    ("sectors", "yulu"): "sector_yulu",
    ("sectors", "dropouts"): "sector_dropout",
    ("sectors", "enrolments"): "sector_enrolment",
    ("sectors", "bills"): "sector_bill",
    ("sectors", "appraisals"): "sector_appraisal",
    ("sectors", "renovations"): "sector_renovation",
    ("sectors", "water"): "sector_water",
    ("sectors", "relocations"): "sector_relocation",
    ("sectors", "figures"): GLOBAL,
    ("sectors", "diseases"): GLOBAL,
    ("sectors", "rules"): GLOBAL,
    ("credit", "credit"): "loan",
    ("funds", "anomalies"): "anomaly",
    ("funds", "runs"): "fund_run",
    ("funds", "rules"): GLOBAL,
    ("credit", "parameters"): GLOBAL,
    ("projects", "projects"): "project",
    ("projects", "beneficiaries"): "beneficiary",
    ("projects", "photos"): "project_photo",
    ("projects", "documents"): "project_document",
    ("funds", "funds"): "fund",
    ("funds", "allocations"): "allocation",
    ("funds", "batches"): "batch",
    ("funds", "parameters"): GLOBAL,
    ("assets", "assets"): "asset",
    ("assets", "handover"): "accepted_project",
    ("assets", "beneficiaries"): "asset_beneficiary",
    ("assets", "changes"): "asset_change",
    ("whatif", "scenarios"): "scenario",
    ("whatif", "changes"): "scenario_change",
    ("api", "scenarios"): "scenario",
    ("api", "changes"): "scenario_change",
    ("public", "notices"): PUBLIC,
    ("api", "tokens"): "token",
    ("api", "projects"): "project",
    ("api", "beneficiaries"): "beneficiary",
    ("api", "users"): "user",
    ("api", "regions"): "region",
    ("api", "households"): "household",
    ("api", "income-accounts"): YEAR,
    ("api", "security-checks"): YEAR,
    ("api", "members"): "member",
    ("api", "duplicate-reports"): "duplicate_report",
    ("api", "procedures"): "procedure",
    ("api", "attachments"): "attachment",
    ("api", "public"): PUBLIC,
    ("api", "funds"): "fund",
    ("api", "allocations"): "allocation",
    ("api", "batches"): "batch",
    ("api", "notices"): ("notice", "draft_notice"),
    ("api", "objections"): "objection",
    ("api", "poverty-lines"): GLOBAL,
    ("api", "procedure-definitions"): GLOBAL,
    ("api", "calendar"): GLOBAL,
    ("api", "adjustments"): "adjustment",
    ("api", "alerts"): "alert",
    ("api", "teams"): "team",
    ("api", "team-members"): "team_member",
    ("api", "units"): "unit_pairing",
    ("api", "assets"): "asset",
    ("api", "handover"): "accepted_project",
    ("api", "beneficiary-rows"): "asset_beneficiary",
    ("api", "change-requests"): "asset_change",
    ("api", "monitored"): "monitored",
    ("api", "rules"): GLOBAL,
    ("api", "jobs"): "job",
    ("api", "datasets"): "dataset",
    ("api", "runs"): "run",
    ("api", "suspects"): "suspect",
    ("api", "reverse-lists"): GLOBAL,
    ("api", "students"): "sector_student",
    ("api", "yulu"): "sector_yulu",
    ("api", "dropouts"): "sector_dropout",
    ("api", "enrolments"): "sector_enrolment",
    ("api", "bills"): "sector_bill",
    ("api", "appraisals"): "sector_appraisal",
    ("api", "renovations"): "sector_renovation",
    ("api", "water"): "sector_water",
    ("api", "relocations"): "sector_relocation",
    ("api", "loans"): "loan",
    ("api", "anomalies"): "anomaly",
    ("villages", "villages"): "region",
    ("villages", "answers"): "village_answer",
    ("villages", "evidence"): "village_evidence",
    ("villages", "exits"): "village_exit",
    ("villages", "parameters"): GLOBAL,
    ("villages", "indicators"): GLOBAL,
    ("api", "villages"): "region",
    ("api", "yearly"): YEAR,
    ("api", "checklist"): YEAR,
    ("api", "exits"): "village_exit",
    ("assessment", "assessments"): "assessment",
    ("assessment", "questions"): "assessment_question",
    ("assessment", "samples"): "assessment_sample",
    ("assessment", "sheets"): "assessment_sheet",
    ("assessment", "gates"): GLOBAL,
    ("api", "assessments"): "assessment",
    ("api", "assessment-questions"): "assessment_question",
    ("api", "assessment-samples"): "assessment_sample",
    ("oversight", "problems"): "problem",
    ("oversight", "evidence"): "problem_evidence",
    ("oversight", "from-suspect"): "suspect",
    ("oversight", "from-anomaly"): "anomaly",
    ("oversight", "from-finding"): "finding",
    ("oversight", "parameters"): GLOBAL,
    ("api", "problems"): "problem",
    ("stats", "boards"): GLOBAL,
    ("stats", "targets"): "stats_target",
    ("stats", "reports"): GLOBAL,
    ("api", "boards"): GLOBAL,
    ("api", "targets"): "stats_target",
    ("api", "reports"): GLOBAL,
}
NOT_OBJECTS = (GLOBAL, PUBLIC, SESSION, YEAR, WHICH)
ROLES = ("village", "township", *COUNTY_ROLES)
WRITE_METHODS = ("post", "put", "patch", "delete")
# Rows a refused request may still write: the audit trail of the attempt, logins, sessions, token use.
UNCHECKED_MODELS = {"audit.auditlog", "accounts.loginlog", "sessions.session"}
UNCHECKED_FIELDS = {"last_used", "last_login"}


# --- the routes ---------------------------------------------------------------------------------------------------

PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\{(\w+)\}")


def page_routes():
    """(pattern, route name, parameter names) of every page (the API is read from its schema instead)."""

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), f"{namespace}{pattern.name or ''}"

    for route, name in walk(get_resolver(), "", ""):
        if route.startswith("api/"):
            continue
        yield route, name, [a or b for a, b in PARAM.findall(route)]


def api_operations():
    """(path, method, operation) of every operation in the OpenAPI document."""
    from fupin.api import api

    schema = api.get_openapi_schema()
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation, schema


def targets(route):
    """parameter → what it names, from the path segment before it; raises for a parameter nobody has mapped."""
    parts = [p for p in route.strip("/").split("/") if p]
    app = parts[0]
    found = {}
    for i, part in enumerate(parts):
        match = PARAM.fullmatch(part)
        if not match:
            continue
        name = match.group(1) or match.group(2)
        segment = parts[i - 1] if i else app
        key = (app, segment)
        if key not in SEGMENTS:
            raise LookupError(f"{route}: 参数 {name} 指向什么对象？请在 SEGMENTS 中登记 {key}")
        found[name] = SEGMENTS[key]
    return found


# --- the world's objects for a role -------------------------------------------------------------------------------

def foreign_scope(role):
    return "county" if role in COUNTY_ROLES else "town"


def object_of(world, scope, key):
    """The world's object under ``key`` in the scope, falling back to the other county (adjustments are per county)."""
    for where in (scope, "county"):
        found = world["objects"][where].get(key)
        if found is not None:
            return found
    raise LookupError(f"夹具没有“{key}”对象，请在 fupin/tests/conftest.py 的 _fill 中创建")


def value_of(obj):
    return obj.code if hasattr(obj, "code") and obj._meta.model_name == "region" else obj.pk


def fillings(world, scope, route):
    """Each way to fill the route's parameters with objects of the scope; [] when it names no scoped object."""
    wanted = targets(route)
    if not any(isinstance(t, tuple) or (isinstance(t, str) and t not in NOT_OBJECTS) for t in wanted.values()):
        return []
    variants = [{}]
    for name, target in wanted.items():
        if callable(target):
            options = target()
        elif target == YEAR:
            options = [str(world["year"])]
        elif target == WHICH:
            options = ["result"]
        elif target in (GLOBAL, PUBLIC, SESSION):
            return []
        else:
            keys = target if isinstance(target, tuple) else (target,)
            options = [str(value_of(object_of(world, scope, key))) for key in keys]
        variants = [{**v, name: option} for v in variants for option in options]
    return variants


# --- request bodies from the schema --------------------------------------------------------------------------------

def sample(schema, document, depth=0):
    """A small value the schema accepts, so a request reaches the view's own checks."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return sample(document["components"]["schemas"][name], document, depth)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return sample(options[0], document, depth) if options else None
    if "allOf" in schema:
        return sample(schema["allOf"][0], document, depth)
    if "default" in schema:
        return schema["default"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: sample(properties[name], document, depth + 1) for name in schema.get("required", ())
                if name in properties}
    if kind == "array":
        return [sample(schema.get("items", {}), document, depth + 1)] if schema.get("minItems") else []
    if kind == "string":
        fmt = schema.get("format")
        if fmt == "date":
            return dt.date.today().isoformat()
        if fmt == "date-time":
            return dt.datetime.now().isoformat()
        if fmt == "binary":
            return SimpleUploadedFile("记录.pdf", b"%PDF-1.4", content_type="application/pdf")
        return "x" * max(1, schema.get("minLength", 1))
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    return None


def api_request(client, method, path, operation, document):
    body = operation.get("requestBody", {}).get("content", {})
    if "multipart/form-data" in body:
        data = sample(body["multipart/form-data"]["schema"], document) or {}
        return getattr(client, method)(path, data=data) if method == "post" else getattr(client, method)(path)
    if "application/json" in body:
        data = sample(body["application/json"]["schema"], document)
        return getattr(client, method)(path, data=json.dumps(data), content_type="application/json")
    return getattr(client, method)(path)


# --- no row changed -----------------------------------------------------------------------------------------------

def checksum():
    """A digest of every row of every table the requests could write (logs of the attempt aside)."""
    digest = hashlib.sha256()
    tables = set(connection.introspection.table_names())
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label_lower in UNCHECKED_MODELS or model._meta.db_table not in tables:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in UNCHECKED_FIELDS]
        digest.update(model._meta.label_lower.encode())
        for row in model._base_manager.order_by("pk").values_list(*fields):
            digest.update(repr(row).encode())
    return digest.hexdigest()


# --- clients ------------------------------------------------------------------------------------------------------

def page_client(user):
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def api_client(user):
    from fupin.accounts.services import issue_token
    from fupin.core.channels import Channel

    _token, key = issue_token(user, "sweep", channel=Channel.API)
    return Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Bearer {key}")


@pytest.fixture(autouse=True)
def _world_media(settings, world):
    """The world's uploads (attachments, photos) stay readable: the suite gives each test its own MEDIA_ROOT."""
    settings.MEDIA_ROOT = world["media"]


REFUSED = (403, 404)
MISSING = "987654321"  # an id no object has


# --- 1. another scope's objects -------------------------------------------------------------------------------------

def test_every_route_is_mapped(world, db):
    """A new id route fails here until its parameter is mapped (and the fixture makes an object for it)."""
    problems = []
    routes = [route for route, _name, params in page_routes() if params]
    routes += [path for path, _m, _o, _d in api_operations() if "{" in path]
    for route in routes:
        try:
            for scope in ("town", "county"):
                fillings(world, scope, route)
        except LookupError as exc:
            problems.append(str(exc))
    assert not problems, "\n".join(problems)


def sweep_ids(world, role, scope):
    """Every id route with the scope's objects as the role: the answers that are not a refusal, and rows changed."""
    user = world["accounts"]["home"][role]
    pages, api = page_client(user), api_client(user)
    holes = []
    before = checksum()

    def check(method, url, response, missing=None):
        """``missing()`` sends the same request for an id that does not exist, for answers other than 403/404."""
        nonlocal before
        after = checksum()
        changed = after != before
        before = after
        status = response.status_code
        # A page that only takes POST may answer GET with 405 before looking anything up; the POST is tried too.
        refused = status in REFUSED or (status == 405 and method == "get" and not url.startswith("/api/"))
        # A body refused before the object is looked up tells nothing about it: the same answer as for no object.
        if not refused and status in (400, 422) and missing is not None:
            other = missing()
            refused = (other.status_code, other.content) == (status, response.content)
            before = checksum()
        if not refused or changed:
            holes.append(f"{role} {method.upper()} {url} → {status}{'，数据被修改' if changed else ''}")

    requested = 0
    for route, name, params in page_routes():
        if not params:
            continue
        for kwargs in fillings(world, scope, route):
            url = reverse(name, kwargs=kwargs)
            for method in ("get", "post"):
                check(method, url, getattr(pages, method)(url))
                requested += 1
    for path, method, operation, document in api_operations():
        for kwargs in fillings(world, scope, path):
            url = path.format(**kwargs)
            nowhere = path.format(**{k: MISSING for k in kwargs})
            check(method, url, api_request(api, method, url, operation, document),
                  lambda method=method, nowhere=nowhere, operation=operation, document=document:
                  api_request(api, method, nowhere, operation, document))
            requested += 1
    assert requested > 100  # the sweep found the routes
    return holes


@pytest.mark.parametrize("role", ROLES)
def test_another_scopes_objects_are_refused(world, db, role):
    holes = sweep_ids(world, role, foreign_scope(role))
    assert not holes, "\n".join(holes)


def test_the_sweep_sees_its_own_scope(world, db):
    """The same sweep over the account's own objects finds them readable and writable: it can see a hole."""
    holes = sweep_ids(world, "village", "home")
    assert any(h.startswith("village GET /registry/households/") and h.endswith("→ 200") for h in holes)
    assert any(h.startswith("village GET /api/members/") for h in holes)
    assert any("数据被修改" in h for h in holes)


# --- 2. lists, exports, searches and statistics ----------------------------------------------------------------------

# 12-digit region codes and the 16-digit household numbers built on them (village code + 4 digits).
CODE = re.compile(r"(?<![0-9])(41[0-9]{10})(?:[0-9]{4})?(?![0-9Xx])")
ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])([0-9]{17}[0-9Xx])(?![0-9A-Za-z])")


def text_of(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        book = CalamineWorkbook.from_filelike(io.BytesIO(body))
        return "\n".join(
            "\t".join(str(cell) for cell in row)
            for name in book.sheet_names for row in book.get_sheet_by_name(name).to_python()
        )
    if "pdf" in kind:
        return ""
    return body.decode("utf-8-sig", errors="replace")


def template_examples():
    """The import template's example people: made-up numbers the template shows on purpose, not anyone's data."""
    from fupin.registry.imports import MEMBER_COLUMNS, template_rows

    offset = len(template_rows()[0]) - len(MEMBER_COLUMNS)
    column = offset + [c.field for c in MEMBER_COLUMNS].index("id_number")
    return {row[column] for row in template_rows()}


def leaks(text, user, world, typed=()):
    """What the text shows that the account must not see: other scopes' codes and households, full ID numbers.

    ``typed`` are the account's own search terms, which its search box, links and audit trail may show back to it.
    """
    for term in typed:
        text = text.replace(term, "")
    examples = template_examples()
    prefix = user.scope_prefix
    ancestors = set()
    region = user.region
    while region is not None:
        ancestors.add(region.code)
        region = region.parent
    found = set()
    for match in CODE.finditer(text):
        code = match.group(1)
        if not code.startswith(prefix) and code not in ancestors:
            found.add(f"区划 {match.group(0)}")
    for match in ID_NUMBER.finditer(text):
        if idnumber.check(match.group(1)).valid and match.group(1) not in examples:
            found.add(f"完整证件号码 {match.group(1)}")
    for _scope, objects in world["objects"].items():
        head = objects["household"].head_name
        if not objects["household"].village_id.startswith(prefix) and head in text:
            found.add(f"辖区外户主 {head}")
    return found


SEARCHES = ("q", "search", "name", "id_number", "number")


def search_terms(world):
    other = world["objects"]["town"]["member"]
    return [other.name, other.id_number, world["objects"]["town"]["household"].number]


def read_routes(world):
    """(url) of every page and API read without an object id, plain and searching for another scope's
    person by name, ID number and household number."""
    terms = search_terms(world)
    for _route, name, params in page_routes():
        if params or not name or name.startswith("public_"):
            continue
        url = reverse(name)
        yield url
        for term in terms:
            yield f"{url}?q={term}"
    for path, method, operation, _document in api_operations():
        if method != "get" or "{" in path or not operation.get("security"):
            continue
        yield path
        query = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
        for key in sorted(query & set(SEARCHES)):
            for term in terms:
                yield f"{path}?{key}={term}"


@pytest.mark.parametrize("role", ("village", "township", "department"))
def test_lists_exports_and_statistics_stay_in_scope(world, db, role):
    user = world["accounts"]["home"][role]
    pages, api = page_client(user), api_client(user)
    holes = []
    seen = 0
    typed = search_terms(world)
    for url in read_routes(world):
        client = api if url.startswith("/api/") else pages
        response = client.get(url)
        if response.status_code >= 500:
            holes.append(f"{role} GET {url} → {response.status_code}")
            continue
        if response.status_code != 200:
            continue
        seen += 1
        for leak in sorted(leaks(text_of(response), user, world, typed)):
            holes.append(f"{role} GET {url}：{leak}")
    assert seen > 30
    assert not holes, "\n".join(holes)


# --- 3. anonymous requests ------------------------------------------------------------------------------------------

def test_anonymous_requests_need_a_login(world, db):
    anonymous = Client(raise_request_exception=False)
    holes = []
    for route, name, params in page_routes():
        if name.startswith("public_") or name in ("accounts:login", "") or route == "healthz":
            continue
        fills = fillings(world, "home", route) if params else [{}]
        for kwargs in fills[:1]:
            url = reverse(name, kwargs=kwargs)
            response = anonymous.get(url)
            if response.status_code != 302 or not response["Location"].startswith("/accounts/login/"):
                holes.append(f"匿名 GET {url} → {response.status_code}")
    for path, method, operation, document in api_operations():
        if not operation.get("security"):
            continue
        fills = fillings(world, "home", path) if "{" in path else [{}]
        if "{" in path and not fills:
            fills = [{name: "1" for name in targets(path)}]
        url = path.format(**fills[0])
        response = api_request(anonymous, method, url, operation, document)
        if response.status_code != 401:
            holes.append(f"匿名 {method.upper()} {url} → {response.status_code}")
    assert not holes, "\n".join(holes)
