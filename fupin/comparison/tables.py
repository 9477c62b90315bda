"""Export columns of the comparison lists (suspects, data sets), declared once for page exports and the API."""

from fupin.core.tables import DATE, DATETIME, NUMBER, Column, Table
from fupin.regions.models import Level

from . import rules as rule_book
from .models import ComparisonRun, Dataset, RunStatus, Suspect, SuspectStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def rule_name(code: str) -> str:
    return rule_book.names().get(code, code)


def evidence_text(evidence: dict) -> str:
    """比对依据 in one line: the data set and row, then the matched fields."""
    if not evidence:
        return ""
    parts = []
    if evidence.get("dataset_title"):
        parts.append(f"{evidence['dataset_title']} 第{evidence.get('row')}行")
    if evidence.get("note"):
        parts.append(f"{evidence['note']}（{'、'.join(evidence.get('datasets', []))}）")
    parts += [f"{label}：{value}" for label, value in (evidence.get("fields") or {}).items()]
    if evidence.get("name_mismatch"):
        parts.append("注意：部门数据与档案姓名不一致")
    return "；".join(parts)


SUSPECT_TABLE = Table(
    "疑点清单",
    Suspect,
    [
        Column("乡镇", "village_code", region_level=Level.TOWNSHIP),
        Column("村", "village_code", region_level=Level.VILLAGE),
        Column("村代码", "village_code", width=14),
        Column("户编号", "household_number", width=20),
        Column("姓名", "member_name"),
        Column("证件号码", "id_number", sensitive=True, width=22),
        Column("疑点类型", "rule", transform=rule_name, width=22),
        Column("比对依据", "evidence", transform=evidence_text, width=60),
        Column("状态", "status", choices=dict(SuspectStatus.choices)),
        Column("发现时间", "created", DATETIME),
        Column("反馈期限", "due_date", DATE),
        Column("核查人", "verified_by__full_name"),
        Column("核查时间", "verified_at", DATETIME),
        Column("处理措施", "action_taken", width=30),
        Column("不属实原因", "reason", width=30),
    ],
    order_by=("village_code", "household_number", "rule"),
)

DATASET_TABLE = Table(
    "比对数据集",
    Dataset,
    [
        Column("编号", "id", NUMBER),
        Column("名称", "title", width=30),
        Column("数据类型", "kind__name", width=14),
        Column("类型代码", "kind__code", width=18),
        Column("提供部门", "department"),
        Column("上传人", "uploaded_by__full_name"),
        Column("上传时间", "created", DATETIME),
        Column("数据截止日期", "reference_date", DATE),
        Column("读取行数", "rows_read", NUMBER),
        Column("有效行数", "rows_stored", NUMBER),
        Column("规范化证件号码", "ids_changed", NUMBER),
        Column("无效证件号码", "ids_rejected", NUMBER),
        Column("重复行数", "duplicates", NUMBER),
        Column("保存至", "retention_until", DATE),
    ],
)


def run_results(summary: dict) -> str:
    """各规则 命中/新增/消除 in one cell."""
    rules = (summary or {}).get("rules", {})
    return "；".join(f"{r['name']}：命中{r['hits']}，新增{r['new']}，消除{r['closed']}" for r in rules.values())


RUN_TABLE = Table(
    "比对任务",
    ComparisonRun,
    [
        Column("编号", "id", NUMBER),
        Column("比对范围", "region_code", width=14),
        Column("发起人", "started_by__full_name"),
        Column("发起时间", "created", DATETIME),
        Column("完成时间", "finished", DATETIME),
        Column("状态", "status", choices=dict(RunStatus.choices)),
        Column("结果", "summary", transform=run_results, width=80),
        Column("说明", "message", width=30),
    ],
)
