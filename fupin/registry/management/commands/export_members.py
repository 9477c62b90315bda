from fupin.core.commands import ExportCommand
from fupin.registry.jobs import member_export


class Command(ExportCommand):
    help = (
        "导出家庭成员到 Excel（一行一人，含户信息，默认只含在册人员；"
        "--full-ids 导出的文件可直接用于 fupin import households）。"
    )
    export = member_export
    defaults = {"active": "1"}  # as the member list: registered members only, unless --filter active= (all)
