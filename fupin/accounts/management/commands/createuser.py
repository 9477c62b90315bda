import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.accounts import services
from fupin.accounts.models import Role, User
from fupin.core.channels import Channel
from fupin.regions.models import Region


class Command(BaseCommand):
    help = "创建用户：绑定到一个区划并指定角色。密码未给出时交互输入。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=Role.values, help="角色")
        parser.add_argument("--region", help="所属区划代码（12位）；超级管理员可省略")
        parser.add_argument("--password", help="密码（至少8位，含字母和数字）")
        parser.add_argument("--full-name", default="", help="姓名")
        parser.add_argument("--superuser", action="store_true", help="超级管理员（不受区划限制）")

    def handle(self, *args, username, role, region, password, full_name, superuser, **options):
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名 {username} 已存在")
        bound = None
        if region:
            bound = Region.objects.filter(code=region).first()
            if bound is None:
                raise CommandError(f"区划代码 {region} 不存在")
        password = password or getpass.getpass("密码：")
        user = User(username=username, role=role, region=bound, full_name=full_name,
                    is_superuser=superuser, is_staff=superuser)
        try:
            services.create_user(user, password, acting_user=None, channel=Channel.CLI)
        except ValidationError as exc:
            raise CommandError("；".join(f"{k}: {'，'.join(v)}" for k, v in exc.message_dict.items())) from exc
        self.stdout.write(f"已创建用户 {username}（{user.get_role_display()}）")
