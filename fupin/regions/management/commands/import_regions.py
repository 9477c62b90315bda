from fupin.core.commands import ImportCommand
from fupin.regions.imports import import_regions


class Command(ImportCommand):
    help = (
        "导入行政区划（代码、名称、级别、上级代码、贫困村、出列年度）："
        "已有代码的更新，新代码新增，有错误则全部不写入。"
    )
    run = staticmethod(import_regions)
