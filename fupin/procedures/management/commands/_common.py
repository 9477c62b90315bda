"""Shared pieces of the procedure commands: the acting account and the county/year adjustment they address."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from fupin.accounts.models import User
from fupin.procedures.models import Adjustment
from fupin.procedures.services import county_code
from fupin.regions.models import Level, Region


class ProcedureCommand(BaseCommand):
    """Runs ``act(options)``; service refusals become a CommandError with the Chinese message."""

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="以该账号的身份和数据权限执行（记入操作日志）")

    def acting_user(self, options) -> User:
        user = User.objects.select_related("region").filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"账号“{options['user']}”不存在或已停用")
        return user

    def handle(self, *args, **options):
        try:
            self.act(self.acting_user(options), options)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc

    def act(self, user, options):
        raise NotImplementedError


class AdjustmentCommand(ProcedureCommand):
    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--year", type=int, required=True, help="年度")
        parser.add_argument("--county", help="县区划代码（默认：账号所属县）")

    def county(self, user, options) -> Region:
        code = options.get("county") or (county_code(user.region_id) if user.region_id else None)
        county = Region.objects.filter(code=code, level=Level.COUNTY).first() if code else None
        if county is None:
            raise CommandError("请用 --county 指定县级区划代码")
        return county

    def adjustment(self, user, options) -> Adjustment:
        county = self.county(user, options)
        found = Adjustment.objects.select_related("county").filter(county=county, year=options["year"]).first()
        if found is None:
            raise CommandError(f"{county.name}{options['year']}年度动态调整尚未开启（fupin adjust open）")
        return found

    def progress(self, done, total=None, message=None, force=False):
        if force and message:
            self.stderr.write(f"[{done}/{total}] {message}")
