"""Helpers for comparison tests: department files written on the fly, loaded and compared through the actions."""

import csv

import pytest
import xlsxwriter

from fupin.comparison.actions.datasets import load_dataset
from fupin.comparison.actions.runs import start_run
from fupin.comparison.models import DatasetKind
from fupin.core.channels import Channel


def write_xlsx(path, header, rows, *, title=None, numbers=()):
    """A workbook like a department's: optional title line, header, rows; columns in ``numbers`` as number cells."""
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Sheet1")
    line = 0
    if title:
        sheet.write_string(0, 0, title)
        line = 1
    for col, text in enumerate(header):
        sheet.write_string(line, col, text)
    for r, row in enumerate(rows, start=line + 1):
        for c, value in enumerate(row):
            if value is None:
                continue
            if c in numbers and isinstance(value, (int, float)):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    workbook.close()
    return path


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def load(tmp_path, users):
    """load(kind_code, header, rows, **options) → Dataset, uploaded by the county account unless told."""
    counter = iter(range(1, 1000))

    def make(kind, header, rows, *, user=None, suffix=".xlsx", **options):
        path = tmp_path / f"upload{next(counter)}{suffix}"
        if suffix == ".csv":
            write_csv(path, header, rows)
        else:
            write_xlsx(path, header, rows, numbers=options.pop("numbers", ()))
        return load_dataset(
            path, kind=DatasetKind.objects.get(code=kind), acting_user=user or users["county"], channel=Channel.PAGE,
            **options,
        )

    return make


@pytest.fixture
def compare(users):
    """compare(datasets, rules=None, region="") → the finished ComparisonRun, run in this process."""
    def run(datasets, rules=None, region="", user=None, params=None):
        return start_run(
            datasets=datasets, rules=rules, region_code=region, acting_user=user or users["county"],
            channel=Channel.PAGE, params=params, run_now=True,
        )

    return run
