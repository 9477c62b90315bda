"""Which column of an uploaded file holds which field of its kind, and the headers each uploader used last time."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError

from fupin.audit.services import record_change, snapshot

from ..access import department_of
from ..kinds import auto_mapping
from ..models import DatasetKind, RememberedMapping


def _uploader(user) -> dict:
    """Whose remembered mapping an upload uses: a department's (within its region) or a region office's own."""
    if user is None:
        return {"department": "", "region_code": ""}
    return {"department": department_of(user) or "", "region_code": user.region_id or ""}


def remembered_mapping(kind: DatasetKind, user) -> dict[str, str]:
    """header → field name, as this uploader's last files of the kind had them."""
    remembered = RememberedMapping.objects.filter(kind=kind, **_uploader(user)).first()
    return remembered.mapping if remembered else {}


def remember_mapping(kind: DatasetKind, columns: dict[str, str], *, acting_user, channel: str) -> None:
    """Add an upload's headers (field name → header) to its uploader's remembered mapping, and log the change."""
    key = _uploader(acting_user)
    remembered = (RememberedMapping.objects.select_for_update().filter(kind=kind, **key).first()
                  or RememberedMapping(kind=kind, **key))
    before = snapshot(remembered) if remembered.pk else None
    remembered.mapping = {**remembered.mapping, **{header: name for name, header in columns.items()}}
    if before is not None and before["mapping"] == remembered.mapping:
        return
    remembered.save()
    record_change(remembered, before=before, acting_user=acting_user, channel=channel,
                  note=f"记住{kind.name}的列对应")


def resolve_mapping(kind: DatasetKind, header: list[str], mapping: dict | None = None, *,
                    remembered: dict[str, str] | None = None) -> dict[str, int]:
    """field name → column index. ``mapping`` may give, per field, a column index or a header text; fields it
    leaves out are matched automatically (the uploader's ``remembered`` headers first, then the fields' aliases)."""
    fields = list(kind.fields.all())
    known = {f.name: f for f in fields}
    given: dict[str, int] = {}
    errors = []
    for name, column in (mapping or {}).items():
        if name not in known:
            errors.append(f"“{name}”不是{kind.name}的字段")
            continue
        if column in (None, "", -1):
            given[name] = -1  # explicitly not mapped
            continue
        if isinstance(column, int) or (isinstance(column, str) and column.isdigit()):
            index = int(column)
        elif column in header:
            index = header.index(column)
        else:
            errors.append(f"文件中没有“{column}”这一列（{known[name].label}）")
            continue
        if not 0 <= index < len(header):
            errors.append(f"第{index + 1}列不存在（{known[name].label}）")
            continue
        given[name] = index
    auto = auto_mapping([f for f in fields if f.name not in given], header, remembered)
    taken = set(given.values())
    columns = {**{n: i for n, i in auto.items() if i not in taken}, **{n: i for n, i in given.items() if i >= 0}}
    used = defaultdict(list)
    for name, index in columns.items():
        used[index].append(known[name].label)
    errors += [f"“{header[i]}”列不能同时对应{'、'.join(labels)}" for i, labels in used.items() if len(labels) > 1]
    errors += [f"找不到“{f.label}”列，请在列对应中指定" for f in fields if f.required and f.name not in columns]
    if errors:
        raise ValidationError(errors)
    return dict(sorted(columns.items(), key=lambda item: item[1]))
