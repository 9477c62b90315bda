from django.core.management.base import BaseCommand, CommandError

from fupin.accounts import services
from fupin.accounts.models import User
from fupin.core.channels import Channel


class Command(BaseCommand):
    help = "服务器运维人员处理账号安全：解除登录锁定、重置动态口令、作废全部 API 令牌（如安全管理员本人丢失手机）。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--unlock", action="store_true", help="解除登录锁定")
        parser.add_argument("--reset-totp", action="store_true", help="重置动态口令，下次登录重新绑定")
        parser.add_argument("--revoke-tokens", action="store_true", help="作废该账号的全部 API 令牌")

    def handle(self, *args, username, unlock, reset_totp, revoke_tokens, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户 {username} 不存在")
        actions = [(unlock, services.unlock, "已解除登录锁定"), (reset_totp, services.disable_totp, "已重置动态口令"),
                   (revoke_tokens, services.revoke_user_tokens, "已作废全部 API 令牌")]
        if not any(chosen for chosen, _, _ in actions):
            raise CommandError("请至少选择 --unlock、--reset-totp、--revoke-tokens 之一")
        for chosen, service, done in actions:
            if chosen:
                service(user, acting_user=None, channel=Channel.CLI)
                self.stdout.write(f"{username}：{done}")
