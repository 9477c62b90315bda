"""CLI: fupin adjust open|propose|start|close|reopen and fupin procedures list|show."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fupin.procedures.models import Adjustment, AdjustmentStatus, Candidate, Procedure

from .conftest import YEAR


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_adjustment_commands(regions, users, household, accounts):
    h = household(regions["village_a1"], head_name="脱贫甲")
    accounts(h, 3500)
    with pytest.raises(CommandError, match="尚未开启"):
        run("adjust_propose", "--year", str(YEAR), "--user", "xian")
    with pytest.raises(CommandError, match="县级账号"):
        run("adjust_open", "--year", str(YEAR), "--user", "xiang_a", "--county", "410481000000")
    with pytest.raises(CommandError, match="不存在"):
        run("adjust_open", "--year", str(YEAR), "--user", "nobody")
    assert "已开启舞钢市2016年度动态调整" in run("adjust_open", "--year", str(YEAR), "--user", "xian")
    result = json.loads(run("adjust_propose", "--year", str(YEAR), "--user", "xian"))
    assert result["proposed"]["exit"] == 1 and "seconds" in result
    with pytest.raises(CommandError, match="尚有1户候选未经村级确认"):
        run("adjust_close", "--year", str(YEAR), "--user", "xian")
    Candidate.objects.update(status="confirmed", decided_by=users["village_a1"])
    assert json.loads(run("adjust_start", "--year", str(YEAR), "--user", "xian")) == {"started": 1, "refused": 0}
    procedure = Procedure.objects.get()
    listing = run("procedures_list", "--user", "xiang_a")
    assert f"#{procedure.pk}" in listing and "脱贫甲" in listing
    assert run("procedures_list", "--user", "cun_b1") == ""
    rows = [json.loads(line) for line in run("procedures_list", "--user", "xian", "--json").splitlines()]
    assert rows[0]["step"] == "收支测算与民主评议"
    shown = run("procedures_show", str(procedure.pk), "--user", "xian")
    assert "→1. 收支测算与民主评议（村级）办理中" in shown and "2952" in shown
    with pytest.raises(CommandError, match="管辖范围"):
        run("procedures_show", str(procedure.pk), "--user", "cun_b1")
    Procedure.objects.update(status="withdrawn")
    assert json.loads(run("adjust_close", "--year", str(YEAR), "--user", "xian"))["households"] == 1
    assert Adjustment.objects.get().status == AdjustmentStatus.CLOSED
    run("adjust_reopen", "--year", str(YEAR), "--user", "xian", "--reason", "补录")
    assert Adjustment.objects.get().status == AdjustmentStatus.OPEN


def test_fupin_entry_point_maps_two_words(regions, users, capsys):
    from fupin.cli import main

    main(["adjust", "open", "--year", str(YEAR), "--user", "xian"])
    assert "已开启" in capsys.readouterr().out
