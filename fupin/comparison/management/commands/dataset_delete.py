from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.comparison import access
from fupin.comparison.actions.datasets import delete_dataset, purge_expired
from fupin.core.channels import Channel

from ._options import acting_user, add_user_option, command_error


class Command(BaseCommand):
    help = "删除比对数据集（保存期满，或保存期内由系统管理员说明原因）；--expired 删除全部保存期满的数据集。"

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, metavar="ID")
        parser.add_argument("--expired", action="store_true", help="删除全部保存期满的数据集（适合每晚定时执行）")
        parser.add_argument("--reason", default="", help="删除原因（保存期内删除必填）")
        add_user_option(parser)

    def handle(self, *args, ids, **options):
        user = acting_user(options["user"])
        if options["expired"]:
            deleted = purge_expired(acting_user=user, channel=Channel.CLI)
            self.stdout.write(f"已删除 {len(deleted)} 个保存期满的数据集{('：' + '、'.join(map(str, deleted))) if deleted else ''}")
            return
        if not ids:
            raise CommandError("请给出数据集编号，或使用 --expired")
        for pk in ids:
            dataset = access.datasets_visible_to(user).filter(pk=pk).first()
            if dataset is None:
                raise CommandError(f"数据集 {pk} 不存在")
            try:
                delete_dataset(dataset, acting_user=user, channel=Channel.CLI, reason=options["reason"])
            except (ValidationError, PermissionDenied) as exc:
                raise command_error(exc) from exc
            self.stdout.write(f"已删除数据集 {pk}（{dataset.title}）")
