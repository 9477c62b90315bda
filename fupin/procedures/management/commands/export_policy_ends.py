from fupin.core.commands import ExportCommand
from fupin.procedures.jobs import policy_end_export


class Command(ExportCommand):
    help = "导出退出享受政策台账到 Excel（与台账页相同的筛选条件，记入操作日志）。"
    export = policy_end_export
