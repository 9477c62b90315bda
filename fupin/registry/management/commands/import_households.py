from fupin.core.commands import ImportCommand
from fupin.registry.imports import import_households


class Command(ImportCommand):
    help = "导入贫困户和家庭成员（一行一名成员）：整个文件先校验，有错误则不写入并在文件旁生成错误清单，退出码为 1。"
    run = staticmethod(import_households)
