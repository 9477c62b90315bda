import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.comparison import access
from fupin.comparison.actions.runs import start_run
from fupin.core.channels import Channel

from ._options import acting_user, add_user_option, command_error


def _value(text):
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class Command(BaseCommand):
    help = "运行数据比对：所选数据集与在册户和人员按证件号码比对，生成、更新或消除疑点。在本进程中执行，打印各规则结果。"

    def add_arguments(self, parser):
        parser.add_argument("--dataset", action="append", type=int, default=[], metavar="ID", help="数据集编号，可重复")
        parser.add_argument("--latest", action="append", default=[], metavar="KIND",
                            help="该类型最新上传的数据集（适合定时任务），如 --latest death，可重复")
        parser.add_argument("--rule", action="append", default=[], metavar="CODE",
                            help="只运行这些规则（默认：所选数据集适用的全部规则），可重复")
        parser.add_argument("--region", default="", help="只比对该区划（12位代码）下的在册户")
        parser.add_argument("--param", action="append", default=[], metavar="规则.参数=值",
                            help="调整规则参数，如 large_medical_expense.min_out_of_pocket=20000")
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")
        add_user_option(parser)

    def handle(self, *args, **options):
        user = acting_user(options["user"])
        visible = access.datasets_visible_to(user)
        datasets = list(visible.filter(pk__in=options["dataset"]))
        missing = set(options["dataset"]) - {d.pk for d in datasets}
        if missing:
            raise CommandError(f"数据集不存在：{'、'.join(map(str, sorted(missing)))}")
        for kind in options["latest"]:
            latest = visible.filter(kind__code=kind).order_by("-created", "-pk").first()
            if latest is None:
                raise CommandError(f"没有 {kind} 类型的数据集")
            datasets.append(latest)
        if not datasets:
            raise CommandError("请用 --dataset 或 --latest 指定数据集")
        params = {}
        for item in options["param"]:
            key, sep, value = item.partition("=")
            rule, dot, name = key.partition(".")
            if not (sep and dot):
                raise CommandError(f"--param 应为 规则.参数=值，收到 {item}")
            params.setdefault(rule, {})[name] = _value(value)
        try:
            run = start_run(datasets=datasets, rules=options["rule"] or None, region_code=options["region"],
                            acting_user=user, channel=Channel.CLI, params=params, run_now=True)
        except (ValidationError, PermissionDenied) as exc:
            raise command_error(exc) from exc
        if run.status != "succeeded":
            raise CommandError(f"比对任务 #{run.pk} 失败：{run.message or (run.job.message if run.job else '')}")
        results = run.summary.get("rules", {})
        if options["json"]:
            self.stdout.write(json.dumps({"run_id": run.pk, "status": run.status, "region": run.region_code,
                                          "counts": run.summary.get("counts", {}), "rules": results},
                                         ensure_ascii=False))
            return
        self.stdout.write(f"比对任务 #{run.pk} 完成")
        for code, r in results.items():
            self.stdout.write(
                f"{code}（{r['name']}）：命中 {r['hits']}，新增 {r['new']}，重新打开 {r['reopened']}，"
                f"依据更新 {r['updated']}，已核查 {r['answered']}，消除 {r['closed']}"
            )
