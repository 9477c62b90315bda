from fupin.core.commands import ExportCommand
from fupin.regions.jobs import region_export


class Command(ExportCommand):
    help = "导出行政区划到 Excel（导出的文件可直接用于 fupin import regions）。"
    export = region_export
