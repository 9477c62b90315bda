from fupin.core.commands import ImportCommand
from fupin.projects.imports import import_projects


class Command(ImportCommand):
    help = ("导入项目库（每行一个项目，入库为申报中）。整表校验，有错误时不写入并在文件旁生成错误清单。"
            "例：fupin projects import 项目库.xlsx --user xian --json")
    run = import_projects
