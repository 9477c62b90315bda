from fupin.core.commands import ExportCommand
from fupin.registry.jobs import household_export


class Command(ExportCommand):
    help = "导出贫困户到 Excel（证件号码默认脱敏，--full-ids 导出完整号码并记入操作日志）。"
    export = household_export
