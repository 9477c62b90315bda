"""Fund anomaly checks: each built-in rule fires on a crafted case and not on a clean one, custom conditions are
validated in Chinese, re-runs reconcile, anomalies go to the responsible region and are answered there."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from conftest import new_id
from fupin.core.channels import Channel
from fupin.funds.checks import jobs as _registers_the_check_job  # noqa: F401  (until funds/jobs.py imports it)

YEAR = 2026
DAY = dt.date(2026, 3, 1)


@pytest.fixture
def batch(regions):
    from fupin.funds.models import BatchStatus, DisbursementBatch

    return DisbursementBatch.objects.create(region=regions["county"], file_name="bank.csv", status=BatchStatus.LOADED)


@pytest.fixture
def pay(batch, regions):
    """pay(allocation, payee_name, id_number, amount, paid_on=DAY, village=the allocation's) → Disbursement."""
    from fupin.funds.models import Disbursement

    counter = iter(range(1, 10**6))

    def make(allocation, name, id_number, amount, paid_on=DAY, village=None, item=None):
        return Disbursement.objects.create(
            batch=batch, row_no=next(counter), allocation=allocation, fund=allocation.fund if allocation else None,
            village=village or allocation.region, item=item if item is not None else allocation.item,
            voucher_number=f"V{next(counter)}", payee_name=name, payee_id_number=id_number,
            amount=Decimal(amount), paid_on=paid_on)

    return make


@pytest.fixture
def dataset(regions):
    """dataset(kind, [(id_number, name, data)]) → a comparison data set stored directly."""
    from fupin.comparison.models import Dataset, DatasetKind, DatasetRow

    def make(kind, rows, reference=dt.date(2026, 5, 1)):
        ds = Dataset.objects.create(kind=DatasetKind.objects.get(code=kind), title=f"{kind}名单",
                                    region_code=regions["county"].code, reference_date=reference,
                                    retention_until=reference + dt.timedelta(days=365))
        DatasetRow.objects.bulk_create(DatasetRow(dataset=ds, row_no=i, id_number=id_number, name=name, data=data)
                                       for i, (id_number, name, data) in enumerate(rows, start=1))
        return ds

    return make


@pytest.fixture
def world(make_household, regions, allocations, pay):
    """Two registered payees in 张庄村, each paid once from the 产业奖补 allocation, nothing anomalous."""
    a1 = make_household(regions["village_a1"], head_name="张一").members.get()
    a2 = make_household(regions["village_a1"], head_name="张二").members.get()
    pay(allocations["a1"], "张一", a1.id_number, "150000")
    pay(allocations["a1"], "张二", a2.id_number, "150000")
    pay(allocations["b1"], "王一", make_household(regions["village_b1"], head_name="王一").members.get().id_number,
        "200000")
    return {"a1": a1, "a2": a2}


@pytest.fixture
def check(users):
    """check(user=county, **options) → the finished run (in this process)."""
    from fupin.funds.checks.runs import start_check

    def run(user=None, **options):
        return start_check(year=YEAR, acting_user=user or users["county"], channel=Channel.PAGE, run_now=True,
                           **options)

    return run


def anomalies(rule=None):
    from fupin.funds.models import Anomaly

    queryset = Anomaly.objects.select_related("rule")
    if rule:
        queryset = queryset.filter(rule__code=rule)
    return list(queryset.order_by("id"))


def test_clean_world_has_no_anomalies(world, check):
    run = check()
    assert run.status == "done", run.warnings
    assert run.scanned == 3
    assert anomalies() == []


def test_payee_not_in_register(world, check, allocations, pay):
    stranger = new_id(area="410481")
    pay(allocations["a1"], "李外", stranger, "1000", item="到户补贴")
    pay(allocations["a1"], "某公司", "", "2000", item="工程款")  # a company has no ID number: not a payee check
    check()
    [anomaly] = anomalies("payee_unregistered")
    assert anomaly.id_number == stranger and anomaly.amount == Decimal("1000.00")
    assert anomaly.region_id == allocations["a1"].region_id  # the village answers
    assert anomaly.figures["payee_in_register"] == 0


def test_paid_after_death(world, check, dataset, allocations, pay):
    dataset("death", [(world["a1"].id_number, "张一", {"death_date": "2026-02-01"})])
    dataset("death", [(world["a2"].id_number, "张二", {"death_date": "2026-06-01"})])  # died after the payment
    check()
    [anomaly] = anomalies("payee_deceased")
    assert anomaly.id_number == world["a1"].id_number
    assert anomaly.figures["days_after_death"] == 28
    from fupin.funds.checks import explain

    assert "死亡日期 2026-02-01" in explain.text(anomaly.figures)
    assert "死亡后拨付 28 天" in explain.text(anomaly.figures)


def test_duplicate_payment_reports_the_repeat_only(world, check, allocations, pay):
    pay(allocations["a1"], "张一", world["a1"].id_number, "500", paid_on=DAY + dt.timedelta(days=10))
    pay(allocations["a1"], "张二", world["a2"].id_number, "500", paid_on=DAY, item="雨露计划")  # another item
    check()
    [anomaly] = anomalies("duplicate_payment")
    assert anomaly.id_number == world["a1"].id_number and anomaly.amount == Decimal("500.00")
    assert anomaly.figures["same_item_count"] == 2
    assert float(anomaly.figures["same_item_total"]) == 150500


def test_monthly_payments_are_not_repeats(world, check, allocations, pay):
    for month in (4, 5, 6):
        pay(allocations["a1"], "张一", world["a1"].id_number, "0.01", paid_on=dt.date(2026, month, 1))
    check()
    assert anomalies("duplicate_payment") == []


def test_public_employee(world, check, dataset):
    dataset("public_employee", [(world["a2"].id_number, "张二", {"employer": "县农业农村局"})])
    check()
    [anomaly] = anomalies("public_employee")
    assert anomaly.id_number == world["a2"].id_number
    assert anomaly.figures["payee_employer"] == "县农业农村局"


def test_over_allocation_goes_to_the_township(world, check, allocations, pay):
    pay(allocations["a1"], "张一", world["a1"].id_number, "2000", item="产业奖补二期")
    check()
    [anomaly] = anomalies("over_allocation")
    assert anomaly.region_id == "410481100000"  # 尹集镇 answers for its village's allocation
    assert anomaly.allocation_id == allocations["a1"].pk and anomaly.disbursement_id is None
    assert anomaly.amount == Decimal("2000.00")
    from fupin.funds.checks import explain

    assert explain.text(anomaly.figures) == "已拨付 302,000.00 元，分配 300,000.00 元，超出 2,000.00 元"


def test_idle_allocation_reads_the_configured_days(world, check, fund, users, regions, settings):
    from fupin.funds.models import Allocation, FundParameter
    from fupin.funds.services import save_allocation

    save_allocation(Allocation(fund=fund, region=regions["village_a2"], item="村道硬化", amount=Decimal("80000"),
                               allocated_on=dt.date(2026, 1, 15)), acting_user=users["county"], channel=Channel.PAGE)
    # Checked as of today (December): over 300 days idle against the national 180 — and against a county's 400 not.
    check()
    [anomaly] = anomalies("allocation_idle")
    assert anomaly.figures["allocation_idle_days"] > 180 and float(anomaly.figures["idle_days"]) == 180
    assert "资金闲置天数 180 天" in anomaly_text(anomaly)
    FundParameter.objects.create(code="idle_days", year=YEAR, region=regions["county"], value=Decimal("400"))
    check()
    assert [a.status for a in anomalies("allocation_idle")] == ["closed"]


def anomaly_text(anomaly):
    from fupin.funds.checks import explain

    return explain.text(anomaly.figures)


def test_behind_schedule(world, check, fund, users, regions, pay):
    from fupin.funds.models import Allocation
    from fupin.funds.services import save_allocation

    slow = save_allocation(Allocation(fund=fund, region=regions["village_b2"], item="产业园", amount=Decimal("100000"),
                                      allocated_on=dt.date(2026, 2, 1)), acting_user=users["county"],
                           channel=Channel.PAGE)
    pay(slow, "某合作社", "", "30000", paid_on=dt.date(2026, 11, 1))
    check()
    [anomaly] = anomalies("behind_schedule")
    assert anomaly.allocation_id == slow.pk and anomaly.region_id == "410481101000"
    text = anomaly_text(anomaly)
    assert "支出进度 30.00%" in text and "当前支出进度目标" in text


def test_rerun_reconciles(world, check, allocations, pay, users):
    from fupin.funds.checks.answers import answer_anomaly
    from fupin.funds.models import Disbursement

    stranger = pay(allocations["a1"], "李外", new_id(), "1000", item="到户补贴")
    other = pay(allocations["b1"], "王外", new_id(), "800", item="到户补贴")
    check()
    assert len(anomalies("payee_unregistered")) == 2
    answered = next(a for a in anomalies("payee_unregistered") if a.disbursement_id == other.pk)
    answer_anomaly(answered, status="confirmed", answer="已追回", acting_user=users["village_b1"],
                   channel=Channel.PAGE)
    second = check()
    assert (second.opened, second.closed) == (0, 0)
    assert all(a.run_id == second.pk for a in anomalies("payee_unregistered"))
    Disbursement.objects.filter(pk__in=[stranger.pk, other.pk]).delete()
    check()
    statuses = sorted(a.status for a in anomalies("payee_unregistered"))
    assert statuses == ["closed", "confirmed"]  # the answered one keeps its answer
    assert {a.status for a in anomalies("over_allocation")} == {"closed"}  # the payments put them over


def test_answer_rules(world, check, allocations, pay, users, finance):
    from fupin.funds.checks.answers import answer_anomaly

    pay(allocations["a1"], "李外", new_id(), "1000", item="到户补贴")
    check()
    [anomaly] = anomalies("payee_unregistered")
    with pytest.raises(PermissionDenied):
        answer_anomaly(anomaly, status="confirmed", answer="x", acting_user=finance, channel=Channel.PAGE)
    with pytest.raises(PermissionDenied):
        answer_anomaly(anomaly, status="confirmed", answer="x", acting_user=users["village_b1"], channel=Channel.PAGE)
    with pytest.raises(ValidationError) as error:
        answer_anomaly(anomaly, status="rejected", answer=" ", acting_user=users["village_a1"], channel=Channel.PAGE)
    assert "请说明" in str(error.value)
    answer_anomaly(anomaly, status="rectified", answer="已追回 1000 元", acting_user=users["village_a1"],
                   channel=Channel.PAGE)
    anomaly.refresh_from_db()
    assert anomaly.status == "rectified" and anomaly.answered_by == users["village_a1"]


def test_scope_of_anomalies(world, check, allocations, pay, users, finance):
    from fupin.funds.models import Anomaly

    pay(allocations["a1"], "李外", new_id(), "1000", item="到户补贴")
    pay(allocations["b1"], "王外", new_id(), "800", item="到户补贴")
    pay(allocations["a1"], "张一", world["a1"].id_number, "2000", item="产业奖补二期")  # over the allocation
    check()
    assert Anomaly.objects.visible_to(users["village_a1"]).count() == 1  # its payee; the township's is not its
    assert Anomaly.objects.visible_to(users["town_a"]).count() == 2
    assert Anomaly.objects.visible_to(users["town_b"]).count() == 2  # its village's payee, its allocation
    assert Anomaly.objects.visible_to(finance).count() == 4


def test_only_runners_start_checks(world, check, users, finance):
    with pytest.raises(PermissionDenied):
        check(user=finance)
    with pytest.raises(PermissionDenied):
        check(user=users["village_a1"])
    with pytest.raises(PermissionDenied):
        check(user=users["town_a"], region_code=users["town_b"].region_id)


@pytest.mark.parametrize(("condition", "message"), [
    ("", "请填写触发条件"),
    ("amount >", "条件语法错误"),
    ("amount > 1; DROP TABLE x", "只能是一个表达式"),
    ("salary > 1", "未知字段“salary”"),
    ("amount > :nothing", "未知参数“:nothing”"),
    ("amount + 1", "应为判断式"),
    ("amount > (SELECT 1)", "不允许使用"),
    ("upper(payee_name) = 'A'", "不允许使用"),
    ("f.amount > 1", "不能带表名"),
    ("paid_on > 'not a date'", "条件无法执行"),
    ("paid_on > 5", "字段类型不匹配"),
])
def test_custom_condition_errors_in_chinese(db, condition, message):
    from fupin.funds.checks.conditions import ConditionError, validate

    with pytest.raises(ConditionError) as error:
        validate(condition)
    assert message in str(error.value)


def test_custom_rule_is_saved_and_run(world, check, users, allocations, pay):
    from fupin.funds.checks.rules import save_rule

    with pytest.raises(PermissionDenied):
        save_rule(None, {"code": "big", "name": "大额", "condition": "amount > 100000"}, acting_user=users["county"],
                  channel=Channel.PAGE)
    with pytest.raises(ValidationError) as error:
        save_rule(None, {"code": "Big!", "name": "", "condition": "amount >"}, acting_user=users["admin"],
                  channel=Channel.PAGE)
    assert set(error.value.message_dict) == {"code", "name", "condition"}
    save_rule(None, {"code": "big_payment", "name": "单笔大额拨付", "condition": "amount >= 200000", "severity": 2},
              acting_user=users["admin"], channel=Channel.PAGE)
    check()
    [anomaly] = anomalies("big_payment")
    assert anomaly.region_id == "410481101201" and anomaly.figures == {"amount": 200000.0} or \
        float(anomaly.figures["amount"]) == 200000
