"""The demo's comparison: the county uploads a death register (死亡人员) naming a few members of the demo villages
who are still on the register, compares it with the register, and the villages verify some of the suspects — all
through the comparison actions, so the suspect list and its statistics are populated."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fupin.audit.models import Channel
from fupin.comparison.actions.datasets import load_dataset
from fupin.comparison.actions.runs import start_run
from fupin.comparison.actions.suspects import verify_suspect
from fupin.comparison.models import DatasetKind, Suspect
from fupin.registry.choices import Relation
from fupin.registry.models import Member

from .workflows import Actors

PAGE = Channel.PAGE
DEATHS_PER_VILLAGE = 3


def compare_deaths(actors: list[Actors]) -> int:
    """Upload the death register, run the comparison over the county, verify two suspects; returns the suspects."""
    today = timezone.localdate()
    county_user = actors[0].by_level[3]
    rows = []
    for position, village in enumerate(actors):
        elders = Member.objects.filter(household__village=village.village.region, active=True).exclude(
            relation=Relation.HEAD).order_by("birth_date")[:DEATHS_PER_VILLAGE]
        rows += [(m.name, m.id_number, (today - dt.timedelta(days=40 + 11 * i + position)).isoformat())
                 for i, m in enumerate(elders)]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "死亡人员名单.csv"
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["姓名", "身份证号", "死亡日期"])
            writer.writerows(rows)
        dataset = load_dataset(path, kind=DatasetKind.objects.get(code="death"), acting_user=county_user,
                               channel=PAGE, title="县民政局殡葬火化数据（演示）")
    start_run(datasets=[dataset], region_code=county_user.region_id, acting_user=county_user, channel=PAGE,
              run_now=True)
    # The villages answer the first two suspects: one confirmed, one not (with a photo as its evidence).
    villages = {a.village.region_id: a.village for a in actors}
    verified = list(Suspect.objects.filter(village_code__in=villages).order_by("pk")[:2])
    if verified:
        verify_suspect(verified[0], confirmed=True, action_taken="经核实已去世，已启动自然减员程序",
                       acting_user=villages[verified[0].village_code], channel=PAGE)
    if len(verified) > 1:
        photo = SimpleUploadedFile("核实照片.jpg", b"\xff\xd8\xff\xe0demo", content_type="image/jpeg")
        verify_suspect(verified[1], confirmed=False, reason="经入户核实本人健在，系同名同姓人员误报",
                       attachment=photo, acting_user=villages[verified[1].village_code], channel=PAGE)
    return Suspect.objects.count()
