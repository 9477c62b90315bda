"""What a public notice must not print: ID numbers, mobile numbers, bank card numbers and health conditions
(docs/domain-facts.md §2.2). Every free text of a notice is scanned before it is published; a draft may hold such
text and is only warned about.

Numbers are found as runs of digits not inside a longer run (also in the groups people type them in, 138 1234 5678),
with full-width digits read as digits. The health words are the active entries of the 公示禁用健康用语 code table,
which an administrator edits in the 代码表 page.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from fupin.core import idnumber
from fupin.core.validators import luhn_valid
from fupin.dictionaries.models import Kind as CodeTable
from fupin.dictionaries.services import choices

ID, MOBILE, CARD, HEALTH = "id", "mobile", "card", "health"
WHAT = {ID: "身份证号码", MOBILE: "手机号码", CARD: "银行卡号", HEALTH: "个人健康状况"}

_FULLWIDTH = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
# A 20-character 残疾人证号 is an ID number and two digits of category and grade: it is matched whole first.
_RUN = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx][0-9]{2}|[0-9]+[Xx]?)(?![0-9])")
# The grouped ways of writing a number: ID 6-8-4, mobile 3-4-4, card 4-4-4-4[-1..3], separated by a space or hyphen.
_GROUPED = re.compile(
    r"(?<![0-9])(?:[0-9]{6}[ -][0-9]{8}[ -][0-9]{3}[0-9Xx]|1[3-9][0-9][ -][0-9]{4}[ -][0-9]{4}"
    r"|[0-9]{4}(?:[ -][0-9]{4}){3}(?:[ -][0-9]{1,3})?)(?![0-9])"
)
_SEPARATORS = re.compile(r"[ -]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_ID18 = re.compile(r"[0-9]{17}[0-9X]")


@dataclass(frozen=True)
class Finding:
    field: str
    label: str
    kind: str
    shown: str  # masked for a number, the word itself for a health word

    @property
    def message(self) -> str:
        what = WHAT[self.kind]
        if self.kind == HEALTH:
            return f"{self.label}含有健康状况用语“{self.shown}”，公示内容不得包含{what}"
        return f"{self.label}含有{what} {self.shown}，公示内容不得包含{what}"


def classify(number: str) -> tuple[str, str] | None:
    """(kind, the number as found) for a run of digits maybe with an X, or None. Any 17 digits followed by a digit or X
    count as an ID number even with a wrong check digit: a mistyped ID number is still a person's ID number."""
    number = number.upper()
    if len(number) == 20 and _ID18.fullmatch(number[:18]) and idnumber.check(number[:18]).valid:
        return ID, number
    if len(number) == 18 and _ID18.fullmatch(number):
        if not idnumber.check(number).valid and number.isdigit() and luhn_valid(number):
            return CARD, number
        return ID, number
    number = number.rstrip("X")
    if len(number) == 15 and idnumber.check(number).valid:
        return ID, number
    if _MOBILE.fullmatch(number):
        return MOBILE, number
    if 16 <= len(number) <= 19 and luhn_valid(number):
        return CARD, number
    return None


def _masked(kind: str, number: str) -> str:
    if kind == ID:
        return idnumber.mask(number)
    head = 3 if kind == MOBILE else 4
    return number[:head] + "*" * (len(number) - head - 4) + number[-4:]


def scan(field: str, label: str, text: str, health_words) -> list[Finding]:
    """The findings in one text, each number or word once, in the order they appear."""
    text = (text or "").translate(_FULLWIDTH)
    found: dict[tuple[str, str], tuple[int, Finding]] = {}
    for pattern in (_GROUPED, _RUN):
        for match in pattern.finditer(text):
            classified = classify(_SEPARATORS.sub("", match.group()))
            if classified is not None:
                kind, number = classified
                found.setdefault((kind, number), (match.start(), Finding(field, label, kind, _masked(kind, number))))
    folded = text.casefold()
    for word in health_words:
        at = folded.find(word.casefold())
        if word and at >= 0:
            found.setdefault((HEALTH, word), (at, Finding(field, label, HEALTH, word)))
    return [finding for _, finding in sorted(found.values(), key=lambda pair: pair[0])]


def health_words() -> list[str]:
    return [label for _, label in choices(CodeTable.NOTICE_HEALTH_WORD, include_blank=False)]


def notice_findings(notice, items) -> list[Finding]:
    """Findings in the notice's title, body and contact and in each listed household's head name (the free texts of
    a notice; the other columns are code-table labels)."""
    words = health_words()
    findings = []
    for field in ("title", "body", "contact"):
        findings += scan(field, str(notice._meta.get_field(field).verbose_name), getattr(notice, field), words)
    for n, item in enumerate(items, 1):
        if item.subject:  # a subject's row is all free text (项目名称, 实施单位, 带贫机制 …): every column is read
            for (_, label), value in zip(notice.column_list, item.cells, strict=True):
                findings += scan("items", f"公示名单第{n}项的{label}", str(value), words)
        else:
            findings += scan("items", f"公示名单第{n}户的户主姓名", item.row.get("head_name", ""), words)
    return findings


def ensure_publishable(notice, items) -> None:
    """Refuse with every finding, by field, so the page and the API name the offending text."""
    errors: dict[str, list[str]] = {}
    for finding in notice_findings(notice, items):
        errors.setdefault(finding.field, []).append(finding.message)
    if errors:
        raise ValidationError(errors)
