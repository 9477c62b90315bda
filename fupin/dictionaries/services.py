"""Reading and editing code tables."""

from fupin.audit.services import record_change, snapshot

from .models import Entry


def choices(kind: str, include_blank: bool = True) -> list[tuple[str, str]]:
    entries = [(e.code, e.label) for e in Entry.objects.filter(kind=kind, active=True)]
    return [("", "---------")] + entries if include_blank else entries


def choices_of(kinds, include_blank: bool = True) -> dict[str, list[tuple[str, str]]]:
    """kind → ``choices(kind)`` for several code tables in one query (a filter form with many coded fields)."""
    found = {kind: [("", "---------")] if include_blank else [] for kind in kinds}
    for kind, code, label in Entry.objects.filter(kind__in=found, active=True).values_list("kind", "code", "label"):
        found[kind].append((code, label))
    return found


def labels(kind: str) -> dict[str, str]:
    """code → label, including retired codes so old records still read."""
    return dict(Entry.objects.filter(kind=kind).values_list("code", "label"))


def code_tables(kinds) -> dict[str, dict[str, str]]:
    """kind → {code: label} for several code tables in one query (retired codes included, so old rows read)."""
    tables = {kind: {} for kind in kinds}
    if tables:
        for kind, code, label in Entry.objects.filter(kind__in=tables).values_list("kind", "code", "label"):
            tables[kind][code] = label
    return tables


def codes_by_label(kind: str) -> dict[str, str]:
    """label → code and code → code, so imports accept either the label or the code."""
    mapping = {}
    for code, label in Entry.objects.filter(kind=kind, active=True).values_list("code", "label"):
        mapping[label] = code
        mapping[code] = code
    return mapping


def save_entry(entry: Entry, *, acting_user, channel: str) -> Entry:
    before = snapshot(Entry.objects.get(pk=entry.pk)) if entry.pk else None
    entry.full_clean()
    entry.save()
    record_change(entry, before=before, acting_user=acting_user, channel=channel, region_code="")
    return entry
